// GPU int8/uint8 2-D convolution, bit-exact with kernels/conv2d-int8/conv2d-int8.ref.ts:
// implicit-im2col GEMM (conv2d-int8.wgsl) for any group count, and a direct kernel
// (conv2d-int8-depthwise.wgsl) for depthwise convs (group = C, one input channel per group).
// Both run on the shared GEMM core's accumulation, statistics and requantize code.

import type { GpuContext } from '../gpu/device.js';
import { linearGrid } from '../gpu/dispatch.js';
import {
  ACC_MODE_CODE,
  accumulatorBits,
  gemmPipeline,
  gemmUniformWords,
  type Int8KernelOptions,
  type Int8KernelResult,
  MetaBuilder,
  requantCode,
  requantizeData,
  runGemmLaunch,
} from '../gpu/int8-gemm.js';
import { packInt8 } from '../gpu/int8-packing.js';
import { INT32_ACCUMULATOR, type Int8Data, validateAccumulatorMode } from '../quant-math/accumulator.js';
import { convOutputSize } from './conv2d-int8.ref.js';

export interface ConvInt8GpuParams extends Int8KernelOptions {
  readonly x: Int8Data;
  /** [N, C, H, W] */
  readonly xDims: readonly number[];
  readonly w: Int8Data;
  /** [M, C/group, kH, kW] */
  readonly wDims: readonly number[];
  readonly xZeroPoint?: number;
  /** One value or M values. */
  readonly wZeroPoint?: number | ArrayLike<number>;
  readonly bias?: ArrayLike<number>;
  readonly group?: number;
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  /** [top, left, bottom, right] */
  readonly pads?: readonly number[];
  /** 'auto' (default): direct kernel for depthwise convs, GEMM otherwise. */
  readonly algorithm?: 'auto' | 'gemm' | 'direct-depthwise';
}

/** Runs the int8 conv; the result is NCHW [N, M, OH, OW]. */
export async function conv2dInt8Gpu(ctx: GpuContext, p: ConvInt8GpuParams): Promise<Int8KernelResult> {
  if (p.xDims.length !== 4 || p.wDims.length !== 4)
    throw new Error('conv2dInt8Gpu needs 4-D x (NCHW) and w (MCkk)');
  const [N, C, H, W] = p.xDims;
  const [M, Cg, KH, KW] = p.wDims;
  const group = p.group ?? 1;
  const [sh, sw] = p.strides ?? [1, 1];
  const [dh, dw] = p.dilations ?? [1, 1];
  const [pt, pl, pb, pr] = p.pads ?? [0, 0, 0, 0];
  const mode = p.accumulator ?? INT32_ACCUMULATOR;
  validateAccumulatorMode(mode);
  if (C % group !== 0 || M % group !== 0)
    throw new Error(`channels C=${C}, M=${M} not divisible by group ${group}`);
  if (Cg !== C / group) throw new Error(`weights have ${Cg} input channels, expected C/group = ${C / group}`);
  if (p.x.length !== N * C * H * W || p.w.length !== M * Cg * KH * KW) {
    throw new Error('conv2dInt8Gpu: data length does not match dims');
  }
  const OH = convOutputSize(H, KH, sh, dh, pt, pb);
  const OW = convOutputSize(W, KW, sw, dw, pl, pr);
  const Mg = M / group;
  const K = Cg * KH * KW;
  const depthwise = group === C && Cg === 1;
  const algorithm = p.algorithm ?? 'auto';
  if (algorithm === 'direct-depthwise' && !depthwise) throw new Error('direct-depthwise needs group = C');
  const direct = algorithm === 'direct-depthwise' || (algorithm === 'auto' && depthwise && group > 1);

  const xSigned = p.x instanceof Int8Array;
  const wSigned = p.w instanceof Int8Array;
  const zx = (p.xZeroPoint ?? 0) + (xSigned ? 0 : -128);
  const zwList =
    p.wZeroPoint === undefined
      ? [0]
      : typeof p.wZeroPoint === 'number'
        ? [p.wZeroPoint]
        : Array.from(p.wZeroPoint);
  if (zwList.length !== 1 && zwList.length !== M)
    throw new Error(`weight zero point has ${zwList.length} values, expected 1 or ${M}`);
  const perChannelZw = zwList.length === M && M > 1;
  if (p.bias && p.bias.length !== M) throw new Error(`bias has ${p.bias.length} values, expected ${M}`);

  const meta = new MetaBuilder();
  const zaBase = meta.add([zx]);
  const zbBase = meta.add(zwList.map((v) => v + (wSigned ? 0 : -128)));
  const biasBase = meta.add(p.bias ?? []);
  const rq = p.requantize ? requantizeData(p.requantize, M) : undefined;
  const rqBase = meta.add(rq?.words ?? []);

  const useDot4 = p.useDot4 ?? ctx.hasDot4I8Packed;
  const stats = p.stats ?? false;
  const common = {
    dot4: useDot4,
    accMode: ACC_MODE_CODE[mode.kind],
    requant: requantCode(p.requantize),
    stats,
    tm: 4,
    kWords: 8,
  };
  const pipeline = direct
    ? await gemmPipeline(ctx, new URL('./conv2d-int8-depthwise.wgsl', import.meta.url), {
        ...common,
        op: 'conv2d-int8-depthwise',
        dot4: false, // the direct kernel multiplies bytes one by one
        wgX: 64,
        wgY: 1,
      })
    : await gemmPipeline(ctx, new URL('./conv2d-int8.wgsl', import.meta.url), {
        ...common,
        op: 'conv2d-int8',
        wgX: 16,
        wgY: 16,
      });
  const outputCount = N * M * OH * OW;
  const uniform = gemmUniformWords({
    m: direct ? outputCount : OH * OW,
    n: Mg,
    k: K,
    accBits: accumulatorBits(mode),
    zaBase,
    zaGroupStride: 0,
    zaRowStride: 0,
    zbBase,
    zbGroupStride: perChannelZw ? Mg : 0,
    zbColStride: perChannelZw ? 1 : 0,
    chanGroupStride: Mg,
    biasBase,
    rqBase,
    hasBias: p.bias !== undefined,
    zy: p.requantize?.outputZeroPoint ?? 0,
    qmin: rq?.qmin ?? 0,
    qmax: rq?.qmax ?? 0,
    opBase: 0,
  });
  const opUniform = Uint32Array.from([
    C,
    H,
    W,
    Cg,
    KH,
    KW,
    sh,
    sw,
    dh,
    dw,
    pt,
    pl,
    OH,
    OW,
    Mg,
    group,
    0,
    0,
    0,
    M,
  ]);
  new Int32Array(opUniform.buffer)[16] = zx;
  opUniform[17] = xSigned ? 1 : 0;
  opUniform[18] = wSigned ? 1 : 0;
  const grid: [number, number, number] = direct
    ? [...linearGrid(ctx, Math.ceil(outputCount / 64)), 1]
    : [Math.ceil(Mg / 64), Math.ceil((OH * OW) / 64), N * group];
  return runGemmLaunch(ctx, {
    op: direct ? 'conv2d-int8-depthwise' : 'conv2d-int8',
    pipeline,
    uniform,
    opUniform,
    meta: meta.build(),
    a: packInt8(p.x),
    b: packInt8(p.w),
    outputCount,
    channels: M,
    requantized: p.requantize !== undefined,
    signedOutput: (p.requantize?.qmin ?? 0) < 0,
    stats,
    grid,
    dims: [N, M, OH, OW],
  });
}

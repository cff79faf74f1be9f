// GPU int8/uint8 2-D convolution, bit-exact with kernels/conv2d-int8/conv2d-int8.ref.ts:
// implicit-im2col GEMM (conv2d-int8.wgsl) for any group count, and a direct kernel
// (conv2d-int8-depthwise.wgsl) for depthwise convs (group = C, one input channel per group).
// Both run on the shared GEMM core's accumulation, statistics and requantize code.
//
// Two levels: `prepareConv2dInt8` + `recordConv2dInt8` run on caller-owned GPU buffers (graph
// executor: weights, bias and tables uploaded once, runs encoded into the caller's encoder);
// `conv2dInt8Gpu` uploads typed arrays, runs once and reads back.

import type { GpuContext } from '../gpu/device.js';
import { linearGrid, type SplitLimits } from '../gpu/dispatch.js';
import {
  ACC_MODE_CODE,
  accumulatorBits,
  type GemmUniform,
  gemmPipeline,
  type Int8KernelOptions,
  type Int8KernelResult,
  isOrdered,
  MetaBuilder,
  packedEligible,
  requantCode,
  requantizeData,
} from '../gpu/int8-gemm.js';
import {
  createPreparedGemm,
  type GemmBuffers,
  type GemmChunk,
  type PreparedGemm,
  planGemmChunks,
  recordGemm,
  runPreparedGemm,
  WindowPlanner,
} from '../gpu/int8-gemm-run.js';
import { packInt8 } from '../gpu/int8-packing.js';
import type { Int8Data } from '../quant-math/accumulator.js';
import { type ConvInt8Shape, type ConvKOrder, convInt8Geometry, weightsInKOrder } from './conv2d-int8.ref.js';
import { preparePackedConv } from './conv2d-int8-packed.js';

/** The constant description of one conv op instance (shared by the two API levels). */
interface ConvInt8Common extends Int8KernelOptions, ConvInt8Shape {
  /**
   * 'auto' (default): the packed kernels (conv2d-int8-packed.ts) for the exact accumulator modes
   * without statistics, else the direct kernel for depthwise convs and the GEMM core otherwise.
   * 'packed' insists on the packed kernels (an error when the mode or statistics rule them out).
   */
  readonly algorithm?: 'auto' | 'gemm' | 'direct-depthwise' | 'packed';
  /**
   * The order K is summed in (conv2d-int8.ref.ts): 'chw' (default: c, kh, kw) or 'hwc' (kh, kw,
   * c: onnxruntime's channels-last im2col, which its x86 pairwise int16 sums pair along). 'hwc'
   * runs on the GEMM core only.
   */
  readonly kOrder?: ConvKOrder;
}

export interface ConvInt8GpuParams extends ConvInt8Common {
  readonly x: Int8Data;
  readonly w: Int8Data;
}

/**
 * A conv op instance (ConvInteger / QLinearConv node) for `prepareConv2dInt8`: shapes, types,
 * zero points, bias, attributes and the constant weights `w` (int8 or uint8, [M, C/group, kH, kW]).
 */
export interface ConvInt8Spec extends ConvInt8Common {
  readonly xType: 'int8' | 'uint8';
  readonly w: Int8Data;
}

/** A prepared conv op: pass it to `recordConv2dInt8`. See PreparedGemm for the buffer sizes. */
export type PreparedConv2dInt8 = PreparedGemm;

/**
 * Compiles (or takes from the cache) the pipeline and uploads the constants of a conv op: packed
 * weights with their per-output-channel sums (GEMM path, exact accumulators), bias, zero points and
 * requantize data. Buffers of a run (`recordConv2dInt8`):
 *  - a: packed 8-bit x, NCHW (4 values per u32, little endian), aBytes;
 *  - out: NCHW [N, M, OH, OW]: int32 accumulators, or packed 8-bit values with spec.requantize
 *    (int8 if requantize.qmin < 0, else uint8), outBytes;
 *  - stats (spec.stats): per output channel, u32 [overflow count, max |exact acc|].
 * Work larger than the limits is split over images (and output-row tiles); one image's input,
 * weights and one row tile's output must each fit one binding.
 */
export async function prepareConv2dInt8(
  ctx: GpuContext,
  p: ConvInt8Spec,
  limits?: SplitLimits,
): Promise<PreparedConv2dInt8> {
  const { N, C, H, W, M, Cg, KH, KW, group, Mg, K, OH, OW, sh, sw, dh, dw, pt, pl, mode } = convInt8Geometry(
    p,
    'conv2dInt8Gpu',
  );
  if (p.w.length !== M * Cg * KH * KW) throw new Error('conv2dInt8Gpu: weight length does not match dims');
  const depthwise = group === C && Cg === 1;
  const algorithm = p.algorithm ?? 'auto';
  if (algorithm === 'direct-depthwise' && !depthwise) throw new Error('direct-depthwise needs group = C');
  const direct = algorithm === 'direct-depthwise' || (algorithm === 'auto' && depthwise && group > 1);
  const packed = algorithm === 'packed' || (algorithm === 'auto' && packedEligible(mode, p.stats));
  if (p.kOrder === 'hwc' && packed)
    throw new Error("conv2d-int8: kOrder 'hwc' runs on the GEMM core, not the packed kernels");
  if (packed && !packedEligible(mode, p.stats))
    throw new Error('conv2d-int8: the packed kernels need an int32 or wrap accumulator and no statistics');

  const xSigned = p.xType === 'int8';
  const wSigned = p.w instanceof Int8Array;
  const wShift = wSigned ? 0 : -128;
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
  const zbBase = meta.add(zwList.map((v) => v + wShift));
  const biasBase = meta.add(p.bias ?? []);
  const rq = p.requantize ? requantizeData(p.requantize, M) : undefined;
  const rqBase = meta.add(rq?.words ?? []);
  const bSums = (packed && !(depthwise && group > 1)) || (!direct && !isOrdered(mode));
  const sums = new Int32Array(bSums ? M : 0);
  for (let oc = 0; oc < sums.length; oc++) {
    for (let k = 0; k < K; k++) sums[oc] += p.w[oc * K + k] + wShift;
  }
  const bSumsBase = meta.add(sums);

  const stats = p.stats ?? false;
  const requantized = p.requantize !== undefined;
  const plane = OH * OW;
  const outputCount = N * M * plane;
  const uniform: GemmUniform = {
    m: direct && !packed ? outputCount : plane,
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
    accMode: ACC_MODE_CODE[mode.kind],
    flags: requantCode(p.requantize) | (stats ? 8 : 0),
    bSumsBase,
  };
  if (packed) {
    return preparePackedConv(
      ctx,
      {
        N,
        C,
        H,
        W,
        M,
        Cg,
        KH,
        KW,
        OH,
        OW,
        group,
        strides: [sh, sw],
        dilations: [dh, dw],
        pads: [pt, pl],
        depthwise: depthwise && group > 1,
        w: p.w,
        zw: zwList.map((v) => v + wShift),
        zx,
        xSigned,
        dot4: p.useDot4 ?? ctx.hasDot4I8Packed,
        uniform,
        tables: meta.build(),
        requantize: p.requantize,
        requantized,
        signedOutput: (p.requantize?.qmin ?? 0) < 0,
      },
      limits,
    );
  }
  const hwc = p.kOrder === 'hwc';
  if (hwc && direct)
    throw new Error("conv2d-int8: kOrder 'hwc' runs on the GEMM core, not the direct kernel");
  const common = { ordered: isOrdered(mode), tm: 4, kWords: 8 };
  const convParamsWgsl = new URL('./conv2d-int8-params.wgsl', import.meta.url);
  const pipeline = direct
    ? await gemmPipeline(ctx, [convParamsWgsl, new URL('./conv2d-int8-depthwise.wgsl', import.meta.url)], {
        ...common,
        packed: false,
        op: 'conv2d-int8-depthwise',
        // The direct kernel multiplies bytes one by one and reads modes from the uniform only.
        dot4: false,
        ordered: false,
        bSums: false,
        wgX: 64,
        wgY: 1,
      })
    : await gemmPipeline(ctx, [convParamsWgsl, new URL('./conv2d-int8.wgsl', import.meta.url)], {
        ...common,
        packed: false,
        op: 'conv2d-int8',
        dot4: p.useDot4 ?? ctx.hasDot4I8Packed,
        bSums,
        wgX: 16,
        wgY: 16,
      });
  const outElementBytes = requantized ? 1 : 4;
  const planner = new WindowPlanner(ctx, limits);
  const chunks = direct
    ? depthwiseChunks(ctx, planner, { N, C, H, W, M, plane, K, outElementBytes }, limits)
    : planGemmChunks(
        planner,
        {
          grid: [Math.ceil(Mg / 64), Math.ceil(plane / 64), N * group],
          // One (image, group) reads its group's input channels and writes its Mg output planes.
          aRange: (z) => {
            const start = (Math.floor(z / group) * C + (z % group) * Cg) * H * W;
            return [start, start + Cg * H * W];
          },
          bRange: (z) => [(z % group) * Mg * K, ((z % group) + 1) * Mg * K],
          outRange: (z, y0, y1) => {
            const first = Math.floor(z / group) * M + (z % group) * Mg;
            return [first * plane + y0 * 64, (first + Mg - 1) * plane + Math.min(y1 * 64, plane)];
          },
          outElementBytes,
        },
        'conv2d-int8',
      );
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
    // k_hwc, then padding to the uniform's 16-byte size.
    hwc ? 1 : 0,
    0,
    0,
    0,
  ]);
  new Int32Array(opUniform.buffer)[16] = zx;
  opUniform[17] = xSigned ? 1 : 0;
  opUniform[18] = wSigned ? 1 : 0;
  return createPreparedGemm(ctx, {
    op: direct ? 'conv2d-int8-depthwise' : 'conv2d-int8',
    pipeline,
    uniform,
    opUniform,
    tables: meta.build(),
    // The GEMM reads weights along K in the kernel's order.
    weights: packInt8(hwc ? weightsInKOrder(p.w, M, Cg, KH * KW, 'hwc') : p.w),
    chunks,
    aBytes: N * C * H * W,
    bBytes: p.w.length,
    outBytes: outputCount * outElementBytes,
    dims: [N, M, OH, OW],
    outputCount,
    channels: M,
    requantized,
    signedOutput: (p.requantize?.qmin ?? 0) < 0,
    stats,
  });
}

interface DepthwiseShape {
  N: number;
  C: number;
  H: number;
  W: number;
  M: number;
  plane: number;
  K: number;
  outElementBytes: number;
}

/**
 * Depthwise dispatches: ranges of linear output indices (image, channel, pixel) whose output
 * window, the input window of the images they touch, and grid fit the limits.
 */
function depthwiseChunks(
  ctx: GpuContext,
  planner: WindowPlanner,
  s: DepthwiseShape,
  limits?: SplitLimits,
): GemmChunk[] {
  const chunks: GemmChunk[] = [];
  const perImage = s.M * s.plane;
  const imageBytes = s.C * s.H * s.W;
  const count = s.N * perImage;
  const eb = s.outElementBytes;
  const weights = planner.window([0, s.M * s.K], 1);
  if (!planner.fits(weights)) throw new Error('conv2d-int8-depthwise: weights exceed one binding');
  const maxOutputs = 64 * planner.maxDim * planner.maxDim;
  let start = 0;
  while (start < count) {
    const img0 = Math.floor(start / perImage);
    const xOffset = planner.window([img0 * imageBytes, img0 * imageBytes + 1], 1).offset;
    // Whole images whose input fits a window starting at xOffset.
    const img1 = Math.min(s.N, Math.floor((xOffset + planner.maxBytes) / imageBytes));
    if (img1 <= img0) throw new Error('conv2d-int8-depthwise: one image exceeds one binding (unsupported)');
    const outOffset = planner.window([start, start + 1], eb).offset;
    const outEnd = Math.floor(Math.floor((outOffset + planner.maxBytes) / 4) * 4) / eb;
    const end = Math.min(count, start + maxOutputs, img1 * perImage, Math.floor(outEnd));
    if (end <= start) throw new Error('conv2d-int8-depthwise: output window exceeds one binding');
    const lastImage = Math.ceil(end / perImage);
    const a = planner.window([img0 * imageBytes, lastImage * imageBytes], 1);
    const out = planner.window([start, end], eb);
    const [x, y] = linearGrid(ctx, Math.ceil((end - start) / 64), limits);
    chunks.push({
      grid: [x, y, 1],
      wgOffset: [start, 0, 0],
      mEnd: end,
      aBase: a.base,
      bBase: weights.base,
      outBase: out.base,
      a,
      b: weights,
      out,
    });
    start = end;
  }
  return chunks;
}

/**
 * Encodes one conv run into `encoder` (see prepareConv2dInt8 for the buffers; the weights are the
 * prepared ones, so buffers.b is ignored): clears `out` when requantized and `stats` unless
 * options.accumulateStats, then the dispatches. Synchronous: nothing is read back.
 */
export function recordConv2dInt8(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  prepared: PreparedConv2dInt8,
  buffers: Omit<GemmBuffers, 'b'>,
  options?: { readonly accumulateStats?: boolean },
): void {
  recordGemm(ctx, encoder, prepared, { ...buffers, b: undefined }, options);
}

/** Runs the int8 conv on typed arrays; the result is NCHW [N, M, OH, OW]. */
export async function conv2dInt8Gpu(
  ctx: GpuContext,
  p: ConvInt8GpuParams,
  limits?: SplitLimits,
): Promise<Int8KernelResult> {
  if (p.xDims.length === 4 && p.x.length !== p.xDims.reduce((a, b) => a * b, 1)) {
    throw new Error('conv2dInt8Gpu: data length does not match dims');
  }
  const prepared = await prepareConv2dInt8(
    ctx,
    { ...p, xType: p.x instanceof Int8Array ? 'int8' : 'uint8' },
    limits,
  );
  try {
    return await runPreparedGemm(ctx, prepared, packInt8(p.x));
  } finally {
    prepared.destroy();
  }
}

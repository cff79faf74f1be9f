// Lowerings of the integer conv / matmul ops onto the prepared int8 kernels (kernels/conv2d-int8,
// kernels/dense-int8): weights, zero points, bias, requantize data and uniforms are uploaded once
// at plan time (prepare*), and each run records into the executor's single command encoder on the
// arena's packed 8-bit / int32 buffers (record*), with no readback. Everything the kernels take at
// prepare time (weights of a conv, scales, zero points, bias) must be a plan-time constant;
// otherwise the node runs on the CPU reference.
//
// Accumulation follows the CPU adapters (app/exec/cpu/ops/quant-int8.ts, qgemm.ts):
// - 'exact': int32 (wrapping) accumulators for every op.
// - 'x86-u8s8-pairwise' with uint8 x int8: onnxruntime's VPMADDUBSW pairs. Dense ops pair along K
//   ascending, which the GPU's 'pairwise-int16-saturate' mode does (same u8/s8 mapping as
//   kernels/quant-math/accumulator.ts: x + 128 for int8 activations, w - 128 for uint8 weights).
//   QLinearConv pairs along the channels-last K order (kh, kw, c): the GPU conv's GEMM core then
//   walks K in that order too (kOrder 'hwc', weights rearranged at prepare time), as the CPU
//   reference does. MLAS depthwise convs are exact.
// - settings.accumulator (int32, wrap N, saturate N, pairwise): the node's mode comes from the rule
//   the CPU ops use (app/exec/accumulator-stats.ts); saturate N sums (c, kh, kw) on both backends.
// settings.requantize goes into the kernels' requantize epilogue (ort, gemmlowp, TVM roundings).
// Statistics (settings.onAccumulatorStats): the node is prepared with `stats`, which rules out the
// packed kernels (they have no statistics) and takes the tiled GEMM core or the direct depthwise
// kernel, both bit-exact with the reference in every mode. Each run clears a per-channel stats
// buffer, the kernel fills it, a copy goes to a staging buffer in the same encoder, and `collect`
// maps it after the run's last submit: the same per-node numbers as the CPU reference.

import { parseAutoPad, resolveConvGeometry } from '../../../kernels/conv2d/conv-geometry.js';
import { prepareConv2dInt8, recordConv2dInt8 } from '../../../kernels/conv2d-int8/conv2d-int8.js';
import { prepareDenseInt8, recordDenseInt8 } from '../../../kernels/dense-int8/dense-int8.js';
import { prepareBinary, prepareUnary } from '../../../kernels/elementwise/elementwise.js';
import { READBACK_USAGE, STORAGE_USAGE } from '../../../kernels/gpu/buffers.js';
import type { RequantizeSpec } from '../../../kernels/gpu/int8-gemm.js';
import type { PreparedGemm } from '../../../kernels/gpu/int8-gemm-run.js';
import { destroyDispatches, recordDispatches } from '../../../kernels/gpu-float/float-dispatch.js';
import type { AccumulatorMode, Int8Data } from '../../../kernels/quant-math/accumulator.js';
import { qRange } from '../../../kernels/quant-math/quant-math.js';
import { makeTensor, sizeOf, type Tensor, toFloat32, toNumbers } from '../../../kernels/tensor.js';
import { attrFloat, attrInt, attrInts, attrString } from '../../model/attributes.js';
import { accumulatorStats, nodeAccumulator } from '../accumulator-stats.js';
import type { GpuWork, LowerContext, Lowering } from './lowering.js';
import { inputName } from './lowering.js';

const is8bit = (dtype: string | undefined): dtype is 'int8' | 'uint8' =>
  dtype === 'int8' || dtype === 'uint8';

/** Constant input i (undefined when omitted or not known at plan time); `null` when omitted. */
function constantInput(lc: LowerContext, i: number): Tensor | null | undefined {
  const name = inputName(lc, i);
  if (!name) return null;
  return lc.constant(name);
}

/** Constant inputs at `indices`, or undefined if one present input is not constant. */
function constants(lc: LowerContext, indices: readonly number[]): (Tensor | undefined)[] | undefined {
  const out: (Tensor | undefined)[] = [];
  for (const i of indices) {
    const t = constantInput(lc, i);
    if (t === undefined) return undefined;
    out.push(t ?? undefined);
  }
  return out;
}

const nonEmpty = (t: Tensor | undefined) => (t && t.data.length > 0 ? t : undefined);
const scalar = (t: Tensor | undefined) => (t?.data.length ? toNumbers(t)[0] : 0);

/** The requantize epilogue of a QLinear* node from its constant scales and output zero point. */
function requantizeOf(
  lc: LowerContext,
  inputScale: Tensor | undefined,
  weightScale: Tensor | undefined,
  outputScale: Tensor | undefined,
  yZp: Tensor | undefined,
): RequantizeSpec | undefined {
  if (!inputScale || !weightScale || !outputScale || !yZp || !is8bit(yZp.dtype)) return undefined;
  if (inputScale.data.length !== 1 || outputScale.data.length !== 1 || yZp.data.length !== 1)
    return undefined;
  return {
    scheme: lc.settings.requantize,
    inputScale: scalar(inputScale),
    weightScale: toFloat32(weightScale),
    outputScale: scalar(outputScale),
    outputZeroPoint: scalar(yZp),
    ...qRange(yZp.dtype),
  };
}

/** The accumulator of a matmul-like node (QLinearMatMul, MatMulInteger, QGemm). */
function matmulMode(lc: LowerContext, a: string, b: string): AccumulatorMode {
  return nodeAccumulator(lc.settings, { kind: 'matmul', xType: a, wType: b });
}

/** Whether the node reports accumulator statistics (the kernels then skip their packed family). */
const wantsStats = (lc: LowerContext) => lc.settings.onAccumulatorStats !== undefined;

interface StatsReadback {
  /** The kernel's statistics buffer (pass as GemmBuffers.stats). */
  readonly buffer: GPUBuffer;
  /** Copies the statistics to the staging buffer: record after the kernel, in the same encoder. */
  copy(encoder: GPUCommandEncoder): void;
  readonly collect: NonNullable<GpuWork['collect']>;
  destroy(): void;
}

/** Statistics buffers of one node, read back after the run (settings.onAccumulatorStats). */
function statsReadback(lc: LowerContext, prepared: PreparedGemm, mode: AccumulatorMode): StatsReadback {
  const report = lc.settings.onAccumulatorStats!;
  const name = lc.node.name;
  const bytes = prepared.statsBytes;
  const { device } = lc.gpu;
  const buffer = device.createBuffer({ label: `${name}.acc-stats`, size: bytes, usage: STORAGE_USAGE });
  const staging = device.createBuffer({
    label: `${name}.acc-stats.read`,
    size: bytes,
    usage: READBACK_USAGE,
  });
  return {
    buffer,
    copy: (encoder) => encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes),
    collect: async () => {
      await staging.mapAsync(0x0001);
      // Per output channel: [overflow count, max |exact acc|] as u32 (int8-gemm-core.wgsl).
      const words = new Uint32Array(staging.getMappedRange().slice(0));
      staging.unmap();
      const channels = prepared.channels;
      const overflows = Array.from({ length: channels }, (_, c) => words[2 * c]);
      const maxAbs = Array.from({ length: channels }, (_, c) => words[2 * c + 1]);
      const stats = accumulatorStats(mode, overflows, maxAbs, prepared.outputCount);
      return () => report(name, stats);
    },
    destroy: () => {
      buffer.destroy();
      staging.destroy();
    },
  };
}

/** GPU work that runs one prepared int8 op (with its statistics readback when asked for). */
function gemmWork(
  lc: LowerContext,
  prepared: PreparedGemm,
  mode: AccumulatorMode,
  run: (encoder: GPUCommandEncoder, stats: GPUBuffer | undefined) => void,
  extra?: { record: (encoder: GPUCommandEncoder) => void; destroy: () => void },
): GpuWork {
  const stats = prepared.stats ? statsReadback(lc, prepared, mode) : undefined;
  return {
    record: async (encoder) => {
      run(encoder, stats?.buffer);
      stats?.copy(encoder);
      extra?.record(encoder);
    },
    collect: stats?.collect,
    destroy: () => {
      prepared.destroy();
      stats?.destroy();
      extra?.destroy();
    },
  };
}

/** QLinearConv (qlinear) or ConvInteger on the prepared int8 conv; 1-D convs as H = 1. */
function intConv(qlinear: boolean): Lowering {
  return async (lc) => {
    const wIndex = qlinear ? 3 : 1;
    const xs = lc.shape(inputName(lc, 0));
    const ws = lc.shape(inputName(lc, wIndex));
    if (!is8bit(xs.dtype) || !is8bit(ws.dtype) || (xs.dims.length !== 3 && xs.dims.length !== 4))
      return undefined;
    const c = constants(lc, qlinear ? [1, 2, 3, 4, 5, 6, 7, 8] : [1, 2, 3]);
    if (!c) return undefined;
    const [w, xZp, wZp, requantize, bias] = qlinear
      ? [c[2], c[1], c[4], requantizeOf(lc, c[0], c[3], c[5], c[6]), nonEmpty(c[7])]
      : [c[0], nonEmpty(c[1]), nonEmpty(c[2]), undefined, undefined];
    if (!w || (qlinear && !requantize) || (xZp && xZp.data.length !== 1)) return undefined;
    if (bias && bias.dtype !== 'int32') return undefined;
    const group = attrInt(lc.node, 'group');
    const [M, Cg] = ws.dims;
    const kernelSize = sizeOf(ws.dims.slice(2));
    // MLAS depthwise (one input and one output channel per group) is exact.
    const depthwise = Cg === 1 && M === group;
    const kind = qlinear ? 'qlinear-conv' : 'conv-integer';
    const mode = nodeAccumulator(lc.settings, { kind, xType: xs.dtype, wType: ws.dtype, depthwise });
    const pairs = mode.kind === 'pairwise-int16-saturate';
    // onnxruntime pairs along its channels-last im2col K, (kh, kw, c); with one tap or one channel
    // per group that is the (c, kh, kw) order too.
    const kOrder = pairs && kernelSize !== 1 && Cg !== 1 ? 'hwc' : 'chw';
    const geo = resolveConvGeometry({
      inputSpatial: xs.dims.slice(2),
      kernelSpatial: ws.dims.slice(2),
      strides: nonEmptyInts(attrInts(lc.node, 'strides')),
      dilations: nonEmptyInts(attrInts(lc.node, 'dilations')),
      pads: nonEmptyInts(attrInts(lc.node, 'pads')),
      autoPad: parseAutoPad(attrString(lc.node, 'auto_pad')),
    });
    const is1d = xs.dims.length === 3;
    const lift = (d: readonly number[]) => (is1d ? [d[0], d[1], 1, d[2]] : [...d]);
    const prepared = await prepareConv2dInt8(lc.gpu, {
      xType: xs.dtype,
      xDims: lift(xs.dims),
      w: w.data as Int8Data,
      wDims: lift(ws.dims),
      xZeroPoint: scalar(xZp),
      wZeroPoint: nonEmpty(wZp) ? toNumbers(wZp!) : undefined,
      bias: bias ? (bias.data as Int32Array) : undefined,
      group,
      strides: is1d ? [1, geo.strides[0]] : geo.strides,
      dilations: is1d ? [1, geo.dilations[0]] : geo.dilations,
      pads: is1d ? [0, geo.pads[0], 0, geo.pads[1]] : geo.pads,
      accumulator: mode,
      // Pairwise sums need the GEMM core (ordered K, the order chosen above).
      algorithm: pairs ? 'gemm' : 'auto',
      kOrder,
      requantize,
      stats: wantsStats(lc),
    });
    if (requantize && lc.shape(lc.node.outputs[0]).dtype !== (requantize.qmin < 0 ? 'int8' : 'uint8')) {
      prepared.destroy();
      return undefined;
    }
    const x = lc.input(0);
    const out = lc.output(0);
    return gemmWork(lc, prepared, mode, (encoder, stats) =>
      recordConv2dInt8(lc.gpu, encoder, prepared, { a: x, out, stats }),
    );
  };
}

function nonEmptyInts(v: readonly number[] | undefined): readonly number[] | undefined {
  return v?.length ? v : undefined;
}

/** QLinearMatMul (qlinear) or MatMulInteger on the prepared int8 dense; B constant or per run. */
function intMatMul(qlinear: boolean): Lowering {
  return async (lc) => {
    const bIndex = qlinear ? 3 : 1;
    const as = lc.shape(inputName(lc, 0));
    const bs = lc.shape(inputName(lc, bIndex));
    if (!is8bit(as.dtype) || !is8bit(bs.dtype)) return undefined;
    const c = constants(lc, qlinear ? [1, 2, 4, 5, 6, 7] : [2, 3]);
    if (!c) return undefined;
    const [za, zb] = qlinear ? [c[1], c[3]] : [nonEmpty(c[0]), nonEmpty(c[1])];
    const requantize = qlinear ? requantizeOf(lc, c[0], c[2], c[4], c[5]) : undefined;
    if (qlinear && (!requantize || za?.data.length !== 1)) return undefined;
    const b = lc.constant(inputName(lc, bIndex));
    const mode = matmulMode(lc, as.dtype, bs.dtype);
    const prepared = await prepareDenseInt8(lc.gpu, {
      aDims: as.dims,
      bDims: bs.dims,
      aType: as.dtype,
      bType: bs.dtype,
      aZeroPoint: za ? toNumbers(za) : undefined,
      bZeroPoint: zb ? toNumbers(zb) : undefined,
      b: b ? (b.data as Int8Data) : undefined,
      accumulator: mode,
      requantize,
      stats: wantsStats(lc),
    });
    const a = lc.input(0);
    const bBuffer = b ? undefined : lc.input(bIndex);
    const out = lc.output(0);
    return gemmWork(lc, prepared, mode, (encoder, stats) =>
      recordDenseInt8(lc.gpu, encoder, prepared, { a, b: bBuffer, out, stats }),
    );
  };
}

/**
 * com.microsoft QGemm (app/exec/cpu/ops/qgemm.ts): A [M, K] (no transA on the GPU), B constant or
 * not, int32 bias C per column or scalar (starts the accumulator: the kernel's bias, which wraps in
 * int32 with the sum like MLAS), scale f32(f32(alpha * sa) * sb[n]) [/ sy]. With y_scale the
 * kernel requantizes (ortRequantMultiplier(f32(alpha*sa), sb, sy) is that same f32 expression);
 * without, the int32 accumulators go to a scratch buffer and f32(f32(acc) * scale[n]) is a cast
 * and one correctly rounded f32 multiply.
 */
const qgemm: Lowering = async (lc) => {
  const as = lc.shape(inputName(lc, 0));
  const bs = lc.shape(inputName(lc, 3));
  if (!is8bit(as.dtype) || !is8bit(bs.dtype) || as.dims.length !== 2 || bs.dims.length !== 2)
    return undefined;
  if (as.dtype === 'int8' && bs.dtype !== 'int8') return undefined; // the CPU op reports it
  if (attrInt(lc.node, 'transA') !== 0) return undefined;
  const c = constants(lc, [1, 2, 4, 5, 6, 7, 8]);
  if (!c) return undefined;
  const [aScale, za, bScale, zb, bias, yScale, yZp] = c;
  if (!aScale || !za || !bScale || !zb || aScale.data.length !== 1 || za.data.length !== 1) return undefined;
  const transB = attrInt(lc.node, 'transB') !== 0;
  const [M] = as.dims;
  const N = transB ? bs.dims[0] : bs.dims[1];
  if (![1, N].includes(bScale.data.length) || bScale.data.length !== zb.data.length) return undefined;
  let biasValues: number[] | undefined;
  if (bias) {
    if (bias.dtype !== 'int32') return undefined;
    const d = bias.dims;
    const perColumn = d.length <= 1 || (d.length === 2 && d[0] === 1);
    if (bias.data.length === 1) biasValues = new Array<number>(N).fill(Number(bias.data[0]));
    else if (perColumn && bias.data.length === N) biasValues = toNumbers(bias);
    else return undefined; // per-row bias: the CPU reference
  }
  const alpha = Math.fround(attrFloat(lc.node, 'alpha'));
  const inputScale = Math.fround(alpha * Math.fround(scalar(aScale)));
  let requantize: RequantizeSpec | undefined;
  if (yScale) {
    if (!yZp || !is8bit(yZp.dtype) || yScale.data.length !== 1 || yZp.data.length !== 1) return undefined;
    requantize = {
      scheme: lc.settings.requantize,
      inputScale,
      weightScale: toFloat32(bScale),
      outputScale: scalar(yScale),
      outputZeroPoint: scalar(yZp),
      ...qRange(yZp.dtype),
    };
  }
  const b = lc.constant(inputName(lc, 3));
  const mode = matmulMode(lc, as.dtype, bs.dtype);
  const prepared = await prepareDenseInt8(lc.gpu, {
    aDims: as.dims,
    bDims: bs.dims,
    aType: as.dtype,
    bType: bs.dtype,
    transB,
    aZeroPoint: scalar(za),
    bZeroPoint: toNumbers(zb),
    bias: biasValues,
    b: b ? (b.data as Int8Data) : undefined,
    accumulator: mode,
    requantize,
    stats: wantsStats(lc),
  });
  const a = lc.input(0);
  const bBuffer = b ? undefined : lc.input(3);
  if (requantize) {
    const out = lc.output(0);
    return gemmWork(lc, prepared, mode, (encoder, stats) =>
      recordDenseInt8(lc.gpu, encoder, prepared, { a, b: bBuffer, out, stats }),
    );
  }
  // Float output: acc (int32) -> f32 -> * scale[n].
  const scales = Float32Array.from(toFloat32(bScale), (sb) => Math.fround(inputScale * sb));
  const acc = lc.upload(`${lc.node.name}.acc`, makeTensor('int32', [M, N]));
  const accF = lc.upload(`${lc.node.name}.acc-f32`, makeTensor('float32', [M, N]));
  const scaleDims = scales.length === 1 ? [1] : [N];
  const scaleBuf = lc.upload(`${lc.node.name}.scale`, makeTensor('float32', scaleDims, scales));
  const out = lc.output(0);
  const cast = await prepareUnary(lc.gpu, acc, accF, { op: 'CastInt32ToFloat32', count: M * N });
  const mul = await prepareBinary(lc.gpu, accF, scaleBuf, out, {
    op: 'Mul',
    aDims: [M, N],
    bDims: scaleDims,
  });
  const dispatches = [cast, mul.dispatch];
  return gemmWork(
    lc,
    prepared,
    mode,
    (encoder, stats) => recordDenseInt8(lc.gpu, encoder, prepared, { a, b: bBuffer, out: acc, stats }),
    {
      record: (encoder) => recordDispatches(encoder, dispatches, `QGemm.${lc.node.name}.scale`),
      destroy: () => destroyDispatches(dispatches),
    },
  );
};

export const int8GemmLowerings: Readonly<Record<string, Lowering>> = {
  QLinearConv: intConv(true),
  ConvInteger: intConv(false),
  QLinearMatMul: intMatMul(true),
  MatMulInteger: intMatMul(false),
};

export const int8GemmMsLowerings: Readonly<Record<string, Lowering>> = {
  QGemm: qgemm,
};

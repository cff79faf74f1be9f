// Integer conv and matmul ops (ConvInteger, QLinearConv, MatMulInteger, QLinearMatMul): thin
// adapters over kernels/conv2d-int8, kernels/dense-int8 and kernels/requantize.
//
// Accumulation. With settings.integerAccumulation 'exact' (the default) every sum is the exact
// ONNX one. With 'x86-u8s8-pairwise' the adapters reproduce onnxruntime's MLAS on x86 CPUs without
// VNNI, which multiplies uint8 activations by int8 weights with VPMADDUBSW: products are summed in
// adjacent pairs along K with int16 saturation (kernels/quant-math/accumulator.ts,
// 'pairwise-int16-saturate'; K padded with a zero product when odd, zero points corrected in int32).
// Which ops take that path in onnxruntime 1.30 (read from its source, confirmed against
// onnxruntime-node in tests/unit/quant-ort-u8s8.test.ts):
// - MatMulInteger, QLinearMatMul with uint8 A and int8 B: QGEMM U8S8, K ascending (the GEMV
//   shortcut for one row without zero points pairs the same way).
// - QLinearConv with uint8 x and int8 w: the input is made channels-last and im2col'd, so K runs
//   (kh, kw, c) within a group (1x1 convs use the input rows directly: K = c). The symmetric
//   ConvSym kernel (weights zero point 0, C % 4 == 0) pairs channels within one kernel position,
//   which is the same pairing. Depthwise convs (one input and one output channel per group) use
//   MlasConvDepthwise / MlasConvSymDepthwise, which widen to int16 and are exact.
// - Everything else is exact: uint8 weights (U8U8 kernel widens to int16), int8 activations (no
//   S8S8 QGEMM on x86 without AVX-VNNI-INT8: the portable kernel), and ConvInteger (uint8 only in
//   onnxruntime; its GEMM takes the weights as A, so an int8 weight would be S8U8: portable).
// settings.accumulator (a simulated accumulator: int32, wrap N, saturate N, or the pairwise rule
// above) overrides integerAccumulation (app/exec/accumulator-stats.ts, shared with the GPU);
// saturate N sums a conv's K as (c, kh, kw), the reference order the GPU kernels follow.
// settings.requantize picks the QLinear requantize rule (default onnxruntime's), and
// settings.onAccumulatorStats receives each node's overflow statistics.
import { parseAutoPad, resolveConvGeometry } from '../../../../kernels/conv2d/conv-geometry.js';
import { type ConvKOrder, conv2dInt8 } from '../../../../kernels/conv2d-int8/conv2d-int8.ref.js';
import { denseInt8 } from '../../../../kernels/dense-int8/dense-int8.ref.js';
import type { AccumulatorMode, IntAccumulation } from '../../../../kernels/quant-math/accumulator.js';
import { type QuantDType, qRange } from '../../../../kernels/quant-math/quant-math.js';
import { requantizeTensor } from '../../../../kernels/requantize/requantize.ref.js';
import { makeTensor, type Tensor, toFloat32, toNumbers } from '../../../../kernels/tensor.js';
import { attrInt, attrInts, attrString } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import { accumulatorStats, type IntegerNodeKind, nodeAccumulator } from '../../accumulator-stats.js';
import type { OpContext, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';
import { int8Input, scalarOf } from './quant-inputs.js';

/** The accumulator of a matmul-like node (QLinearMatMul, MatMulInteger, QGemm) under ctx.settings. */
export function matmulAccumulator(ctx: OpContext, a: Tensor, b: Tensor): AccumulatorMode {
  return nodeAccumulator(ctx.settings, { kind: 'matmul', xType: a.dtype, wType: b.dtype });
}

/** Hands one node's accumulator statistics to settings.onAccumulatorStats, if set. */
export function reportAccumulatorStats(ctx: OpContext, mode: AccumulatorMode, r: IntAccumulation): void {
  const report = ctx.settings?.onAccumulatorStats;
  if (report) report(ctx.node.name, accumulatorStats(mode, r.overflowCount, r.maxAbs, r.acc.length));
}

interface IntConvArgs {
  x: Tensor;
  w: Tensor;
  xZeroPoint: number;
  wZeroPoint: number[] | undefined;
  bias?: ArrayLike<number>;
  kind: IntegerNodeKind;
}

/**
 * Runs the int8 conv reference for 1-D or 2-D convs (1-D as H = 1), resolving auto_pad, with the
 * node's accumulator, and reports its statistics.
 */
function intConv(ctx: OpContext, a: IntConvArgs): IntAccumulation {
  const node = ctx.node;
  const rank = a.x.dims.length;
  if (rank !== 3 && rank !== 4)
    throw new ModelError(`${node.opType}: only 1-D and 2-D convolutions are supported`);
  const nonEmpty = (v: readonly number[] | undefined) => (v && v.length > 0 ? v : undefined);
  const geo = resolveConvGeometry({
    inputSpatial: a.x.dims.slice(2),
    kernelSpatial: a.w.dims.slice(2),
    strides: nonEmpty(attrInts(node, 'strides')),
    dilations: nonEmpty(attrInts(node, 'dilations')),
    pads: nonEmpty(attrInts(node, 'pads')),
    autoPad: parseAutoPad(attrString(node, 'auto_pad')),
  });
  const group = attrInt(node, 'group');
  // MLAS treats a conv with one input and one output channel per group as depthwise (even with
  // group 1): exact.
  const depthwise = a.w.dims[1] === 1 && a.w.dims[0] === group;
  const mode = nodeAccumulator(ctx.settings, { kind: a.kind, xType: a.x.dtype, wType: a.w.dtype, depthwise });
  // onnxruntime pairs along its channels-last im2col K; every other mode sums (c, kh, kw).
  const kOrder: ConvKOrder = mode.kind === 'pairwise-int16-saturate' ? 'hwc' : 'chw';
  const is1d = rank === 3;
  const r = conv2dInt8({
    x: int8Input(a.x, 'conv input'),
    xDims: is1d ? [a.x.dims[0], a.x.dims[1], 1, a.x.dims[2]] : a.x.dims,
    w: int8Input(a.w, 'conv weight'),
    wDims: is1d ? [a.w.dims[0], a.w.dims[1], 1, a.w.dims[2]] : a.w.dims,
    xZeroPoint: a.xZeroPoint,
    wZeroPoint: a.wZeroPoint,
    bias: a.bias,
    group,
    strides: is1d ? [1, geo.strides[0]] : geo.strides,
    dilations: is1d ? [1, geo.dilations[0]] : geo.dilations,
    pads: is1d ? [0, geo.pads[0], 0, geo.pads[1]] : geo.pads,
    accumulator: mode,
    kOrder,
  });
  reportAccumulatorStats(ctx, mode, r);
  return is1d ? { ...r, dims: [r.dims[0], r.dims[1], r.dims[3]] } : r;
}

function convIntegerOp(ctx: OpContext): Tensor[] {
  const zw = optional(ctx, 3);
  const r = intConv(ctx, {
    x: required(ctx, 0),
    w: required(ctx, 1),
    xZeroPoint: scalarOf(optional(ctx, 2), 'x_zero_point'),
    wZeroPoint: zw ? toNumbers(zw) : undefined,
    kind: 'conv-integer', // see the header: never the U8S8 kernel in onnxruntime
  });
  return [makeTensor('int32', r.dims, r.acc)];
}

function outputRange(zp: Tensor): { dtype: QuantDType; qmin: number; qmax: number } {
  if (zp.dtype !== 'int8' && zp.dtype !== 'uint8')
    throw new ModelError(`output zero point must be int8 or uint8, got ${zp.dtype}`);
  return { dtype: zp.dtype, ...qRange(zp.dtype) };
}

/**
 * The 8-bit output of QLinearConv / QLinearMatMul (the same input layout: 1 input scale, 4 weight
 * scale, 6 y_scale, 7 y_zero_point) from the node's accumulators, with settings.requantize's rule.
 */
function requantizeQLinear(
  ctx: OpContext,
  r: IntAccumulation,
  channelAxis: number,
  inputScaleName: string,
): Tensor {
  const yZp = required(ctx, 7);
  const out = outputRange(yZp);
  const y = requantizeTensor({
    scheme: ctx.settings?.requantize,
    acc: r.acc,
    dims: r.dims,
    channelAxis,
    inputScale: scalarOf(required(ctx, 1), inputScaleName),
    weightScale: toFloat32(required(ctx, 4)),
    outputScale: scalarOf(required(ctx, 6), 'y_scale'),
    outputZeroPoint: scalarOf(yZp, 'y_zero_point'),
    qmin: out.qmin,
    qmax: out.qmax,
  });
  return makeTensor(out.dtype, r.dims, y);
}

function qlinearConvOp(ctx: OpContext): Tensor[] {
  const bias = optional(ctx, 8);
  const r = intConv(ctx, {
    x: required(ctx, 0),
    w: required(ctx, 3),
    xZeroPoint: scalarOf(required(ctx, 2), 'x_zero_point'),
    wZeroPoint: toNumbers(required(ctx, 5)),
    bias: bias ? (bias.data as Int32Array) : undefined,
    kind: 'qlinear-conv',
  });
  return [requantizeQLinear(ctx, r, 1, 'x_scale')];
}

/** Runs the int8 dense reference with the node's accumulator and reports its statistics. */
function intMatMul(
  ctx: OpContext,
  [a, aName]: [Tensor, string],
  [b, bName]: [Tensor, string],
  aZeroPoint: number | number[] | undefined,
  bZeroPoint: number[] | undefined,
): IntAccumulation {
  const mode = matmulAccumulator(ctx, a, b);
  const r = denseInt8({
    a: int8Input(a, aName),
    aDims: a.dims,
    b: int8Input(b, bName),
    bDims: b.dims,
    aZeroPoint,
    bZeroPoint,
    accumulator: mode,
  });
  reportAccumulatorStats(ctx, mode, r);
  return r;
}

function matMulIntegerOp(ctx: OpContext): Tensor[] {
  const za = optional(ctx, 2);
  const zb = optional(ctx, 3);
  const r = intMatMul(
    ctx,
    [required(ctx, 0), 'A'],
    [required(ctx, 1), 'B'],
    za ? toNumbers(za) : undefined,
    zb ? toNumbers(zb) : undefined,
  );
  return [makeTensor('int32', r.dims, r.acc)];
}

function qlinearMatMulOp(ctx: OpContext): Tensor[] {
  const r = intMatMul(
    ctx,
    [required(ctx, 0), 'a'],
    [required(ctx, 3), 'b'],
    scalarOf(required(ctx, 2), 'a_zero_point'),
    toNumbers(required(ctx, 5)),
  );
  return [requantizeQLinear(ctx, r, r.dims.length - 1, 'a_scale')];
}

export const quantInt8Ops: OpTable = {
  [opKey('', 'ConvInteger')]: convIntegerOp,
  [opKey('', 'QLinearConv')]: qlinearConvOp,
  [opKey('', 'MatMulInteger')]: matMulIntegerOp,
  [opKey('', 'QLinearMatMul')]: qlinearMatMulOp,
};

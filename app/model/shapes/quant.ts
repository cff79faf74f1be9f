// Shape functions of the quantization ops: QuantizeLinear/DequantizeLinear and friends (ai.onnx)
// and onnxruntime's com.microsoft QLinear* contrib ops. Quantized outputs take their dtype from
// the output zero point (uint8 when it is omitted, as the spec says); integer ops give int32.
import type { DType } from '../../../kernels/tensor.js';
import { attrInt } from '../attributes.js';
import { dtypeFromOnnx } from '../tensor-proto.js';
import { broadcastInputs } from './elementwise.js';
import { checkGemmBias, convDims, gemmDims, globalPoolDims, matmulDims, poolDims } from './nn.js';
import { concatDims } from './tensor.js';
import type { ShapeContext, ShapeFn, ShapeTable } from './types.js';
import { normalizeAxis } from './types.js';

/** The dtype of a quantized output: its zero point's, else `fallback`. */
function zeroPointType(ctx: ShapeContext, zpIndex: number, fallback: DType): DType {
  return ctx.has(zpIndex) ? ctx.dtype(zpIndex) : fallback;
}

/** Scale/zero-point shapes: per-tensor (one element), per-axis (1-D along `axis`) or blocked (same rank). */
function checkQuantParams(ctx: ShapeContext, x: readonly number[]): void {
  for (const i of [1, 2]) {
    if (!ctx.has(i)) continue;
    const p = ctx.shape(i);
    if (p.length === 0 || (p.length === 1 && p[0] === 1)) continue;
    const axis = normalizeAxis(ctx, attrInt(ctx.node, 'axis', 1), x.length);
    if (p.length === 1 && p[0] === x[axis]) continue;
    // Blocked quantization (opset 21): same rank, one axis divided into blocks of block_size.
    const block = ctx.opset >= 21 ? attrInt(ctx.node, 'block_size', 0) : 0;
    if (
      block > 0 &&
      p.length === x.length &&
      p.every((d, k) => (k === axis ? d === Math.ceil(x[k] / block) : d === x[k]))
    ) {
      continue;
    }
    ctx.fail(
      `input ${i} has shape [${p}], which fits neither per-tensor nor per-axis (axis ${axis}) for [${x}]`,
    );
  }
}

const quantizeLinear: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  checkQuantParams(ctx, x);
  let fallback: DType = 'uint8';
  const outputType = ctx.opset >= 21 ? attrInt(ctx.node, 'output_dtype', 0) : 0;
  if (outputType !== 0) {
    const t = dtypeFromOnnx(outputType);
    if (!t) return ctx.fail(`output_dtype ${outputType} is not supported`);
    fallback = t;
  }
  return [{ dtype: zeroPointType(ctx, 2, fallback), dims: x }];
};

const dequantizeLinear: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  checkQuantParams(ctx, x);
  // From opset 19 the output has the scale's float type (float16 possible); before, float32.
  const s = ctx.dtype(1);
  const out = ctx.opset >= 23 ? attrInt(ctx.node, 'output_dtype', 0) : 0;
  // Opset 23: output_dtype chooses the output type (the CPU op refuses all but float32/float16).
  if (out === 1 || out === 10) return [{ dtype: out === 1 ? 'float32' : 'float16', dims: x }];
  const dtype: DType = ctx.opset >= 19 && (s === 'float16' || s === 'float64') ? s : 'float32';
  return [{ dtype, dims: x }];
};

const dynamicQuantizeLinear: ShapeFn = (ctx) => [
  { dtype: 'uint8', dims: ctx.shape(0) },
  { dtype: 'float32', dims: [] },
  { dtype: 'uint8', dims: [] },
];

const qLinearConv: ShapeFn = (ctx) => [
  { dtype: zeroPointType(ctx, 7, ctx.dtype(0)), dims: convDims(ctx, 0, 3) },
];

const qLinearMatMul: ShapeFn = (ctx) => [
  { dtype: zeroPointType(ctx, 7, ctx.dtype(0)), dims: matmulDims(ctx, 0, 3) },
];

const convInteger: ShapeFn = (ctx) => [{ dtype: 'int32', dims: convDims(ctx, 0, 1) }];

const matMulInteger: ShapeFn = (ctx) => [{ dtype: 'int32', dims: matmulDims(ctx, 0, 1) }];

/** A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp: broadcast of A and B. */
const qLinearBinary: ShapeFn = (ctx) => [{ dtype: ctx.dtype(0), dims: broadcastInputs(ctx, [0, 3]) }];

/** condition, X, x_scale, x_zp, Y, y_scale, y_zp, z_scale, z_zp: the three-way broadcast, Z's type. */
const qLinearWhere: ShapeFn = (ctx) => [{ dtype: ctx.dtype(8), dims: broadcastInputs(ctx, [0, 1, 4]) }];

/** X, X_scale, X_zp, Y_scale, Y_zp: same shape and dtype as X. */
const qLinearUnary: ShapeFn = (ctx) => [{ dtype: zeroPointType(ctx, 4, ctx.dtype(0)), dims: ctx.shape(0) }];

/** channels_last moves C to the end: [N, spatial..., C] <-> [N, C, spatial...]. */
function toChannelsFirst(x: readonly number[]): number[] {
  return [x[0], x[x.length - 1], ...x.slice(1, -1)];
}
function toChannelsLast(x: readonly number[]): number[] {
  return [x[0], ...x.slice(2), x[1]];
}

const qLinearAveragePool: ShapeFn = (ctx) => {
  const last = attrInt(ctx.node, 'channels_last', 0) !== 0;
  const x = ctx.shape(0);
  const dims = poolDims(ctx, last ? toChannelsFirst(x) : x);
  return [{ dtype: zeroPointType(ctx, 4, ctx.dtype(0)), dims: last ? toChannelsLast(dims) : dims }];
};

const qLinearGlobalAveragePool: ShapeFn = (ctx) => {
  const last = attrInt(ctx.node, 'channels_last', 0) !== 0;
  const x = ctx.shape(0);
  const dims = globalPoolDims(ctx, last ? toChannelsFirst(x) : x);
  return [{ dtype: zeroPointType(ctx, 4, ctx.dtype(0)), dims: last ? toChannelsLast(dims) : dims }];
};

const qLinearSoftmax: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  normalizeAxis(ctx, attrInt(ctx.node, 'axis', -1), Math.max(1, x.length));
  return qLinearUnary(ctx);
};

/** Y_scale, Y_zp, then (X, X_scale, X_zp) per input. */
const qLinearConcat: ShapeFn = (ctx) => {
  const n = ctx.node.inputs.length - 2;
  if (n < 3 || n % 3 !== 0)
    ctx.fail(`has ${ctx.node.inputs.length} inputs; expects Y_scale, Y_zp, then triples`);
  const tensors = Array.from({ length: n / 3 }, (_, k) => 2 + 3 * k);
  const dims = concatDims(ctx, tensors, attrInt(ctx.node, 'axis'));
  return [{ dtype: zeroPointType(ctx, 1, ctx.dtype(2)), dims }];
};

/** A, a_scale, a_zp, B, b_scale, b_zp, C?, y_scale?, y_zp?: float32 output without y_scale. */
const qGemm: ShapeFn = (ctx) => {
  const mn = gemmDims(ctx, 0, 3);
  checkGemmBias(ctx, 6, mn);
  const dtype: DType = ctx.has(7) ? zeroPointType(ctx, 8, ctx.dtype(0)) : 'float32';
  return [{ dtype, dims: mn }];
};

const ms = 'com.microsoft';

export const quantShapes: ShapeTable = {
  '::QuantizeLinear': quantizeLinear,
  '::DequantizeLinear': dequantizeLinear,
  '::DynamicQuantizeLinear': dynamicQuantizeLinear,
  '::QLinearConv': qLinearConv,
  '::QLinearMatMul': qLinearMatMul,
  '::ConvInteger': convInteger,
  '::MatMulInteger': matMulInteger,
  [`${ms}::QLinearAdd`]: qLinearBinary,
  [`${ms}::QLinearMul`]: qLinearBinary,
  [`${ms}::QLinearAveragePool`]: qLinearAveragePool,
  [`${ms}::QLinearGlobalAveragePool`]: qLinearGlobalAveragePool,
  [`${ms}::QLinearSoftmax`]: qLinearSoftmax,
  [`${ms}::QLinearConcat`]: qLinearConcat,
  [`${ms}::QLinearLeakyRelu`]: qLinearUnary,
  [`${ms}::QLinearSigmoid`]: qLinearUnary,
  [`${ms}::QGemm`]: qGemm,
  [`${ms}::QLinearWhere`]: qLinearWhere,
  // onnxruntime also registers these under com.microsoft.
  [`${ms}::QuantizeLinear`]: quantizeLinear,
  [`${ms}::DequantizeLinear`]: dequantizeLinear,
};

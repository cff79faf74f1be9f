// com.microsoft QLinear* ops (what onnxruntime's quantizer emits): thin adapters that read the
// attributes and the scale / zero-point inputs and call the references in kernels/qlinear-*,
// where the arithmetic (bit-exact with onnxruntime CPU) is written. Also the small input helpers
// the ONNX quantization adapters in quant.ts share.
import { parseAutoPad } from '../../../../kernels/conv2d/conv-geometry.js';
import { whereRef } from '../../../../kernels/broadcast-ops/broadcast-ops.ref.js';
import { qlinearConcat } from '../../../../kernels/qlinear-concat/qlinear-concat.ref.js';
import {
  applyLookupTable,
  buildLookupTable,
  leakyReluFn,
  qlinearAdd,
  qlinearMul,
  sigmoidFn,
} from '../../../../kernels/qlinear-elementwise/qlinear-elementwise.ref.js';
import {
  qlinearAveragePool,
  qlinearGlobalAveragePool,
} from '../../../../kernels/qlinear-pool/qlinear-pool.ref.js';
import { qlinearSoftmax } from '../../../../kernels/qlinear-softmax/qlinear-softmax.ref.js';
import { normalizeAxis } from '../../../../kernels/shape-ops/axes.js';
import { makeTensor, type Tensor } from '../../../../kernels/tensor.js';
import { attrFloat, attrInt, attrInts, attrString } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { OpContext, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';
import { int8Input, scalarOf } from './quant-inputs.js';

function binaryOp(ref: typeof qlinearAdd) {
  return (ctx: OpContext): Tensor[] => {
    const a = required(ctx, 0);
    const b = required(ctx, 3);
    if (a.dtype !== b.dtype)
      throw new ModelError(`${ctx.node.opType} inputs differ in type: ${a.dtype} and ${b.dtype}`);
    const r = ref({
      a: int8Input(a, 'A'),
      aDims: a.dims,
      aScale: scalarOf(required(ctx, 1), 'A_scale'),
      aZeroPoint: scalarOf(optional(ctx, 2), 'A_zero_point'),
      b: int8Input(b, 'B'),
      bDims: b.dims,
      bScale: scalarOf(required(ctx, 4), 'B_scale'),
      bZeroPoint: scalarOf(optional(ctx, 5), 'B_zero_point'),
      cScale: scalarOf(required(ctx, 6), 'C_scale'),
      cZeroPoint: scalarOf(optional(ctx, 7), 'C_zero_point'),
    });
    return [makeTensor(a.dtype, r.dims, r.data)];
  };
}

function lookupTableOp(f: (ctx: OpContext) => (x: number) => number) {
  return (ctx: OpContext): Tensor[] => {
    const x = required(ctx, 0);
    const data = int8Input(x, 'X');
    const table = buildLookupTable(
      f(ctx),
      x.dtype as 'int8' | 'uint8',
      scalarOf(required(ctx, 1), 'X_scale'),
      scalarOf(optional(ctx, 2), 'X_zero_point'),
      scalarOf(required(ctx, 3), 'Y_scale'),
      scalarOf(optional(ctx, 4), 'Y_zero_point'),
    );
    return [makeTensor(x.dtype, x.dims, applyLookupTable(data, table))];
  };
}

/** The (X, x_scale, x_zero_point, y_scale, y_zero_point) inputs the pools and Softmax share. */
function unaryQuantInputs(ctx: OpContext) {
  const x = required(ctx, 0);
  return {
    x,
    data: int8Input(x, 'X'),
    xScale: scalarOf(required(ctx, 1), 'x_scale'),
    xZeroPoint: scalarOf(optional(ctx, 2), 'x_zero_point'),
    yScale: scalarOf(required(ctx, 3), 'y_scale'),
    yZeroPoint: scalarOf(optional(ctx, 4), 'y_zero_point'),
  };
}

function qlinearAveragePoolOp(ctx: OpContext): Tensor[] {
  const q = unaryQuantInputs(ctx);
  const nonEmpty = (v: readonly number[] | undefined) => (v && v.length > 0 ? v : undefined);
  const r = qlinearAveragePool({
    x: q.data,
    xDims: q.x.dims,
    channelsLast: attrInt(ctx.node, 'channels_last') !== 0,
    xScale: q.xScale,
    xZeroPoint: q.xZeroPoint,
    yScale: q.yScale,
    yZeroPoint: q.yZeroPoint,
    kernelShape: attrInts(ctx.node, 'kernel_shape') ?? [],
    strides: nonEmpty(attrInts(ctx.node, 'strides')),
    pads: nonEmpty(attrInts(ctx.node, 'pads')),
    autoPad: parseAutoPad(attrString(ctx.node, 'auto_pad')),
    ceilMode: attrInt(ctx.node, 'ceil_mode') !== 0,
    countIncludePad: attrInt(ctx.node, 'count_include_pad') !== 0,
  });
  return [makeTensor(q.x.dtype, r.dims, r.data)];
}

function qlinearGlobalAveragePoolOp(ctx: OpContext): Tensor[] {
  const q = unaryQuantInputs(ctx);
  const r = qlinearGlobalAveragePool({
    x: q.data,
    xDims: q.x.dims,
    channelsLast: attrInt(ctx.node, 'channels_last') !== 0,
    xScale: q.xScale,
    xZeroPoint: q.xZeroPoint,
    yScale: q.yScale,
    yZeroPoint: q.yZeroPoint,
  });
  return [makeTensor(q.x.dtype, r.dims, r.data)];
}

function qlinearSoftmaxOp(ctx: OpContext): Tensor[] {
  const q = unaryQuantInputs(ctx);
  const opset = attrInt(ctx.node, 'opset');
  // Without an axis attribute the schema default -1 applies for every opset: onnxruntime's kernel
  // would pick 1 for opset < 13, but the node it sees already carries the schema default (observed).
  const axis = attrInt(ctx.node, 'axis');
  const data = qlinearSoftmax({
    x: q.data,
    dims: q.x.dims,
    axis: normalizeAxis(axis, q.x.dims.length, 'QLinearSoftmax axis'),
    opset,
    xScale: q.xScale,
    yScale: q.yScale,
    yZeroPoint: q.yZeroPoint,
  });
  return [makeTensor(q.x.dtype, q.x.dims, data)];
}

function qlinearConcatOp(ctx: OpContext): Tensor[] {
  const yZp = required(ctx, 1);
  const tuples = ctx.inputs.length - 2;
  if (tuples < 3 || tuples % 3 !== 0)
    throw new ModelError('QLinearConcat inputs must be (tensor, scale, zero_point) tuples');
  const inputs = [];
  for (let i = 2; i < ctx.inputs.length; i += 3) {
    const x = required(ctx, i);
    const zp = optional(ctx, i + 2);
    if (x.dtype !== yZp.dtype || (zp && zp.dtype !== yZp.dtype))
      throw new ModelError(`QLinearConcat input ${(i - 2) / 3} is ${x.dtype}, output is ${yZp.dtype}`);
    inputs.push({
      data: int8Input(x, 'QLinearConcat input'),
      dims: x.dims,
      scale: scalarOf(required(ctx, i + 1), 'x_scale'),
      zeroPoint: scalarOf(zp, 'x_zero_point'),
    });
  }
  const rank = inputs[0].dims.length;
  const r = qlinearConcat({
    inputs,
    axis: normalizeAxis(attrInt(ctx.node, 'axis'), rank, 'QLinearConcat axis'),
    yScale: scalarOf(required(ctx, 0), 'Y_scale'),
    yZeroPoint: scalarOf(yZp, 'Y_zero_point'),
  });
  return [makeTensor(yZp.dtype, r.dims, r.data)];
}

/**
 * QLinearWhere: X and Y each requantized to Z's scale and zero point through a 256-entry table
 * (onnxruntime's QlinearBuildLookupTable with the identity; a plain copy when the parameters are
 * equal, which the table reproduces), then Where's three-way broadcast.
 */
function qlinearWhereOp(ctx: OpContext): Tensor[] {
  const z = required(ctx, 8);
  const requantized = (i: number, what: string): Tensor => {
    const t = required(ctx, i);
    if (t.dtype !== z.dtype) throw new ModelError(`QLinearWhere ${what} is ${t.dtype}, Z is ${z.dtype}`);
    const table = buildLookupTable(
      (v) => v,
      t.dtype as 'int8' | 'uint8',
      scalarOf(required(ctx, i + 1), `${what}_scale`),
      scalarOf(required(ctx, i + 2), `${what}_zero_point`),
      scalarOf(required(ctx, 7), 'z_scale'),
      scalarOf(z, 'z_zero_point'),
    );
    return makeTensor(t.dtype, t.dims, applyLookupTable(int8Input(t, what), table));
  };
  return [whereRef(required(ctx, 0), requantized(1, 'x'), requantized(4, 'y'))];
}

export const quantMsOps: OpTable = {
  [opKey('com.microsoft', 'QLinearWhere')]: qlinearWhereOp,
  [opKey('com.microsoft', 'QLinearAdd')]: binaryOp(qlinearAdd),
  [opKey('com.microsoft', 'QLinearMul')]: binaryOp(qlinearMul),
  [opKey('com.microsoft', 'QLinearSigmoid')]: lookupTableOp(() => sigmoidFn),
  [opKey('com.microsoft', 'QLinearLeakyRelu')]: lookupTableOp((ctx) =>
    leakyReluFn(attrFloat(ctx.node, 'alpha')),
  ),
  [opKey('com.microsoft', 'QLinearAveragePool')]: qlinearAveragePoolOp,
  [opKey('com.microsoft', 'QLinearGlobalAveragePool')]: qlinearGlobalAveragePoolOp,
  [opKey('com.microsoft', 'QLinearSoftmax')]: qlinearSoftmaxOp,
  [opKey('com.microsoft', 'QLinearConcat')]: qlinearConcatOp,
};

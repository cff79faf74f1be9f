// Shape functions of the ops that make or retype values: Constant, Shape, Size (they give their value,
// which feeds Reshape/Slice chains), ConstantOfShape and Cast.
import { int64Tensor, makeTensor, type Tensor, toNumbers } from '../../../kernels/tensor.js';
import { attrInt } from '../attributes.js';
import { dtypeFromOnnx } from '../tensor-proto.js';
import type { ShapeFn, ShapeTable } from './types.js';

const constant: ShapeFn = (ctx) => {
  const attrs = ctx.node.attributes;
  const given = Object.keys(attrs);
  if (given.length !== 1) ctx.fail(`needs exactly one value attribute, has [${given.join(', ')}]`);
  const a = attrs[given[0]];
  let value: Tensor;
  if (given[0] === 'value' && a.kind === 'tensor') value = a.value;
  else if (given[0] === 'value_float' && (a.kind === 'float' || a.kind === 'int'))
    value = makeTensor('float32', [], [a.value]);
  else if (given[0] === 'value_floats' && a.kind === 'floats')
    value = makeTensor('float32', [a.value.length], a.value);
  else if (given[0] === 'value_int' && a.kind === 'int') value = int64Tensor([], [a.value]);
  else if (given[0] === 'value_ints' && a.kind === 'ints') value = int64Tensor([a.value.length], a.value);
  else return ctx.fail(`value attribute '${given[0]}' (${a.kind}) is not supported`);
  return [{ dtype: value.dtype, dims: value.dims, value }];
};

const shape: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const rank = x.length;
  // Opset 15 added start/end (negative counts from the back, both clamped to [0, rank]).
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = ctx.opset >= 15 ? clamp(attrInt(ctx.node, 'start', 0)) : 0;
  const end =
    ctx.opset >= 15 && ctx.node.attributes.end !== undefined ? clamp(attrInt(ctx.node, 'end')) : rank;
  const dims = x.slice(start, Math.max(start, end));
  return [{ dtype: 'int64', dims: [dims.length], value: int64Tensor([dims.length], dims) }];
};

/** Size: an int64 scalar known from the input's shape (it feeds shape arithmetic like Shape). */
const size: ShapeFn = (ctx) => {
  const n = ctx.shape(0).reduce((a, b) => a * b, 1);
  return [{ dtype: 'int64', dims: [], value: int64Tensor([], [n]) }];
};

const constantOfShape: ShapeFn = (ctx) => {
  const shapeValue = ctx.constValue(0, 'shape');
  if (shapeValue.dims.length !== 1) ctx.fail(`shape input must be 1-D, got [${shapeValue.dims}]`);
  const dims = toNumbers(shapeValue);
  if (dims.some((d) => d < 0 || !Number.isInteger(d))) ctx.fail(`shape [${dims}] has a negative dim`);
  const fill = ctx.node.attributes.value;
  if (fill !== undefined && (fill.kind !== 'tensor' || fill.value.data.length !== 1)) {
    ctx.fail(`attribute 'value' must be a one-element tensor`);
  }
  return [{ dtype: fill?.kind === 'tensor' ? fill.value.dtype : 'float32', dims }];
};

const cast: ShapeFn = (ctx) => {
  const to = attrInt(ctx.node, 'to');
  const dtype = dtypeFromOnnx(to);
  if (!dtype) return ctx.fail(`cast to ONNX type ${to} is not supported`);
  return [{ dtype, dims: ctx.shape(0) }];
};

/** CastLike: the first input's dims in the second input's element type. */
const castLike: ShapeFn = (ctx) => [{ dtype: ctx.dtype(1), dims: ctx.shape(0) }];

export const constantShapes: ShapeTable = {
  '::Constant': constant,
  '::Shape': shape,
  '::Size': size,
  '::ConstantOfShape': constantOfShape,
  '::Cast': cast,
  '::CastLike': castLike,
  '::BitCast': cast,
};

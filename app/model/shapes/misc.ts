// Shape functions of the data-movement, mask, scan, ordering and loss ops (schema/misc.ts).
// Range's length and OneHot's depth / TopK's k depend on input values: they need those inputs to
// be constant here (the CPU interpreter runs without shape inference, so it takes them at run time).
import { rangeRef } from '../../../kernels/misc/movement.ref.js';
import { toNumbers } from '../../../kernels/tensor.js';
import { attrInt } from '../attributes.js';
import { poolDims } from './nn.js';
import { dtypeFromOnnx } from '../tensor-proto.js';
import type { OutputShape, ShapeFn, ShapeTable } from './types.js';
import { normalizeAxis } from './types.js';

const same: ShapeFn = (ctx) => [{ dtype: ctx.dtype(0), dims: ctx.shape(0) }];

const depthToSpace: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const b = attrInt(ctx.node, 'blocksize');
  if (x.length !== 4) ctx.fail(`input has rank ${x.length}; expected [N, C, H, W]`);
  if (x[1] % (b * b) !== 0) ctx.fail(`${x[1]} channels do not divide by blocksize^2 = ${b * b}`);
  return [{ dtype: ctx.dtype(0), dims: [x[0], x[1] / (b * b), x[2] * b, x[3] * b] }];
};

const spaceToDepth: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const b = attrInt(ctx.node, 'blocksize');
  if (x.length !== 4) ctx.fail(`input has rank ${x.length}; expected [N, C, H, W]`);
  if (x[2] % b !== 0 || x[3] % b !== 0) ctx.fail(`[${x[2]}, ${x[3]}] does not divide by blocksize ${b}`);
  return [{ dtype: ctx.dtype(0), dims: [x[0], x[1] * b * b, x[2] / b, x[3] / b] }];
};

const eyeLike: ShapeFn = (ctx) => {
  const code = attrInt(ctx.node, 'dtype', -1);
  const dtype = code === -1 ? ctx.dtype(0) : dtypeFromOnnx(code);
  if (!dtype) return ctx.fail(`dtype ${code} is not supported`);
  return [{ dtype, dims: ctx.shape(0) }];
};

const oneHot: ShapeFn = (ctx) => {
  const idx = ctx.shape(0);
  const depth = Math.trunc(toNumbers(ctx.constValue(1, 'depth'))[0]);
  const a = normalizeAxis(ctx, attrInt(ctx.node, 'axis', -1), idx.length + 1);
  return [{ dtype: ctx.dtype(2), dims: [...idx.slice(0, a), depth, ...idx.slice(a)] }];
};

const range: ShapeFn = (ctx) => {
  const value = rangeRef(ctx.constValue(0, 'start'), ctx.constValue(1, 'limit'), ctx.constValue(2, 'delta'));
  return [{ dtype: ctx.dtype(0), dims: value.dims, value }];
};

const topK: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const k = ctx.opset >= 10 ? toNumbers(ctx.constValue(1, 'K'))[0] : attrInt(ctx.node, 'k');
  const a = normalizeAxis(ctx, attrInt(ctx.node, 'axis', -1), x.length);
  if (!(k >= 0 && k <= x[a])) ctx.fail(`k = ${k} is out of range for axis of size ${x[a]}`);
  const dims = x.map((d, i) => (i === a ? k : d));
  return [
    { dtype: ctx.dtype(0), dims },
    { dtype: 'int64', dims },
  ];
};

const boolSame: ShapeFn = (ctx) => [{ dtype: 'bool', dims: ctx.shape(0) }];

const globalMaxPool: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  if (x.length < 3) ctx.fail(`input has rank ${x.length}; expected [N, C, spatial...]`);
  return [{ dtype: ctx.dtype(0), dims: x.map((d, i) => (i < 2 ? d : 1)) }];
};

const loss: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  if (x.length < 2) ctx.fail(`input has rank ${x.length}; expected [N, C, ...]`);
  const reduction = ctx.node.attributes.reduction;
  const none = reduction?.kind === 'string' && reduction.value === 'none';
  const outs: OutputShape[] = [{ dtype: ctx.dtype(0), dims: none ? [x[0], ...x.slice(2)] : [] }];
  if (ctx.node.outputs.length > 1) outs.push({ dtype: ctx.dtype(0), dims: x });
  return outs;
};

export const miscShapes: ShapeTable = {
  // poolDims reads ceil_mode and dilations, which LpPool has from opset 18 (absent before).
  '::LpPool': (ctx) => [{ dtype: ctx.dtype(0), dims: poolDims(ctx, ctx.shape(0)) }],
  '::DepthToSpace': depthToSpace,
  '::SpaceToDepth': spaceToDepth,
  '::Trilu': same,
  '::EyeLike': eyeLike,
  '::OneHot': oneHot,
  '::Range': range,
  '::CumSum': same,
  '::CumProd': same,
  '::TopK': topK,
  '::Hardmax': same,
  '::IsInf': boolSame,
  '::IsNaN': boolSame,
  '::GlobalMaxPool': globalMaxPool,
  '::NegativeLogLikelihoodLoss': loss,
  '::SoftmaxCrossEntropyLoss': loss,
};

// Shape functions of Compress, NonZero, Unique, NonMaxSuppression (their output sizes come from
// their inputs' values, which must then be constants: a value computed at run time is refused,
// as Reshape's shape), ReverseSequence and CenterCropPad.
import { nonMaxSuppressionRef } from '../../../kernels/select/nms.ref.js';
import { centerCropPadDims, compressRef, nonZeroRef, uniqueRef } from '../../../kernels/select/select.ref.js';
import { toNumbers } from '../../../kernels/tensor.js';
import { attrInt, attrInts, hasAttr } from '../attributes.js';
import type { ShapeFn, ShapeTable } from './types.js';

const compress: ShapeFn = (ctx) => {
  const cond = ctx.constValue(1, 'condition');
  const axis = hasAttr(ctx.node, 'axis') ? attrInt(ctx.node, 'axis') : undefined;
  const x = ctx.value(0);
  if (x) {
    const y = compressRef(x, cond, axis);
    return [{ dtype: y.dtype, dims: y.dims, value: y }];
  }
  const dims = ctx.shape(0);
  const kept = Array.from(cond.data as ArrayLike<number>).filter((v) => v).length;
  if (axis === undefined) return [{ dtype: ctx.dtype(0), dims: [kept] }];
  const ax = axis < 0 ? axis + dims.length : axis;
  if (ax < 0 || ax >= dims.length) ctx.fail(`axis ${axis} is out of range for rank ${dims.length}`);
  return [{ dtype: ctx.dtype(0), dims: dims.map((d, i) => (i === ax ? kept : d)) }];
};

const nonZero: ShapeFn = (ctx) => {
  const y = nonZeroRef(ctx.constValue(0, 'X'));
  return [{ dtype: 'int64', dims: y.dims, value: y }];
};

const unique: ShapeFn = (ctx) => {
  const axis = hasAttr(ctx.node, 'axis') ? attrInt(ctx.node, 'axis') : undefined;
  const r = uniqueRef(ctx.constValue(0, 'X'), axis, attrInt(ctx.node, 'sorted', 1) !== 0);
  return [r.y, r.indices, r.inverse, r.counts].map((t) => ({ dtype: t.dtype, dims: t.dims, value: t }));
};

const nms: ShapeFn = (ctx) => {
  const num = (i: number) => (ctx.has(i) ? Number(ctx.constValue(i, 'threshold').data[0] ?? 0) : undefined);
  const y = nonMaxSuppressionRef(ctx.constValue(0, 'boxes'), ctx.constValue(1, 'scores'), {
    centerPointBox: attrInt(ctx.node, 'center_point_box', 0),
    maxOutputBoxesPerClass: num(2) ?? 0,
    iouThreshold: num(3) ?? 0,
    scoreThreshold: num(4),
  });
  return [{ dtype: 'int64', dims: y.dims, value: y }];
};

const reverseSequence: ShapeFn = (ctx) => [{ dtype: ctx.dtype(0), dims: [...ctx.shape(0)] }];

const centerCropPad: ShapeFn = (ctx) => {
  const shape = toNumbers(ctx.constValue(1, 'shape'));
  return [{ dtype: ctx.dtype(0), dims: centerCropPadDims(ctx.shape(0), shape, attrInts(ctx.node, 'axes')) }];
};

export const selectShapes: ShapeTable = {
  '::Compress': compress,
  '::NonZero': nonZero,
  '::Unique': unique,
  '::NonMaxSuppression': nms,
  '::ReverseSequence': reverseSequence,
  '::CenterCropPad': centerCropPad,
};

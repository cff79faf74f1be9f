// Shape functions of Col2Im and AffineGrid: their output sizes come from constant int64 inputs
// (image_shape / block_shape, size).
import { affineGridDims } from '../../../kernels/spatial/affine-grid.ref.js';
import { col2imDims } from '../../../kernels/spatial/col2im.ref.js';
import { toNumbers } from '../../../kernels/tensor.js';
import type { ShapeFn, ShapeTable } from './types.js';
import { optionalInts } from './types.js';

const col2im: ShapeFn = (ctx) => {
  const dims = col2imDims(ctx.shape(0), {
    imageShape: toNumbers(ctx.constValue(1, 'image_shape')),
    blockShape: toNumbers(ctx.constValue(2, 'block_shape')),
    dilations: optionalInts(ctx.node, 'dilations'),
    pads: optionalInts(ctx.node, 'pads'),
    strides: optionalInts(ctx.node, 'strides'),
  });
  return [{ dtype: ctx.dtype(0), dims }];
};

const affineGrid: ShapeFn = (ctx) => [
  { dtype: ctx.dtype(0), dims: affineGridDims(ctx.shape(0), toNumbers(ctx.constValue(1, 'size'))) },
];

export const spatialShapes: ShapeTable = { '::Col2Im': col2im, '::AffineGrid': affineGrid };

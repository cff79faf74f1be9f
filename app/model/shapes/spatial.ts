// Shape functions of Col2Im and AffineGrid (their output sizes come from constant int64 inputs:
// image_shape / block_shape, size), RoiAlign and MaxUnpool (output_shape, when given, constant).
import { affineGridDims } from '../../../kernels/spatial/affine-grid.ref.js';
import { col2imDims } from '../../../kernels/spatial/col2im.ref.js';
import { maxUnpoolDims, maxUnpoolInferredDims } from '../../../kernels/spatial/max-unpool.ref.js';
import { toNumbers } from '../../../kernels/tensor.js';
import { attrInt } from '../attributes.js';
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

const roiAlign: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  if (x.length !== 4) ctx.fail(`input must be 4-D, got [${x}]`);
  const rois = ctx.shape(1);
  const dims = [rois[0], x[1], attrInt(ctx.node, 'output_height', 1), attrInt(ctx.node, 'output_width', 1)];
  return [{ dtype: ctx.dtype(0), dims }];
};

const maxUnpool: ShapeFn = (ctx) => {
  const kernel = optionalInts(ctx.node, 'kernel_shape');
  if (!kernel) return ctx.fail(`needs attribute 'kernel_shape'`);
  const shape = ctx.has(2) ? toNumbers(ctx.constValue(2, 'output_shape')) : undefined;
  const inferred = maxUnpoolInferredDims(
    ctx.shape(0),
    kernel,
    optionalInts(ctx.node, 'pads'),
    optionalInts(ctx.node, 'strides'),
  );
  const dims = maxUnpoolDims(inferred, shape);
  return [{ dtype: ctx.dtype(0), dims }];
};

/** DeformConv: [N, oC] then the offset's spatial dims (the reference checks they fit). */
const deformConv: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  if (x.length !== 4) ctx.fail(`a ${x.length}-D input is not supported (2-D only)`);
  const offset = ctx.shape(2);
  return [{ dtype: ctx.dtype(0), dims: [x[0], ctx.shape(1)[0], ...offset.slice(2)] }];
};

export const spatialShapes: ShapeTable = {
  '::DeformConv': deformConv,
  '::Col2Im': col2im,
  '::AffineGrid': affineGrid,
  '::RoiAlign': roiAlign,
  '::MaxUnpool': maxUnpool,
};

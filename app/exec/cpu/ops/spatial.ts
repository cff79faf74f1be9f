// Col2Im and AffineGrid on the CPU: adapters over kernels/spatial/*.ref.ts.
import { affineGridRef } from '../../../../kernels/spatial/affine-grid.ref.js';
import { col2imRef } from '../../../../kernels/spatial/col2im.ref.js';
import { toNumbers } from '../../../../kernels/tensor.js';
import { attrInt, attrInts } from '../../../model/attributes.js';
import type { OpTable } from '../op-types.js';
import { opKey, required } from '../op-types.js';

export const spatialOps: OpTable = {
  [opKey('', 'Col2Im')]: (ctx) => [
    col2imRef(required(ctx, 0), {
      imageShape: toNumbers(required(ctx, 1)),
      blockShape: toNumbers(required(ctx, 2)),
      dilations: attrInts(ctx.node, 'dilations'),
      pads: attrInts(ctx.node, 'pads'),
      strides: attrInts(ctx.node, 'strides'),
    }),
  ],
  [opKey('', 'AffineGrid')]: (ctx) => [
    affineGridRef(required(ctx, 0), toNumbers(required(ctx, 1)), attrInt(ctx.node, 'align_corners', 0) !== 0),
  ],
};

// Shape functions of the normalizations: Y keeps X's shape; LayerNormalization's Mean and
// InvStdDev keep the leading axes and 1s from `axis` on (float32, the stash type).
import { attrInt } from '../attributes.js';
import type { ShapeFn, ShapeTable } from './types.js';
import { normalizeAxis } from './types.js';

const same: ShapeFn = (ctx) => [{ dtype: ctx.dtype(0), dims: ctx.shape(0) }];

const layerNorm: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const axis = normalizeAxis(ctx, attrInt(ctx.node, 'axis', -1), x.length);
  const stats = [...x.slice(0, axis), ...new Array(x.length - axis).fill(1)];
  return [
    { dtype: ctx.dtype(0), dims: x },
    { dtype: 'float32', dims: stats },
    { dtype: 'float32', dims: stats },
  ];
};

export const normalizationShapes: ShapeTable = {
  '::LayerNormalization': layerNorm,
  '::RMSNormalization': same,
  '::GroupNormalization': same,
  '::InstanceNormalization': same,
  '::MeanVarianceNormalization': same,
  '::LpNormalization': same,
  '::LRN': same,
};

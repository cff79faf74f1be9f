// Shape functions of the loss ops: 'none' keeps the target's shape, 'sum' / 'mean' give a scalar;
// SoftmaxCrossEntropyLoss's log_prob has the scores' shape.
import { attrString } from '../attributes.js';
import type { ShapeFn, ShapeTable } from './types.js';

const loss: ShapeFn = (ctx) => {
  const dims = attrString(ctx.node, 'reduction', 'mean') === 'none' ? ctx.shape(1) : [];
  return [
    { dtype: ctx.dtype(0), dims },
    { dtype: ctx.dtype(0), dims: ctx.shape(0) },
  ];
};

export const lossShapes: ShapeTable = {
  '::NegativeLogLikelihoodLoss': loss,
  '::SoftmaxCrossEntropyLoss': loss,
};

// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss on the CPU (kernels/loss/loss.ref.ts).
import { type LossReduction, nllLossRef, softmaxCrossEntropyRef } from '../../../../kernels/loss/loss.ref.js';
import { attrInt, attrString, hasAttr } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { GraphNode } from '../../../model/ir.js';
import type { OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';

function lossAttrs(node: GraphNode): { reduction: LossReduction; ignoreIndex: number | undefined } {
  const reduction = attrString(node, 'reduction');
  if (reduction !== 'none' && reduction !== 'sum' && reduction !== 'mean')
    throw new ModelError(
      `node '${node.name}' (${node.opType}): reduction must be none, sum or mean, got '${reduction}'`,
    );
  return {
    reduction,
    ignoreIndex: hasAttr(node, 'ignore_index') ? attrInt(node, 'ignore_index') : undefined,
  };
}

export const lossOps: OpTable = {
  [opKey('', 'NegativeLogLikelihoodLoss')]: (ctx) => {
    const { reduction, ignoreIndex } = lossAttrs(ctx.node);
    return [nllLossRef(required(ctx, 0), required(ctx, 1), optional(ctx, 2), reduction, ignoreIndex)];
  },
  [opKey('', 'SoftmaxCrossEntropyLoss')]: (ctx) => {
    const { reduction, ignoreIndex } = lossAttrs(ctx.node);
    const r = softmaxCrossEntropyRef(
      required(ctx, 0),
      required(ctx, 1),
      optional(ctx, 2),
      reduction,
      ignoreIndex,
    );
    return [r.loss, r.logProb];
  },
};

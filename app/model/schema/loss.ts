// Schemas of the loss ops (kernels/loss/loss.ref.ts).
import type { OpSchema } from '../op-schema.js';

const attributes: OpSchema['attributes'] = {
  reduction: { type: 'string', default: 'mean' },
  ignore_index: { type: 'int' },
};

export const lossSchemas: readonly OpSchema[] = [
  {
    opType: 'NegativeLogLikelihoodLoss',
    domain: '',
    category: 'reduce',
    inputs: ['input', 'target', 'weight?'],
    outputs: ['loss'],
    attributes,
    sinceVersion: 12,
  },
  {
    opType: 'SoftmaxCrossEntropyLoss',
    domain: '',
    category: 'reduce',
    inputs: ['scores', 'labels', 'weights?'],
    outputs: ['output', 'log_prob?'],
    attributes,
    sinceVersion: 12,
  },
];

// Schemas of the normalizations (kernels/normalization/normalization.ref.ts).
import type { OpSchema } from '../op-schema.js';

const norm = (
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: OpSchema['attributes'],
  sinceVersion: number,
): OpSchema => ({
  opType,
  domain: '',
  category: 'normalization',
  inputs,
  outputs,
  attributes,
  sinceVersion,
});

const eps = { type: 'float', default: 1e-5 } as const;
const stash = { type: 'int', default: 1 } as const;

export const normalizationSchemas: readonly OpSchema[] = [
  norm(
    'LayerNormalization',
    ['X', 'Scale', 'B?'],
    ['Y', 'Mean?', 'InvStdDev?'],
    { axis: { type: 'int', default: -1 }, epsilon: eps, stash_type: stash },
    17,
  ),
  norm(
    'RMSNormalization',
    ['X', 'scale'],
    ['Y'],
    { axis: { type: 'int', default: -1 }, epsilon: eps, stash_type: stash },
    23,
  ),
  norm(
    'GroupNormalization',
    ['X', 'scale', 'bias'],
    ['Y'],
    { epsilon: eps, num_groups: { type: 'int', required: true }, stash_type: stash },
    18,
  ),
  norm('InstanceNormalization', ['input', 'scale', 'B'], ['output'], { epsilon: eps }, 6),
  norm('MeanVarianceNormalization', ['X'], ['Y'], { axes: { type: 'ints' } }, 9),
  norm(
    'LpNormalization',
    ['input'],
    ['output'],
    { axis: { type: 'int', default: -1 }, p: { type: 'int', default: 2 } },
    1,
  ),
  norm(
    'LRN',
    ['X'],
    ['Y'],
    {
      alpha: { type: 'float', default: 1e-4 },
      beta: { type: 'float', default: 0.75 },
      bias: { type: 'float', default: 1 },
      size: { type: 'int', required: true },
    },
    1,
  ),
];

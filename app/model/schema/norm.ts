// Schema entries of the normalizations other than BatchNormalization (which lives with nn):
// LayerNormalization (17), RMSNormalization (23), GroupNormalization (18: scale/bias per group;
// 21: per channel, plus stash_type), InstanceNormalization, MeanVarianceNormalization,
// LpNormalization and LRN. Defaults are the ONNX ones.
import type { AttrSchema, OpSchema } from '../op-schema.js';

const epsilon: AttrSchema = { type: 'float', default: 1e-5 };
// stash_type 1 (float32) is the computation type; others are refused by the CPU ops.
const stashType: AttrSchema = { type: 'int', default: 1 };

function norm(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Readonly<Record<string, AttrSchema>>,
  sinceVersion?: number,
): OpSchema {
  return { opType, domain: '', category: 'normalization', inputs, outputs, attributes, sinceVersion };
}

export const normSchemas: readonly OpSchema[] = [
  norm(
    'LayerNormalization',
    ['X', 'Scale', 'B?'],
    ['Y', 'Mean?', 'InvStdDev?'],
    { axis: { type: 'int', default: -1 }, epsilon, stash_type: stashType },
    17,
  ),
  norm(
    'RMSNormalization',
    ['X', 'scale'],
    ['Y'],
    { axis: { type: 'int', default: -1 }, epsilon, stash_type: stashType },
    23,
  ),
  norm(
    'GroupNormalization',
    ['X', 'scale', 'bias'],
    ['Y'],
    { num_groups: { type: 'int', required: true }, epsilon, stash_type: stashType },
    18,
  ),
  norm('InstanceNormalization', ['input', 'scale', 'B'], ['output'], { epsilon }),
  norm('MeanVarianceNormalization', ['X'], ['Y'], { axes: { type: 'ints', default: [0, 2, 3] } }, 9),
  norm('LpNormalization', ['input'], ['output'], {
    axis: { type: 'int', default: -1 },
    p: { type: 'int', default: 2 },
  }),
  norm('LRN', ['X'], ['Y'], {
    size: { type: 'int', required: true },
    alpha: { type: 'float', default: 1e-4 },
    beta: { type: 'float', default: 0.75 },
    bias: { type: 'float', default: 1 },
  }),
];

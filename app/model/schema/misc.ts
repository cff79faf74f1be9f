// Schemas of the data-movement, mask, scan, ordering and loss ops (app/exec/cpu/ops/misc.ts).
// Attributes whose default depends on the opset (Hardmax axis) have none here.
import type { OpSchema } from '../op-schema.js';

const op = (
  opType: string,
  category: OpSchema['category'],
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: OpSchema['attributes'],
  sinceVersion: number,
): OpSchema => ({ opType, domain: '', category, inputs, outputs, attributes, sinceVersion });

const lossAttrs: OpSchema['attributes'] = {
  reduction: { type: 'string', default: 'mean' },
  ignore_index: { type: 'int' },
};

export const miscSchemas: readonly OpSchema[] = [
  // LpPool-1 took a float p; from opset 2 an int. dilations and ceil_mode from opset 18.
  op(
    'LpPool',
    'pool',
    ['X'],
    ['Y'],
    {
      auto_pad: { type: 'string', default: 'NOTSET' },
      kernel_shape: { type: 'ints', required: true },
      p: { type: 'int', default: 2 },
      pads: { type: 'ints' },
      strides: { type: 'ints' },
      dilations: { type: 'ints' },
      ceil_mode: { type: 'int', default: 0 },
    },
    2,
  ),
  // `mode` (DCR / CRD) from opset 11.
  op(
    'DepthToSpace',
    'shape',
    ['input'],
    ['output'],
    { blocksize: { type: 'int', required: true }, mode: { type: 'string', default: 'DCR' } },
    1,
  ),
  // `mode` from opset 28.
  op(
    'SpaceToDepth',
    'shape',
    ['input'],
    ['output'],
    { blocksize: { type: 'int', required: true }, mode: { type: 'string', default: 'DCR' } },
    1,
  ),
  // Trilu zero-fills, which is not the zero point of a quantized tensor: elementwise, not 'shape'.
  op('Trilu', 'elementwise', ['input', 'k?'], ['output'], { upper: { type: 'int', default: 1 } }, 14),
  op(
    'EyeLike',
    'constant',
    ['input'],
    ['output'],
    { dtype: { type: 'int' }, k: { type: 'int', default: 0 } },
    9,
  ),
  op(
    'OneHot',
    'elementwise',
    ['indices', 'depth', 'values'],
    ['output'],
    { axis: { type: 'int', default: -1 } },
    9,
  ),
  // stash_type (opset 27): the float16 accumulation type; only 1 (float) is implemented.
  op(
    'Range',
    'constant',
    ['start', 'limit', 'delta'],
    ['output'],
    { stash_type: { type: 'int', default: 1 } },
    11,
  ),
  op(
    'CumSum',
    'reduce',
    ['x', 'axis'],
    ['y'],
    { exclusive: { type: 'int', default: 0 }, reverse: { type: 'int', default: 0 } },
    11,
  ),
  op(
    'CumProd',
    'reduce',
    ['x', 'axis'],
    ['y'],
    { exclusive: { type: 'int', default: 0 }, reverse: { type: 'int', default: 0 } },
    26,
  ),
  // K: an attribute before opset 10, an input after; largest / sorted from 11.
  op(
    'TopK',
    'reduce',
    ['X', 'K?'],
    ['Values', 'Indices'],
    {
      axis: { type: 'int', default: -1 },
      k: { type: 'int' },
      largest: { type: 'int', default: 1 },
      sorted: { type: 'int', default: 1 },
    },
    1,
  ),
  // axis: default 1 with 2-D coercion before opset 13, -1 along one axis from 13.
  op('Hardmax', 'activation', ['input'], ['output'], { axis: { type: 'int' } }, 1),
  op(
    'IsInf',
    'elementwise',
    ['X'],
    ['Y'],
    { detect_negative: { type: 'int', default: 1 }, detect_positive: { type: 'int', default: 1 } },
    10,
  ),
  op('IsNaN', 'elementwise', ['X'], ['Y'], {}, 9),
  op('GlobalMaxPool', 'pool', ['X'], ['Y'], {}, 1),
  op('NegativeLogLikelihoodLoss', 'normalization', ['input', 'target', 'weight?'], ['loss'], lossAttrs, 12),
  op(
    'SoftmaxCrossEntropyLoss',
    'normalization',
    ['scores', 'labels', 'weights?'],
    ['output', 'log_prob?'],
    lossAttrs,
    12,
  ),
];

// Schemas of Range, Trilu, CumSum / CumProd, OneHot, EyeLike, Hardmax, IsInf / IsNaN and TopK.
import type { OpSchema } from '../op-schema.js';

const op = (
  opType: string,
  category: OpSchema['category'],
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: OpSchema['attributes'],
  sinceVersion: number,
): OpSchema => ({ opType, domain: '', category, inputs, outputs, attributes, sinceVersion });

const windowAttrs: OpSchema['attributes'] = {
  output_datatype: { type: 'int', default: 1 },
  periodic: { type: 'int', default: 1 },
};

export const indexSchemas: readonly OpSchema[] = [
  op('HannWindow', 'shape', ['size'], ['output'], windowAttrs, 17),
  op('HammingWindow', 'shape', ['size'], ['output'], windowAttrs, 17),
  op('BlackmanWindow', 'shape', ['size'], ['output'], windowAttrs, 17),
  op('Det', 'reduce', ['X'], ['Y'], {}, 11),
  op(
    'DFT',
    'elementwise',
    ['input', 'dft_length?', 'axis?'],
    ['output'],
    {
      axis: { type: 'int', default: 1 },
      inverse: { type: 'int', default: 0 },
      onesided: { type: 'int', default: 0 },
    },
    17,
  ),
  op('Einsum', 'matmul', ['Inputs...'], ['Output'], { equation: { type: 'string', required: true } }, 12),
  op(
    'Range',
    'shape',
    ['start', 'limit', 'delta'],
    ['output'],
    { stash_type: { type: 'int', default: 1 } },
    11,
  ),
  op('Trilu', 'shape', ['input', 'k?'], ['output'], { upper: { type: 'int', default: 1 } }, 14),
  op(
    'CumSum',
    'elementwise',
    ['x', 'axis'],
    ['y'],
    { exclusive: { type: 'int', default: 0 }, reverse: { type: 'int', default: 0 } },
    11,
  ),
  op(
    'CumProd',
    'elementwise',
    ['x', 'axis'],
    ['y'],
    { exclusive: { type: 'int', default: 0 }, reverse: { type: 'int', default: 0 } },
    26,
  ),
  op(
    'OneHot',
    'shape',
    ['indices', 'depth', 'values'],
    ['output'],
    { axis: { type: 'int', default: -1 } },
    9,
  ),
  op(
    'EyeLike',
    'shape',
    ['input'],
    ['output'],
    { dtype: { type: 'int' }, k: { type: 'int', default: 0 } },
    9,
  ),
  op('Hardmax', 'activation', ['input'], ['output'], { axis: { type: 'int' } }, 1),
  op('IsNaN', 'elementwise', ['X'], ['Y'], {}, 9),
  op(
    'IsInf',
    'elementwise',
    ['X'],
    ['Y'],
    { detect_positive: { type: 'int', default: 1 }, detect_negative: { type: 'int', default: 1 } },
    10,
  ),
  op(
    'TopK',
    'reduce',
    ['X', 'K?'],
    ['Values', 'Indices'],
    {
      axis: { type: 'int', default: -1 },
      largest: { type: 'int', default: 1 },
      sorted: { type: 'int', default: 1 },
      k: { type: 'int' },
    },
    1,
  ),
];

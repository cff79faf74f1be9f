// Schemas of Einsum, the window functions, Det and DFT.
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

export const signalSchemas: readonly OpSchema[] = [
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
];

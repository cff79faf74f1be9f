// Math ops: numpy-broadcasting arithmetic. We accept them from opset 7, where the old
// `broadcast`/`axis` attributes were replaced by multidirectional broadcasting.
import type { OpSchema } from '../op-schema.js';

const binary = (opType: string, inputs: readonly string[] = ['A', 'B']): OpSchema => ({
  opType,
  domain: '',
  category: 'elementwise',
  inputs,
  outputs: ['C'],
  attributes: {},
  sinceVersion: 7,
});

export const mathSchemas: readonly OpSchema[] = [
  binary('Add'),
  binary('Sub'),
  binary('Mul'),
  binary('Div'),
  { ...binary('Pow', ['X', 'Y']), outputs: ['Z'] },
  {
    opType: 'Sum',
    domain: '',
    category: 'elementwise',
    inputs: ['data_0...'],
    outputs: ['sum'],
    attributes: {},
    sinceVersion: 6,
  },
  {
    opType: 'Sqrt',
    domain: '',
    category: 'elementwise',
    inputs: ['X'],
    outputs: ['Y'],
    attributes: {},
    sinceVersion: 6,
  },
];

// Schemas of the recurrent ops RNN, GRU and LSTM (ai.onnx 7, 14 `layout`, 22 bfloat16). Their
// versions 1 (GRU 1 and 3) had `output_sequence` and are refused as older definitions.
import type { AttrSchema, OpSchema } from '../op-schema.js';

const common: Readonly<Record<string, AttrSchema>> = {
  activation_alpha: { type: 'floats' },
  activation_beta: { type: 'floats' },
  activations: { type: 'strings' },
  clip: { type: 'float' },
  direction: { type: 'string', default: 'forward' },
  hidden_size: { type: 'int' },
  layout: { type: 'int', default: 0 },
};

const inputs = ['X', 'W', 'R', 'B?', 'sequence_lens?', 'initial_h?'];

export const rnnSchemas: readonly OpSchema[] = [
  {
    opType: 'RNN',
    domain: '',
    category: 'matmul',
    inputs,
    outputs: ['Y?', 'Y_h?'],
    attributes: common,
    sinceVersion: 7,
  },
  {
    opType: 'GRU',
    domain: '',
    category: 'matmul',
    inputs,
    outputs: ['Y?', 'Y_h?'],
    attributes: { ...common, linear_before_reset: { type: 'int', default: 0 } },
    sinceVersion: 7,
  },
  {
    opType: 'LSTM',
    domain: '',
    category: 'matmul',
    inputs: [...inputs, 'initial_c?', 'P?'],
    outputs: ['Y?', 'Y_h?', 'Y_c?'],
    attributes: { ...common, input_forget: { type: 'int', default: 0 } },
    sinceVersion: 7,
  },
];

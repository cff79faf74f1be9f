// Tensor ops: data movement and shape arithmetic ('shape'; these carry quantized tensors through
// unchanged), Cast, and the constant producers. Attributes whose absence has its own meaning
// (Transpose perm, Squeeze axes, Split split, Shape end...) have no default here.
import type { OpSchema } from '../op-schema.js';

const shapeOp = (
  opType: string,
  inputs: readonly string[],
  attributes: OpSchema['attributes'] = {},
  outputs: readonly string[] = ['output'],
): OpSchema => ({ opType, domain: '', category: 'shape', inputs, outputs, attributes, sinceVersion: 1 });

export const tensorSchemas: readonly OpSchema[] = [
  shapeOp('Flatten', ['input'], { axis: { type: 'int', default: 1 } }),
  // `shape` is an attribute before opset 5 and an input after.
  shapeOp(
    'Reshape',
    ['data', 'shape?'],
    { allowzero: { type: 'int', default: 0 }, shape: { type: 'ints' } },
    ['reshaped'],
  ),
  shapeOp('Transpose', ['data'], { perm: { type: 'ints' } }, ['transposed']),
  // Concat-1 had an optional axis (default 1); from 4 it is required.
  {
    ...shapeOp('Concat', ['inputs...'], { axis: { type: 'int', required: true } }, ['concat_result']),
    sinceVersion: 4,
  },
  // `split` is an attribute before opset 13 and an input after; num_outputs from opset 18.
  shapeOp(
    'Split',
    ['input', 'split?'],
    { axis: { type: 'int', default: 0 }, split: { type: 'ints' }, num_outputs: { type: 'int' } },
    ['outputs...'],
  ),
  // starts/ends/axes are attributes before opset 10 and inputs (with steps) after.
  shapeOp('Slice', ['data', 'starts?', 'ends?', 'axes?', 'steps?'], {
    starts: { type: 'ints' },
    ends: { type: 'ints' },
    axes: { type: 'ints' },
  }),
  shapeOp('Squeeze', ['data', 'axes?'], { axes: { type: 'ints' } }, ['squeezed']),
  shapeOp('Unsqueeze', ['data', 'axes?'], { axes: { type: 'ints' } }, ['expanded']),
  shapeOp('Shape', ['data'], { start: { type: 'int', default: 0 }, end: { type: 'int' } }, ['shape']),
  shapeOp('Gather', ['data', 'indices'], { axis: { type: 'int', default: 0 } }),
  shapeOp('Identity', ['input']),
  shapeOp('Size', ['data'], {}, ['size']),
  {
    ...shapeOp('GatherElements', ['data', 'indices'], { axis: { type: 'int', default: 0 } }),
    sinceVersion: 11,
  },
  { ...shapeOp('Expand', ['input', 'shape']), sinceVersion: 8 },
  // Tile-1 took (input, tiles, axis): from opset 6 `repeats` gives every axis.
  { ...shapeOp('Tile', ['input', 'repeats']), sinceVersion: 6 },
  shapeOp(
    'Dropout',
    ['data', 'ratio?', 'training_mode?'],
    // is_test (before opset 7, default 0 = training): only test mode runs here.
    { ratio: { type: 'float', default: 0.5 }, seed: { type: 'int' }, is_test: { type: 'int', default: 0 } },
    ['output', 'mask?'],
  ),
  {
    opType: 'BitCast',
    domain: '',
    category: 'elementwise',
    inputs: ['input'],
    outputs: ['output'],
    attributes: { to: { type: 'int', required: true } },
    sinceVersion: 26,
  },
  {
    opType: 'CastLike',
    domain: '',
    category: 'elementwise',
    inputs: ['input', 'target_type'],
    outputs: ['output'],
    attributes: { saturate: { type: 'int', default: 1 }, round_mode: { type: 'string', default: 'up' } },
    sinceVersion: 15,
  },
  {
    opType: 'Cast',
    domain: '',
    category: 'elementwise',
    inputs: ['input'],
    outputs: ['output'],
    // round_mode (opset 24) only concerns casts to float8e8m0 ('up', 'down' or 'nearest').
    attributes: {
      to: { type: 'int', required: true },
      saturate: { type: 'int', default: 1 },
      round_mode: { type: 'string', default: 'up' },
    },
    sinceVersion: 6, // Cast-1 named the target type with a string
  },
  {
    opType: 'Constant',
    domain: '',
    category: 'constant',
    inputs: [],
    outputs: ['output'],
    attributes: {
      value: { type: 'tensor' },
      value_float: { type: 'float' },
      value_floats: { type: 'floats' },
      value_int: { type: 'int' },
      value_ints: { type: 'ints' },
    },
    sinceVersion: 1,
  },
  {
    opType: 'ConstantOfShape',
    domain: '',
    category: 'constant',
    inputs: ['input'],
    outputs: ['output'],
    // Default: a float32 zero (the op builds it, the table holds no tensors).
    attributes: { value: { type: 'tensor' } },
    sinceVersion: 9,
  },
];

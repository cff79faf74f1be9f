// Col2Im (category 'shape': it moves and sums existing values, as the inverse of an im2col) and
// AffineGrid (elementwise arithmetic on theta: 'elementwise').
import type { OpSchema } from '../op-schema.js';

export const spatialSchemas: readonly OpSchema[] = [
  {
    opType: 'Col2Im',
    domain: '',
    category: 'shape',
    inputs: ['input', 'image_shape', 'block_shape'],
    outputs: ['output'],
    // Absent dilations / strides mean 1s, absent pads 0s (the reference handles absence).
    attributes: { dilations: { type: 'ints' }, pads: { type: 'ints' }, strides: { type: 'ints' } },
    sinceVersion: 18,
  },
  {
    opType: 'AffineGrid',
    domain: '',
    category: 'elementwise',
    inputs: ['theta', 'size'],
    outputs: ['grid'],
    attributes: { align_corners: { type: 'int', default: 0 } },
    sinceVersion: 20,
  },
];

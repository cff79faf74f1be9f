// Col2Im (category 'shape': it moves and sums existing values, as the inverse of an im2col) and
// AffineGrid (elementwise arithmetic on theta: 'elementwise'), RoiAlign ('pool') and MaxUnpool
// ('shape': it places existing values). RoiAlign's coordinate_transformation_mode exists from
// opset 16 only, so the op supplies its default.
import type { OpSchema } from '../op-schema.js';

export const spatialSchemas: readonly OpSchema[] = [
  {
    opType: 'DeformConv',
    domain: '',
    category: 'conv',
    inputs: ['X', 'W', 'offset', 'B?', 'mask?'],
    outputs: ['Y'],
    attributes: {
      dilations: { type: 'ints' },
      group: { type: 'int', default: 1 },
      kernel_shape: { type: 'ints' },
      offset_group: { type: 'int', default: 1 },
      pads: { type: 'ints' },
      strides: { type: 'ints' },
    },
    sinceVersion: 19,
  },
  {
    opType: 'RoiAlign',
    domain: '',
    category: 'pool',
    inputs: ['X', 'rois', 'batch_indices'],
    outputs: ['Y'],
    attributes: {
      mode: { type: 'string', default: 'avg' },
      output_height: { type: 'int', default: 1 },
      output_width: { type: 'int', default: 1 },
      sampling_ratio: { type: 'int', default: 0 },
      spatial_scale: { type: 'float', default: 1 },
      coordinate_transformation_mode: { type: 'string' },
    },
    sinceVersion: 10,
  },
  {
    opType: 'MaxUnpool',
    domain: '',
    category: 'shape',
    inputs: ['X', 'I', 'output_shape?'],
    outputs: ['output'],
    attributes: {
      kernel_shape: { type: 'ints', required: true },
      pads: { type: 'ints' },
      strides: { type: 'ints' },
    },
    sinceVersion: 9,
  },
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

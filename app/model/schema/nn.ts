// Schema entries of the "nn" family: convolutions, matmuls, pools, normalization, padding,
// resizing, softmax, ReduceMean and activations. Defaults are the ONNX ones; where a default
// changed between opsets (Softmax axis: 1 before opset 13, -1 from 13) the entry leaves it out and
// the CPU adapter picks it by opset.
import { REDUCE_OPS } from '../../../kernels/reduce/reduce.ref.js';
import type { AttrSchema, OpSchema } from '../op-schema.js';

const convSpatial: Readonly<Record<string, AttrSchema>> = {
  auto_pad: { type: 'string', default: 'NOTSET' },
  dilations: { type: 'ints' },
  kernel_shape: { type: 'ints' },
  pads: { type: 'ints' },
  strides: { type: 'ints' },
};

const poolSpatial: Readonly<Record<string, AttrSchema>> = {
  auto_pad: { type: 'string', default: 'NOTSET' },
  ceil_mode: { type: 'int', default: 0 },
  dilations: { type: 'ints' },
  kernel_shape: { type: 'ints', required: true },
  pads: { type: 'ints' },
  strides: { type: 'ints' },
};

function activation(opType: string, attributes: Readonly<Record<string, AttrSchema>> = {}): OpSchema {
  return { opType, domain: '', category: 'activation', inputs: ['X'], outputs: ['Y'], attributes };
}

export const nnSchemas: readonly OpSchema[] = [
  {
    opType: 'Conv',
    domain: '',
    category: 'conv',
    inputs: ['X', 'W', 'B?'],
    outputs: ['Y'],
    attributes: { ...convSpatial, group: { type: 'int', default: 1 } },
  },
  {
    opType: 'ConvTranspose',
    domain: '',
    category: 'conv',
    inputs: ['X', 'W', 'B?'],
    outputs: ['Y'],
    attributes: {
      ...convSpatial,
      group: { type: 'int', default: 1 },
      output_padding: { type: 'ints' },
      output_shape: { type: 'ints' },
    },
  },
  { opType: 'MatMul', domain: '', category: 'matmul', inputs: ['A', 'B'], outputs: ['Y'], attributes: {} },
  {
    opType: 'Gemm',
    domain: '',
    category: 'matmul',
    inputs: ['A', 'B', 'C?'],
    outputs: ['Y'],
    attributes: {
      alpha: { type: 'float', default: 1 },
      beta: { type: 'float', default: 1 },
      transA: { type: 'int', default: 0 },
      transB: { type: 'int', default: 0 },
    },
  },
  {
    opType: 'MaxPool',
    domain: '',
    category: 'pool',
    inputs: ['X'],
    outputs: ['Y', 'Indices?'],
    attributes: { ...poolSpatial, storage_order: { type: 'int', default: 0 } },
  },
  {
    opType: 'AveragePool',
    domain: '',
    category: 'pool',
    inputs: ['X'],
    outputs: ['Y'],
    attributes: { ...poolSpatial, count_include_pad: { type: 'int', default: 0 } },
  },
  {
    opType: 'GlobalAveragePool',
    domain: '',
    category: 'pool',
    inputs: ['X'],
    outputs: ['Y'],
    attributes: {},
  },
  {
    opType: 'BatchNormalization',
    domain: '',
    category: 'normalization',
    inputs: ['X', 'scale', 'B', 'input_mean', 'input_var'],
    // training_mode = 1 (opset 14+) also writes the running mean and variance.
    outputs: ['Y', 'running_mean?', 'running_var?'],
    attributes: {
      epsilon: { type: 'float', default: 1e-5 },
      momentum: { type: 'float', default: 0.9 },
      training_mode: { type: 'int', default: 0 },
      spatial: { type: 'int', default: 1 },
      // Before opset 7: is_test (default 0 = training mode); only test mode runs here.
      is_test: { type: 'int', default: 0 },
    },
  },
  {
    opType: 'Pad',
    domain: '',
    category: 'shape',
    // Opset < 11 has only 'data' and takes pads/value as attributes.
    inputs: ['data', 'pads?', 'constant_value?', 'axes?'],
    outputs: ['output'],
    attributes: {
      mode: { type: 'string', default: 'constant' },
      pads: { type: 'ints' },
      value: { type: 'float', default: 0 },
    },
    sinceVersion: 2, // Pad-1 named its pads `paddings`
  },
  {
    opType: 'Resize',
    domain: '',
    category: 'shape',
    // Opset 10: (X, scales); opset 11+: (X, roi?, scales?, sizes?).
    inputs: ['X', 'roi?', 'scales?', 'sizes?'],
    outputs: ['Y'],
    attributes: {
      mode: { type: 'string', default: 'nearest' },
      coordinate_transformation_mode: { type: 'string', default: 'half_pixel' },
      nearest_mode: { type: 'string', default: 'round_prefer_floor' },
      cubic_coeff_a: { type: 'float', default: -0.75 },
      exclude_outside: { type: 'int', default: 0 },
      extrapolation_value: { type: 'float', default: 0 },
      antialias: { type: 'int', default: 0 },
      axes: { type: 'ints' },
      keep_aspect_ratio_policy: { type: 'string', default: 'stretch' },
    },
  },
  {
    // Deprecated at opset 10 for Resize: scales as an attribute (7-8) or an input (9); the
    // asymmetric transform and the legacy nearest rule of Resize-10.
    opType: 'Upsample',
    domain: '',
    category: 'shape',
    inputs: ['X', 'scales?'],
    outputs: ['Y'],
    attributes: { mode: { type: 'string', default: 'nearest' }, scales: { type: 'floats' } },
    sinceVersion: 7,
  },
  {
    opType: 'Softmax',
    domain: '',
    category: 'activation',
    inputs: ['input'],
    outputs: ['output'],
    attributes: { axis: { type: 'int' } },
  },
  {
    opType: 'LogSoftmax',
    domain: '',
    category: 'activation',
    inputs: ['input'],
    outputs: ['output'],
    attributes: { axis: { type: 'int' } },
  },
  ...REDUCE_OPS.map(
    (opType): OpSchema => ({
      opType,
      domain: '',
      category: 'reduce',
      // axes: an attribute before REDUCE_TABLE[op].axesInputSince (13 for ReduceSum, else 18), an input after.
      inputs: ['data', 'axes?'],
      outputs: ['reduced'],
      attributes: {
        axes: { type: 'ints' },
        keepdims: { type: 'int', default: 1 },
        noop_with_empty_axes: { type: 'int', default: 0 },
      },
      sinceVersion: 1,
    }),
  ),
  ...(['ArgMax', 'ArgMin'] as const).map(
    (opType): OpSchema => ({
      opType,
      domain: '',
      category: 'reduce',
      inputs: ['data'],
      outputs: ['reduced'],
      attributes: {
        axis: { type: 'int', default: 0 },
        keepdims: { type: 'int', default: 1 },
        select_last_index: { type: 'int', default: 0 },
      },
      sinceVersion: 1,
    }),
  ),
  {
    opType: 'ReduceMean',
    domain: '',
    category: 'reduce',
    // Opset 18 moved axes from an attribute to an optional input.
    inputs: ['data', 'axes?'],
    outputs: ['reduced'],
    attributes: {
      axes: { type: 'ints' },
      keepdims: { type: 'int', default: 1 },
      noop_with_empty_axes: { type: 'int', default: 0 },
    },
  },
  activation('Relu'),
  {
    opType: 'Clip',
    domain: '',
    category: 'activation',
    // Opset < 11: min/max attributes (default: no bound); 11+: optional scalar inputs.
    inputs: ['input', 'min?', 'max?'],
    outputs: ['output'],
    attributes: { min: { type: 'float' }, max: { type: 'float' } },
  },
  activation('LeakyRelu', { alpha: { type: 'float', default: 0.01 } }),
  activation('Sigmoid'),
  activation('HardSigmoid', {
    alpha: { type: 'float', default: 0.2 },
    beta: { type: 'float', default: 0.5 },
  }),
  activation('HardSwish'),
  activation('Tanh'),
  activation('Erf'),
];

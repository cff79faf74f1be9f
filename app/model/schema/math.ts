// Math ops: numpy-broadcasting arithmetic. We accept them from opset 7, where the old
// `broadcast`/`axis` attributes were replaced by multidirectional broadcasting.
import { UNARY_OPS, unaryDef } from '../../../kernels/unary/unary.ref.js';
import type { AttrSchema, OpSchema } from '../op-schema.js';

/** Table ops that are activations (the graph view colours them so); the rest are elementwise math. */
const ACTIVATIONS = new Set([
  'Elu',
  'Selu',
  'Celu',
  'Softplus',
  'Softsign',
  'Mish',
  'ThresholdedRelu',
  'Shrink',
  'Gelu',
]);

/** The unary table's ops (kernels/unary/unary.ref.ts), their float attributes with defaults. */
const unarySchemas: OpSchema[] = UNARY_OPS.map((opType) => {
  const def = unaryDef(opType);
  const attributes: Record<string, AttrSchema> = Object.fromEntries(
    (def.attrs ?? []).map(([name, dflt]) => [name, { type: 'float', default: dflt }]),
  );
  if (opType === 'Gelu') attributes.approximate = { type: 'string', default: 'none' };
  return {
    opType,
    domain: '',
    category: ACTIVATIONS.has(opType) ? 'activation' : 'elementwise',
    inputs: ['X'],
    outputs: ['Y'],
    attributes,
    sinceVersion: def.since,
  };
});

const binary = (opType: string, inputs: readonly string[] = ['A', 'B']): OpSchema => ({
  opType,
  domain: '',
  category: 'elementwise',
  inputs,
  outputs: ['C'],
  attributes: {},
  sinceVersion: 7,
});

const LEGACY_ATTRS: Record<string, AttrSchema> = {
  broadcast: { type: 'int', default: 0 },
  axis: { type: 'int' },
};

const variadic = (opType: string, output: string, sinceVersion: number): OpSchema => ({
  opType,
  domain: '',
  category: 'elementwise',
  inputs: ['data_0...'],
  outputs: [output],
  attributes: {},
  sinceVersion,
});

/** The broadcasting table's ops (kernels/broadcast-ops/broadcast-ops.ref.ts). */
const broadcastSchemas: OpSchema[] = [
  // PRelu before 7 broadcasts its slope the legacy way (the CPU op's flag); Max/Min/Mean before
  // 8 took same-shape inputs only, which numpy broadcasting covers.
  { ...binary('PRelu', ['X', 'slope']), category: 'activation', outputs: ['Y'], sinceVersion: 1 },
  variadic('Max', 'max', 1),
  variadic('Min', 'min', 1),
  variadic('Mean', 'mean', 1),
  { ...binary('Mod'), attributes: { fmod: { type: 'int', default: 0 } }, sinceVersion: 10 },
  binary('Equal'),
  binary('Less'),
  { ...binary('LessOrEqual'), sinceVersion: 12 },
  binary('Greater'),
  { ...binary('GreaterOrEqual'), sinceVersion: 12 },
  binary('And'),
  binary('Or'),
  binary('Xor'),
  { ...binary('Not', ['X']), outputs: ['Y'], sinceVersion: 1 },
  { ...binary('Where', ['condition', 'X', 'Y']), outputs: ['output'], sinceVersion: 9 },
  {
    ...binary('BitShift', ['X', 'Y']),
    outputs: ['Z'],
    attributes: { direction: { type: 'string', required: true } },
    sinceVersion: 11,
  },
  { ...binary('BitwiseAnd'), sinceVersion: 18 },
  { ...binary('BitwiseOr'), sinceVersion: 18 },
  { ...binary('BitwiseXor'), sinceVersion: 18 },
  { ...binary('BitwiseNot', ['X']), outputs: ['Y'], sinceVersion: 18 },
];

export const mathSchemas: readonly OpSchema[] = [
  ...unarySchemas,
  ...broadcastSchemas,
  // Before opset 7 these broadcast the legacy way: `broadcast` and `axis` attributes.
  { ...binary('Add'), attributes: LEGACY_ATTRS, sinceVersion: 1 },
  { ...binary('Sub'), attributes: LEGACY_ATTRS, sinceVersion: 1 },
  { ...binary('Mul'), attributes: LEGACY_ATTRS, sinceVersion: 1 },
  { ...binary('Div'), attributes: LEGACY_ATTRS, sinceVersion: 1 },
  { ...binary('Pow', ['X', 'Y']), outputs: ['Z'], attributes: LEGACY_ATTRS, sinceVersion: 1 },
  {
    opType: 'Sum',
    domain: '',
    category: 'elementwise',
    inputs: ['data_0...'],
    outputs: ['sum'],
    attributes: {},
    sinceVersion: 1, // Sum before 8: same-shape inputs, covered by broadcasting
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

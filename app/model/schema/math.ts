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
  { ...binary('PRelu', ['X', 'slope']), category: 'activation', outputs: ['Y'] },
  variadic('Max', 'max', 8),
  variadic('Min', 'min', 8),
  variadic('Mean', 'mean', 8),
  { ...binary('Mod'), attributes: { fmod: { type: 'int', default: 0 } }, sinceVersion: 10 },
  binary('Equal'),
  binary('Less'),
  { ...binary('LessOrEqual'), sinceVersion: 12 },
  binary('Greater'),
  { ...binary('GreaterOrEqual'), sinceVersion: 12 },
  binary('And'),
  binary('Or'),
  binary('Xor'),
  { ...binary('Not', ['X']), outputs: ['Y'] },
  { ...binary('Where', ['condition', 'X', 'Y']), outputs: ['output'], sinceVersion: 9 },
];

export const mathSchemas: readonly OpSchema[] = [
  ...unarySchemas,
  ...broadcastSchemas,
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

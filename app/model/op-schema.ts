// The operator schema table: data, not code. One entry per supported (domain, op): its category
// (used by the graph view and by quantization to know what an op is), its attributes with types
// and defaults, and its inputs/outputs. Entries live in app/model/schema/*.ts by family.
import { attentionSchemas } from './schema/attention.js';
import { mathSchemas } from './schema/math.js';
import { miscSchemas } from './schema/misc.js';
import { nnSchemas } from './schema/nn.js';
import { normSchemas } from './schema/norm.js';
import { quantSchemas } from './schema/quant.js';
import { rnnSchemas } from './schema/rnn.js';
import { signalSchemas } from './schema/signal.js';
import { spectralSchemas } from './schema/spectral.js';
import { scatterSchemas } from './schema/scatter.js';
import { selectSchemas } from './schema/select.js';
import { spatialSchemas } from './schema/spatial.js';
import { tensorSchemas } from './schema/tensor.js';

export type OpCategory =
  | 'conv'
  | 'matmul'
  | 'elementwise'
  | 'activation'
  | 'pool'
  | 'normalization'
  | 'shape'
  | 'reduce'
  | 'quantize'
  | 'quantized-op'
  | 'constant'
  | 'control';

export type AttrType = 'int' | 'float' | 'string' | 'ints' | 'floats' | 'strings' | 'tensor' | 'graph';

export interface AttrSchema {
  readonly type: AttrType;
  /** Absent: the attribute is required, or its absence has a meaning the op handles itself. */
  readonly default?: number | string | readonly number[];
  readonly required?: boolean;
}

export interface OpSchema {
  readonly opType: string;
  readonly domain: '' | 'com.microsoft';
  readonly category: OpCategory;
  /** Input names in order; a trailing '?' marks an optional input, '...' a variadic one. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, AttrSchema>>;
  /** Lowest opset version of the domain we accept the op at. */
  readonly sinceVersion?: number;
}

const all: readonly OpSchema[] = [
  ...nnSchemas,
  ...mathSchemas,
  ...tensorSchemas,
  ...quantSchemas,
  ...signalSchemas,
  ...spectralSchemas,
  ...attentionSchemas,
  ...normSchemas,
  ...miscSchemas,
  ...scatterSchemas,
  ...selectSchemas,
  ...spatialSchemas,
  ...rnnSchemas,
];

const byKey = new Map<string, OpSchema>(all.map((s) => [schemaKey(s.domain, s.opType), s]));

function schemaKey(domain: string, opType: string): string {
  return `${domain === 'ai.onnx' ? '' : domain}::${opType}`;
}

export function findSchema(domain: string, opType: string): OpSchema | undefined {
  return byKey.get(schemaKey(domain, opType));
}

export function allSchemas(): readonly OpSchema[] {
  return all;
}

// The strict reader of a quantization config document (`qplay calibrate --config FILE`, a session
// document's "config", the page's settings) and its writer. A document may be partial: what it
// leaves out comes from DEFAULT_CONFIG, role by role (so `{"activations": {"observer": "mse"}}`
// keeps every other activation setting). Everything else is refused with one line naming the key
// path: unknown keys, wrong types, bad enum values (listing the allowed ones), out-of-range
// numbers, and overrides that could not be applied as written. docs/session-format.md describes
// every field.
import type { RangeMode } from '../../kernels/quant-math/quant-math.js';
import type { Model } from '../model/ir.js';
import { parseJsonText } from '../session/json-text.js';
import {
  type At,
  entry,
  fail,
  field,
  has,
  isObject,
  type JsonObject,
  nameMap,
  quoteName,
  readArray,
  readBoolean,
  readEnum,
  readInteger,
  readNumber,
  readObject,
  readString,
  setOwn,
} from '../session/strict-read.js';
import {
  type AccumulatorName,
  type ActivationConfig,
  CONFIG_VERSION,
  DEFAULT_CONFIG,
  OBSERVER_NAMES,
  type QuantConfig,
  type QuantizedDType,
  ROUNDING_NAMES,
  type RoleConfig,
  type TensorOverride,
  type WeightConfig,
} from './config.js';
import { effectiveRole, roleRange } from './params.js';

export const QUANTIZED_DTYPES: readonly QuantizedDType[] = ['int8', 'uint8'];
export const RANGE_MODES: readonly RangeMode[] = ['full', 'restricted', 'reduced'];

const ROOT_KEYS = [
  'version',
  'activations',
  'weights',
  'bias',
  'accumulator',
  'rounding',
  'opTypes',
  'errorPropagation',
  'overrides',
] as const;
const ROLE_KEYS = ['dtype', 'symmetric', 'range'] as const;
const ACTIVATION_KEYS = [...ROLE_KEYS, 'observer', 'percentile', 'averagingConstant', 'bins'] as const;
const WEIGHT_KEYS = [...ROLE_KEYS, 'perChannel'] as const;
/** Also the order configToJson writes an override's fields in. */
export const OVERRIDE_KEYS = [
  'dtype',
  'symmetric',
  'range',
  'observer',
  'min',
  'max',
  'scale',
  'zeroPoint',
  'passthrough',
] as const;

const ACCUMULATOR = /^(?:int32|x86-pairwise|(?:wrap|sat)([1-9]\d*))$/;
const OP_TYPE = /^[A-Za-z][A-Za-z0-9_]*$/;
const F32_MAX = 3.4028234663852886e38;

/** A role a tensor may have, for checking a manual zero point against its integer range. */
export interface RoleCandidate {
  readonly label: string; // "an activation", "a weight"
  readonly role: RoleConfig;
}

/** Reads a config document (already parsed from JSON). */
export function parseConfig(json: unknown, where?: string): QuantConfig {
  return readConfigAt(json, { where, path: '' });
}

/** Reads a config document from its JSON text (syntax errors with line and column). */
export function parseConfigText(text: string, where?: string): QuantConfig {
  return parseConfig(parseJsonText(text, where), where);
}

/** Reads a config found at `at` (the session document reads its "config" through this). */
export function readConfigAt(json: unknown, at: At): QuantConfig {
  if (!isObject(json)) fail(at, `a quantization config must be a JSON object, got ${describeRoot(json)}`);
  const o = readObject(json, at, ROOT_KEYS);
  if (has(o, 'version')) {
    const v = o.version;
    if (typeof v === 'number' && Number.isInteger(v) && v > CONFIG_VERSION) {
      fail(at, `config version ${v} is newer than this qplay reads (${CONFIG_VERSION})`);
    }
    if (v !== CONFIG_VERSION)
      fail(field(at, 'version'), `must be ${CONFIG_VERSION}, got ${JSON.stringify(v)}`);
  }
  const activations = readActivations(o, field(at, 'activations'));
  const weights = readWeights(o, field(at, 'weights'));
  let bias = DEFAULT_CONFIG.bias;
  if (has(o, 'bias')) {
    const b = readObject(o.bias, field(at, 'bias'), ['dtype']);
    if (has(b, 'dtype')) readEnum(b.dtype, field(field(at, 'bias'), 'dtype'), ['int32']);
    bias = { dtype: 'int32' };
  }
  const accumulator = has(o, 'accumulator')
    ? readAccumulator(o.accumulator, field(at, 'accumulator'))
    : DEFAULT_CONFIG.accumulator;
  const rounding = has(o, 'rounding')
    ? readEnum(o.rounding, field(at, 'rounding'), ROUNDING_NAMES)
    : DEFAULT_CONFIG.rounding;
  const opTypes = has(o, 'opTypes') ? readOpTypes(o.opTypes, field(at, 'opTypes')) : DEFAULT_CONFIG.opTypes;
  const errorPropagation = has(o, 'errorPropagation')
    ? readBoolean(o.errorPropagation, field(at, 'errorPropagation'))
    : DEFAULT_CONFIG.errorPropagation;
  const roles: RoleCandidate[] = [
    { label: 'an activation', role: activations },
    { label: 'a weight', role: weights },
  ];
  const overrides = nameMap<TensorOverride>();
  if (has(o, 'overrides')) {
    const oat = field(at, 'overrides');
    const map = readObject(o.overrides, oat);
    for (const name of Object.keys(map)) {
      if (name === '') fail(oat, 'an override has an empty tensor name');
      overrides[name] = readOverride(map[name], entry(oat, name), roles);
    }
  }
  return {
    version: CONFIG_VERSION,
    activations,
    weights,
    bias,
    accumulator,
    rounding,
    opTypes,
    errorPropagation,
    overrides,
  };
}

function describeRoot(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? 'a string' : typeof v;
}

function readRole(o: JsonObject, at: At, base: RoleConfig): RoleConfig {
  return {
    dtype: has(o, 'dtype') ? readEnum(o.dtype, field(at, 'dtype'), QUANTIZED_DTYPES) : base.dtype,
    symmetric: has(o, 'symmetric') ? readBoolean(o.symmetric, field(at, 'symmetric')) : base.symmetric,
    range: has(o, 'range') ? readEnum(o.range, field(at, 'range'), RANGE_MODES) : base.range,
  };
}

function readActivations(root: JsonObject, at: At): ActivationConfig {
  const base = DEFAULT_CONFIG.activations;
  if (!has(root, 'activations')) return base;
  const o = readObject(root.activations, at, ACTIVATION_KEYS);
  let percentile = base.percentile;
  if (has(o, 'percentile')) {
    percentile = readNumber(o.percentile, field(at, 'percentile'));
    if (!(percentile > 0 && percentile <= 100)) {
      fail(field(at, 'percentile'), `must be in (0, 100] (a share of values, in percent), got ${percentile}`);
    }
  }
  let averagingConstant = base.averagingConstant;
  if (has(o, 'averagingConstant')) {
    averagingConstant = readNumber(o.averagingConstant, field(at, 'averagingConstant'));
    if (!(averagingConstant > 0 && averagingConstant <= 1)) {
      fail(field(at, 'averagingConstant'), `must be in (0, 1], got ${averagingConstant}`);
    }
  }
  return {
    ...readRole(o, at, base),
    observer: has(o, 'observer')
      ? readEnum(o.observer, field(at, 'observer'), OBSERVER_NAMES)
      : base.observer,
    percentile,
    averagingConstant,
    bins: has(o, 'bins') ? readInteger(o.bins, field(at, 'bins'), 16, 65536) : base.bins,
  };
}

function readWeights(root: JsonObject, at: At): WeightConfig {
  const base = DEFAULT_CONFIG.weights;
  if (!has(root, 'weights')) return base;
  const o = readObject(root.weights, at, WEIGHT_KEYS);
  return {
    ...readRole(o, at, base),
    perChannel: has(o, 'perChannel') ? readBoolean(o.perChannel, field(at, 'perChannel')) : base.perChannel,
  };
}

function readAccumulator(v: unknown, at: At): AccumulatorName {
  const m = typeof v === 'string' ? ACCUMULATOR.exec(v) : null;
  if (!m || (m[1] !== undefined && !(Number(m[1]) >= 8 && Number(m[1]) <= 32))) {
    fail(
      at,
      `must be int32, x86-pairwise, wrap8..wrap32 or sat8..sat32; got ${JSON.stringify(v) ?? String(v)}`,
    );
  }
  return v as AccumulatorName;
}

function readOpTypes(v: unknown, at: At): readonly string[] {
  const list = readArray(v, at);
  const seen = new Set<string>();
  return list.map((t, i) => {
    const s = readString(t, { where: at.where, path: `${at.path}[${i}]` });
    if (!OP_TYPE.test(s))
      fail({ where: at.where, path: `${at.path}[${i}]` }, `${quoteName(s)} is not an op type name`);
    if (seen.has(s)) fail({ where: at.where, path: `${at.path}[${i}]` }, `${quoteName(s)} is listed twice`);
    seen.add(s);
    return s;
  });
}

/** A scale as the engine stores it: its f32 value must be positive and finite. */
function readPositiveF32(v: unknown, at: At): number {
  const s = readNumber(v, at);
  if (!(s > 0)) fail(at, `must be a positive number, got ${s}`);
  const f = Math.fround(s);
  if (f === 0) fail(at, `${s} is below the smallest f32 (1.4e-45); a scale is stored as f32`);
  if (s > F32_MAX) fail(at, `${s} is above the largest f32 (3.4028235e38); a scale is stored as f32`);
  return s;
}

/** The integer range a zero point may take for one role, as "uint8 0..255". */
function rangeText(role: RoleConfig): string {
  const { qmin, qmax } = roleRange(role);
  return `${role.dtype} ${qmin}..${qmax}`;
}

/**
 * Reads one tensor override. `roles`: the roles the tensor may have (when reading a config alone
 * the reader cannot know whether a name is an activation or a weight, so a manual zero point
 * must fit one of them; checkConfigAgainstModel then checks it against the tensor's real role).
 */
export function readOverride(v: unknown, at: At, roles: readonly RoleCandidate[]): TensorOverride {
  const o = readObject(v, at, OVERRIDE_KEYS);
  const out: Record<string, unknown> = {};
  if (has(o, 'dtype')) out.dtype = readEnum(o.dtype, field(at, 'dtype'), QUANTIZED_DTYPES);
  if (has(o, 'symmetric')) out.symmetric = readBoolean(o.symmetric, field(at, 'symmetric'));
  if (has(o, 'range')) out.range = readEnum(o.range, field(at, 'range'), RANGE_MODES);
  if (has(o, 'observer')) out.observer = readEnum(o.observer, field(at, 'observer'), OBSERVER_NAMES);
  if (has(o, 'min') !== has(o, 'max')) {
    fail(at, `a manual range needs both "min" and "max" (only "${has(o, 'min') ? 'min' : 'max'}" is given)`);
  }
  if (has(o, 'min')) {
    const min = readNumber(o.min, field(at, 'min'));
    const max = readNumber(o.max, field(at, 'max'));
    if (min > max) fail(at, `manual range min ${min} is greater than max ${max}`);
    out.min = min + 0;
    out.max = max + 0;
  }
  if (has(o, 'scale') !== has(o, 'zeroPoint')) {
    fail(
      at,
      `manual parameters need both "scale" and "zeroPoint" (only "${has(o, 'scale') ? 'scale' : 'zeroPoint'}" is given)`,
    );
  }
  if (has(o, 'scale')) {
    out.scale = readPositiveF32(o.scale, field(at, 'scale'));
    const zat = field(at, 'zeroPoint');
    const zp = readNumber(o.zeroPoint, zat);
    if (!Number.isInteger(zp)) fail(zat, `must be an integer, got ${zp}`);
    checkZeroPoint(zp, out as TensorOverride, roles, zat);
    out.zeroPoint = zp + 0;
  }
  if (has(o, 'passthrough')) out.passthrough = readBoolean(o.passthrough, field(at, 'passthrough'));
  return out as TensorOverride;
}

function checkZeroPoint(zp: number, override: TensorOverride, roles: readonly RoleCandidate[], at: At): void {
  const effective = roles.map((r) => ({ label: r.label, role: effectiveRole(r.role, override) }));
  if (effective.some(({ role }) => zp >= roleRange(role).qmin && zp <= roleRange(role).qmax)) return;
  const texts = [...new Set(effective.map((e) => rangeText(e.role)))];
  const where =
    texts.length === 1 ? texts[0] : effective.map((e) => `${rangeText(e.role)} as ${e.label}`).join(', or ');
  fail(at, `${zp} is outside the tensor's integer range (${where})`);
}

/** An override as a plain JSON-able object, its fields in OVERRIDE_KEYS order. */
export function overrideToJson(o: TensorOverride): Record<string, unknown> {
  const fields = o as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const k of OVERRIDE_KEYS) if (fields[k] !== undefined) out[k] = fields[k];
  return out;
}

/** The config as a plain JSON-able object, keys in a fixed order (overrides sorted by name). */
export function configToJson(c: QuantConfig): Record<string, unknown> {
  const a = c.activations;
  const w = c.weights;
  const overrides: Record<string, unknown> = {};
  for (const name of Object.keys(c.overrides).sort())
    setOwn(overrides, name, overrideToJson(c.overrides[name]));
  return {
    version: c.version,
    activations: {
      dtype: a.dtype,
      symmetric: a.symmetric,
      range: a.range,
      observer: a.observer,
      percentile: a.percentile,
      averagingConstant: a.averagingConstant,
      bins: a.bins,
    },
    weights: { dtype: w.dtype, symmetric: w.symmetric, range: w.range, perChannel: w.perChannel },
    bias: { dtype: c.bias.dtype },
    accumulator: c.accumulator,
    rounding: c.rounding,
    opTypes: [...c.opTypes],
    errorPropagation: c.errorPropagation,
    overrides,
  };
}

/** Every value name of the model's main graph: inputs, node outputs, initializers. */
export function modelValueNames(model: Model): Set<string> {
  const g = model.graph;
  const names = new Set<string>(g.initializers.keys());
  for (const i of g.inputs) names.add(i.name);
  for (const n of g.nodes) for (const o of n.outputs) if (o) names.add(o);
  return names;
}

/** "3 tensors the model does not have: "a", "b", "c"" (the first five named). */
export function missingNames(names: readonly string[], what: string): string {
  const shown = names.slice(0, 5).map(quoteName).join(', ');
  const more = names.length > 5 ? `, and ${names.length - 5} more` : '';
  return `${names.length} ${what}${names.length === 1 ? '' : 's'} the model does not have: ${shown}${more}`;
}

/**
 * Checks a config's overrides against a model: every overridden tensor exists, and a manual zero
 * point fits the tensor's real role (initializers are weights, everything else an activation).
 * Give the model as the engine sees it (constants materialized, app/quant/materialize.ts), so
 * that folded weights count as initializers.
 */
export function checkConfigAgainstModel(config: QuantConfig, model: Model, where?: string): void {
  checkConfigAt(config, model, { where, path: 'overrides' });
}

/** checkConfigAgainstModel for a config found at `at` (a session's "config.overrides"). */
export function checkConfigAt(config: QuantConfig, model: Model, at: At): void {
  const names = modelValueNames(model);
  const missing = Object.keys(config.overrides).filter((n) => !names.has(n));
  if (missing.length > 0) fail(at, `overrides name ${missingNames(missing, 'tensor')}`);
  for (const [name, o] of Object.entries(config.overrides)) {
    if (o.zeroPoint === undefined) continue;
    const isWeight = model.graph.initializers.has(name);
    const role = isWeight ? config.weights : config.activations;
    const zat = field(entry(at, name), 'zeroPoint');
    checkZeroPoint(o.zeroPoint, o, [{ label: isWeight ? 'a weight' : 'an activation', role }], zat);
  }
}

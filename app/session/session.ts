// The session document: the one format the CLI writes (`qplay calibrate --out`), the page saves and
// the share link carries. Versioned JSON; docs/session-format.md describes every field.
//
// Scales are f32 values. JavaScript prints a number as the shortest decimal that reads back as the
// same f64, and every f32 value is an f64 value, so a scale written here reads back with the same
// bits. A scale that is not exactly an f32 value (a hand edit such as 0.1) is refused rather than
// silently rounded: what the file says is what the engine uses.
import {
  configToJson,
  overrideToJson,
  QUANTIZED_DTYPES,
  type RoleCandidate,
  readConfigAt,
  readOverride,
} from '../quant/config-parse.js';
import {
  OBSERVER_NAMES,
  type ObserverName,
  type QuantConfig,
  type QuantizedDType,
  type TensorOverride,
} from '../quant/config.js';
import { parseJsonText, writeJsonText } from './json-text.js';
import {
  type At,
  entry,
  fail,
  field,
  has,
  index,
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
  required,
  setOwn,
} from './strict-read.js';

export { checkModelIdentity, checkSessionAgainstModel } from './session-check.js';

export const SESSION_FORMAT = 'qplay-session';
export const SESSION_VERSION = 1;

/**
 * Where an activation's parameters came from: an observer, a manual override, the weight's own
 * values (a weight listed among the tensors), another tensor's parameters (a shared range such as
 * Concat's or MaxPool's), a fixed range of the op (e.g. Sigmoid's [0, 1]), or the file itself
 * (an imported QDQ model).
 */
export type ParamSource = ObserverName | 'manual' | 'weights' | 'shared' | 'fixed' | 'imported';
export const PARAM_SOURCES: readonly ParamSource[] = [
  ...OBSERVER_NAMES,
  'manual',
  'weights',
  'shared',
  'fixed',
  'imported',
];

/** Quantization parameters: one scale and zero point, or one per channel along `axis`. */
export interface QuantParamsEntry {
  readonly dtype: QuantizedDType;
  readonly scale: number | readonly number[];
  readonly zeroPoint: number | readonly number[];
  /** Present exactly when scale and zeroPoint are lists. */
  readonly axis?: number;
}

/** An entry of `tensors`: a quantized activation (or a weight with an override). */
export interface TensorParams extends QuantParamsEntry {
  readonly observer: ParamSource;
  /** The calibrated range [min, max] the parameters were computed from. */
  readonly range: readonly [number, number];
  readonly passthrough: boolean;
  readonly override?: TensorOverride;
}

/** An entry of `weights`: a weight's parameters (derived from the model and config; optional). */
export interface WeightParams extends QuantParamsEntry {
  readonly passthrough: boolean;
}

export interface CalibrationInfo {
  /** What the calibration set was, in words ("8 samples from data/ (ONNX test-data layout)"). */
  readonly description: string;
  readonly samples: number;
  /** Operators calibrated so far, of `steps` (equal when calibration ran to the end). */
  readonly step: number;
  readonly steps: number;
  readonly errorPropagation: boolean;
}

export interface ModelReference {
  readonly name: string;
  readonly bytes: number;
  /** SHA-256 of the model file, 64 lowercase hex digits. */
  readonly sha256: string;
}

export interface SessionDocument {
  readonly format: typeof SESSION_FORMAT;
  readonly version: typeof SESSION_VERSION;
  readonly model: ModelReference;
  readonly config: QuantConfig;
  readonly tensors: Readonly<Record<string, TensorParams>>;
  readonly weights: Readonly<Record<string, WeightParams>>;
  readonly calibration: CalibrationInfo;
  /** Free-form, written by the engine; the reader only checks it is an object. */
  readonly metrics: object;
}

const ROOT_KEYS = [
  'format',
  'version',
  'model',
  'config',
  'tensors',
  'weights',
  'calibration',
  'metrics',
] as const;
const MODEL_KEYS = ['name', 'bytes', 'sha256'] as const;
const PARAM_KEYS = ['dtype', 'scale', 'zeroPoint', 'axis'] as const;
const TENSOR_KEYS = [...PARAM_KEYS, 'observer', 'range', 'passthrough', 'override'] as const;
const WEIGHT_KEYS = [...PARAM_KEYS, 'passthrough'] as const;
const CALIBRATION_KEYS = ['description', 'samples', 'step', 'steps', 'errorPropagation'] as const;
const SHA256 = /^[0-9a-f]{64}$/;
/** ONNX sets no bound on rank; this one only keeps nonsense out of messages. */
const MAX_AXIS = 1 << 16;

const ZERO_POINT_RANGE: Readonly<Record<QuantizedDType, readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
};

/** Reads a session document from its JSON text; every problem is one InputError line. */
export function parseSession(text: string, where?: string): SessionDocument {
  return readSession(parseJsonText(text, where), where);
}

/** Reads a session document already parsed from JSON (the share-link decoder gives one). */
export function readSession(json: unknown, where?: string): SessionDocument {
  const root: At = { where, path: '' };
  if (!isObject(json))
    fail(root, `not a qplay session: the document is ${describeRoot(json)}, not an object`);
  if (!has(json, 'format')) fail(root, `not a qplay session: it has no "format": "${SESSION_FORMAT}"`);
  if (json.format !== SESSION_FORMAT) {
    fail(
      root,
      `not a qplay session: "format" is ${JSON.stringify(json.format)}, expected "${SESSION_FORMAT}"`,
    );
  }
  const version = required(json, 'version', root);
  if (typeof version === 'number' && Number.isInteger(version) && version > SESSION_VERSION) {
    fail(root, `session version ${version} is newer than this qplay reads (${SESSION_VERSION})`);
  }
  if (version !== SESSION_VERSION) {
    fail(
      field(root, 'version'),
      `unknown session version ${JSON.stringify(version)} (this qplay reads ${SESSION_VERSION})`,
    );
  }
  const o = readObject(json, root, ROOT_KEYS);
  const config = readConfigAt(required(o, 'config', root), field(root, 'config'));
  const roles: RoleCandidate[] = [
    { label: 'an activation', role: config.activations },
    { label: 'a weight', role: config.weights },
  ];
  const metricsAt = field(root, 'metrics');
  const metrics = readObject(required(o, 'metrics', root), metricsAt);
  return {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    model: readModel(required(o, 'model', root), field(root, 'model')),
    config,
    tensors: readMap(required(o, 'tensors', root), field(root, 'tensors'), (v, at) =>
      readTensor(v, at, roles),
    ),
    weights: readMap(required(o, 'weights', root), field(root, 'weights'), readWeight),
    calibration: readCalibration(required(o, 'calibration', root), field(root, 'calibration')),
    metrics,
  };
}

function describeRoot(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

function readModel(v: unknown, at: At): ModelReference {
  const o = readObject(v, at, MODEL_KEYS);
  const name = readString(required(o, 'name', at), field(at, 'name'));
  if (name === '') fail(field(at, 'name'), 'must not be empty');
  const bytes = readInteger(required(o, 'bytes', at), field(at, 'bytes'), 0, Number.MAX_SAFE_INTEGER);
  const sha256 = readString(required(o, 'sha256', at), field(at, 'sha256'));
  if (!SHA256.test(sha256)) {
    fail(
      field(at, 'sha256'),
      `must be a SHA-256 digest as 64 lowercase hex digits, got ${quoteName(sha256)}`,
    );
  }
  return { name, bytes, sha256 };
}

function readMap<T>(v: unknown, at: At, read: (v: unknown, at: At) => T): Record<string, T> {
  const o = readObject(v, at);
  const out = nameMap<T>();
  for (const name of Object.keys(o)) {
    if (name === '') fail(at, 'an entry has an empty tensor name');
    out[name] = read(o[name], entry(at, name));
  }
  return out;
}

/** A scale: positive, finite and exactly an f32 value (see the header). */
function readScale(v: unknown, at: At): number {
  const s = readNumber(v, at);
  if (!(s > 0)) fail(at, `a scale must be positive, got ${s}`);
  const f = Math.fround(s);
  if (f !== s) {
    fail(
      at,
      `${s} is not exactly an f32 value (nearest: ${f}); scales are stored as f32, so write them as qplay prints them`,
    );
  }
  return s;
}

function readZeroPoint(v: unknown, at: At, dtype: QuantizedDType): number {
  const z = readNumber(v, at);
  const [lo, hi] = ZERO_POINT_RANGE[dtype];
  if (!Number.isInteger(z) || z < lo || z > hi)
    fail(at, `a ${dtype} zero point must be an integer in ${lo}..${hi}, got ${z}`);
  return z + 0;
}

function readParams(o: JsonObject, at: At): QuantParamsEntry {
  const dtype = readEnum(required(o, 'dtype', at), field(at, 'dtype'), QUANTIZED_DTYPES);
  const sAt = field(at, 'scale');
  const zAt = field(at, 'zeroPoint');
  const scale = required(o, 'scale', at);
  const zeroPoint = required(o, 'zeroPoint', at);
  if (!Array.isArray(scale)) {
    if (Array.isArray(zeroPoint)) {
      fail(
        at,
        'scale is one number but zeroPoint is a list; give both as numbers (per tensor) or both as lists (per channel)',
      );
    }
    if (has(o, 'axis')) fail(field(at, 'axis'), 'per-tensor parameters (a single scale) have no axis');
    return { dtype, scale: readScale(scale, sAt), zeroPoint: readZeroPoint(zeroPoint, zAt, dtype) };
  }
  if (!Array.isArray(zeroPoint)) {
    fail(
      at,
      'scale is a list but zeroPoint is not; give both as lists (per channel) or both as numbers (per tensor)',
    );
  }
  if (scale.length === 0) fail(sAt, 'a per-channel scale list must not be empty');
  if (scale.length !== zeroPoint.length) {
    fail(at, `per-channel lists differ in length: ${scale.length} scales, ${zeroPoint.length} zero points`);
  }
  if (!has(o, 'axis')) fail(at, 'per-channel parameters (scale and zeroPoint lists) need an "axis"');
  const axis = readInteger(o.axis, field(at, 'axis'), -MAX_AXIS, MAX_AXIS);
  return {
    dtype,
    scale: readArray(scale, sAt).map((s, i) => readScale(s, index(sAt, i))),
    zeroPoint: zeroPoint.map((z, i) => readZeroPoint(z, index(zAt, i), dtype)),
    axis,
  };
}

function readRange(v: unknown, at: At): readonly [number, number] {
  if (!Array.isArray(v) || v.length !== 2) fail(at, `must be [min, max], got ${describeRange(v)}`);
  const min = readNumber(v[0], index(at, 0));
  const max = readNumber(v[1], index(at, 1));
  if (min > max) fail(at, `min ${min} is greater than max ${max}`);
  return [min + 0, max + 0];
}

function describeRange(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return v === null ? 'null' : typeof v === 'object' ? 'an object' : JSON.stringify(v);
}

function readTensor(v: unknown, at: At, roles: readonly RoleCandidate[]): TensorParams {
  const o = readObject(v, at, TENSOR_KEYS);
  const params = readParams(o, at);
  const t: TensorParams = {
    ...params,
    observer: readEnum(required(o, 'observer', at), field(at, 'observer'), PARAM_SOURCES),
    range: readRange(required(o, 'range', at), field(at, 'range')),
    passthrough: readBoolean(required(o, 'passthrough', at), field(at, 'passthrough')),
  };
  return has(o, 'override') ? { ...t, override: readOverride(o.override, field(at, 'override'), roles) } : t;
}

function readWeight(v: unknown, at: At): WeightParams {
  const o = readObject(v, at, WEIGHT_KEYS);
  return {
    ...readParams(o, at),
    passthrough: readBoolean(required(o, 'passthrough', at), field(at, 'passthrough')),
  };
}

function readCalibration(v: unknown, at: At): CalibrationInfo {
  const o = readObject(v, at, CALIBRATION_KEYS);
  const steps = readInteger(required(o, 'steps', at), field(at, 'steps'), 0, Number.MAX_SAFE_INTEGER);
  const step = readInteger(required(o, 'step', at), field(at, 'step'), 0, Number.MAX_SAFE_INTEGER);
  if (step > steps) fail(field(at, 'step'), `step ${step} is past the last step (${steps})`);
  return {
    description: readString(required(o, 'description', at), field(at, 'description')),
    samples: readInteger(required(o, 'samples', at), field(at, 'samples'), 0, Number.MAX_SAFE_INTEGER),
    step,
    steps,
    errorPropagation: readBoolean(required(o, 'errorPropagation', at), field(at, 'errorPropagation')),
  };
}

// ---- writing ----

/** Numbers, or a list of them (a Float32Array from the engine is accepted as a list). */
function numbers(v: number | ArrayLike<number>): number | number[] {
  return typeof v === 'number' ? v : Array.from(v);
}

function paramsJson(p: QuantParamsEntry): Record<string, unknown> {
  return {
    dtype: p.dtype,
    scale: numbers(p.scale),
    zeroPoint: numbers(p.zeroPoint),
    ...(p.axis !== undefined ? { axis: p.axis } : {}),
  };
}

function sortedMap<T>(map: Readonly<Record<string, T>>, write: (v: T) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(map).sort()) setOwn(out, name, write(map[name]));
  return out;
}

/** The document as plain JSON values, keys in the documented order, tensor names sorted. */
export function sessionToJson(doc: SessionDocument): Record<string, unknown> {
  return {
    format: doc.format,
    version: doc.version,
    model: { name: doc.model.name, bytes: doc.model.bytes, sha256: doc.model.sha256 },
    config: configToJson(doc.config),
    tensors: sortedMap(doc.tensors, (t) => ({
      ...paramsJson(t),
      observer: t.observer,
      range: [t.range[0], t.range[1]],
      passthrough: t.passthrough,
      ...(t.override !== undefined ? { override: overrideToJson(t.override) } : {}),
    })),
    weights: sortedMap(doc.weights, (w) => ({ ...paramsJson(w), passthrough: w.passthrough })),
    calibration: {
      description: doc.calibration.description,
      samples: doc.calibration.samples,
      step: doc.calibration.step,
      steps: doc.calibration.steps,
      errorPropagation: doc.calibration.errorPropagation,
    },
    metrics: doc.metrics,
  };
}

/**
 * The document as pretty JSON with a stable key order. It is checked by the same reader first, so
 * a writer never produces a file the reader refuses (an engine bug shows here, not at the next load).
 */
export function serializeSession(doc: SessionDocument): string {
  const json = sessionToJson(doc);
  readSession(json, 'cannot write the session');
  return writeJsonText(json);
}

// The session document: written and read back equal (curated and random documents), scales bit
// for bit (every kind of positive f32), a stable text, each bad document refused with one line
// naming the problem, and the check against the model it is opened with (mnist-8).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { InputError } from '../../app/model/errors.js';
import { DEFAULT_CONFIG, OBSERVER_NAMES, type QuantConfig } from '../../app/quant/config.js';
import { configToJson, parseConfig } from '../../app/quant/config-parse.js';
import {
  checkModelIdentity,
  checkSessionAgainstModel,
  PARAM_SOURCES,
  parseSession,
  type SessionDocument,
  serializeSession,
  sessionToJson,
  type TensorParams,
  type WeightParams,
} from '../../app/session/session.js';
import { sha256Hex } from '../../app/session/sha256.js';

const MNIST_BYTES = new Uint8Array(readFileSync('tests/fixtures/models/mnist-8.onnx'));
const MNIST = decodeModel(MNIST_BYTES);
const SHA = 'ab'.repeat(32);

/** A small valid document on mnist-8's names. */
function baseDoc(): SessionDocument {
  return {
    format: 'qplay-session',
    version: 1,
    model: { name: 'mnist-8.onnx', bytes: MNIST_BYTES.length, sha256: SHA },
    config: DEFAULT_CONFIG,
    tensors: {
      Input3: {
        dtype: 'uint8',
        scale: 0.003921568859368563,
        zeroPoint: 0,
        observer: 'minmax',
        range: [0, 1],
        passthrough: false,
      },
      ReLU32_Output_0: {
        dtype: 'uint8',
        scale: Math.fround(0.0271),
        zeroPoint: 0,
        observer: 'shared',
        range: [0, 6.9],
        passthrough: true,
        override: { observer: 'mse', passthrough: true },
      },
    },
    weights: {
      Parameter5: {
        dtype: 'int8',
        scale: [1, 2, 3, 4, 5, 6, 7, 8].map((c) => Math.fround(c / 1000)),
        zeroPoint: [0, 0, 0, 0, 0, 0, 0, 0],
        axis: 0,
        passthrough: false,
      },
      Parameter194: { dtype: 'int8', scale: Math.fround(0.01), zeroPoint: 0, passthrough: false },
    },
    calibration: {
      description: '8 samples from data/',
      samples: 8,
      step: 7,
      steps: 7,
      errorPropagation: true,
    },
    metrics: { layers: [{ node: 'Convolution28', sqnr: { local: 31.5, cumulative: null } }], outputs: [] },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: the tests break arbitrary fields of the parsed JSON
type Loose = Record<string, any>;

/** The document as a plain JSON value, to break one field at a time. */
function baseJson(): Loose {
  return JSON.parse(serializeSession(baseDoc()));
}

function refusal(text: string, where = 's.json'): string {
  try {
    parseSession(text, where);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`accepted ${text.slice(0, 200)}`);
}

/** Breaks a copy of the base document with `edit` and returns the reader's message. */
function refusalOf(edit: (j: Loose) => void): string {
  const j = baseJson();
  edit(j);
  return refusal(JSON.stringify(j));
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bits = new Uint32Array(1);
const f32 = new Float32Array(bits.buffer);
/** The f32 value with these bits. */
function fromBits(b: number): number {
  bits[0] = b;
  return f32[0];
}
function toBits(x: number): number {
  f32[0] = x;
  return bits[0];
}
/** A random positive finite f32 (any exponent, subnormals included). */
function randomF32(r: () => number): number {
  return fromBits(1 + Math.floor(r() * 0x7f7fffff));
}

const NAMES = [
  'conv1',
  'a.b',
  'x y',
  '__proto__',
  'constructor',
  '12',
  '0',
  'ü/out:0',
  'q"uote',
  'tab\tname',
  '\u{1f600}',
];

function randomDoc(r: () => number): SessionDocument {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const params = () => {
    const dtype = pick(['int8', 'uint8'] as const);
    const zp = () => (dtype === 'int8' ? -128 + Math.floor(r() * 256) : Math.floor(r() * 256));
    if (r() < 0.5) return { dtype, scale: randomF32(r), zeroPoint: zp() };
    const n = 1 + Math.floor(r() * 16);
    return {
      dtype,
      scale: Array.from({ length: n }, () => randomF32(r)),
      zeroPoint: Array.from({ length: n }, zp),
      axis: Math.floor(r() * 4),
    };
  };
  const tensors: Record<string, TensorParams> = Object.create(null);
  const weights: Record<string, WeightParams> = Object.create(null);
  for (let i = Math.floor(r() * 6); i > 0; i--) {
    const lo = (r() - 0.7) * 100;
    tensors[pick(NAMES) + (r() < 0.5 ? '' : String(i))] = {
      ...params(),
      observer: pick(PARAM_SOURCES),
      range: [lo, lo + r() * 50],
      passthrough: r() < 0.3,
      ...(r() < 0.3 ? { override: { observer: pick(OBSERVER_NAMES), min: -1, max: 1 } } : {}),
    };
  }
  for (let i = Math.floor(r() * 6); i > 0; i--)
    weights[pick(NAMES)] = { ...params(), passthrough: r() < 0.2 };
  const steps = Math.floor(r() * 60);
  const config: QuantConfig = parseConfig({
    activations: { observer: pick(OBSERVER_NAMES), bins: 16 + Math.floor(r() * 1000) },
    weights: { perChannel: r() < 0.5 },
    errorPropagation: r() < 0.5,
    overrides: r() < 0.5 ? { [pick(NAMES)]: { passthrough: true, dtype: 'int8' } } : {},
  });
  return {
    format: 'qplay-session',
    version: 1,
    model: {
      name: `${pick(NAMES)}.onnx`,
      bytes: Math.floor(r() * 1e9),
      sha256: Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join(''),
    },
    config,
    tensors,
    weights,
    calibration: {
      description: `${Math.floor(r() * 100)} images from "data/"`,
      samples: Math.floor(r() * 100),
      step: Math.floor(r() * (steps + 1)),
      steps,
      errorPropagation: config.errorPropagation,
    },
    metrics: r() < 0.5 ? {} : { outputs: [{ name: 'y', sqnr: r() * 40, top1Agreement: r() }], note: 'x' },
  };
}

describe('session document: round trips', () => {
  it('reads back what it writes, and writes what it read identically', () => {
    const doc = baseDoc();
    const text = serializeSession(doc);
    const back = parseSession(text, 's.json');
    expect(back).toEqual(doc);
    expect(serializeSession(back)).toBe(text);
  });

  it('round-trips 300 random documents (odd names, per-channel lists, random f32 scales)', () => {
    const r = rng(7);
    for (let k = 0; k < 300; k++) {
      const doc = randomDoc(r);
      const text = serializeSession(doc);
      const back = parseSession(text);
      expect(back).toEqual(doc);
      expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(doc.tensors).sort());
      expect(Object.keys(back.weights).sort()).toEqual(Object.keys(doc.weights).sort());
      expect(serializeSession(back)).toBe(text);
    }
  });

  it('gives scales back bit for bit: 100,000 random f32 patterns, subnormals, the smallest and the largest', () => {
    const r = rng(8);
    const edges = [1, 2, 0x007fffff, 0x00800000, 0x00800001, 0x3f800000, 0x3dcccccd, 0x7f7ffffe, 0x7f7fffff];
    const all: number[] = [...edges.map(fromBits)];
    for (let i = 0; i < 100_000; i++) all.push(randomF32(r));
    const chunk = 5000;
    for (let at = 0; at < all.length; at += chunk) {
      const scales = all.slice(at, at + chunk);
      const doc: SessionDocument = {
        ...baseDoc(),
        weights: {
          w: { dtype: 'int8', scale: scales, zeroPoint: scales.map(() => 0), axis: 0, passthrough: false },
          s: { dtype: 'uint8', scale: scales[0], zeroPoint: 255, passthrough: false },
        },
      };
      const back = parseSession(serializeSession(doc)).weights;
      const got = back.w.scale as readonly number[];
      expect(got.length).toBe(scales.length);
      for (let i = 0; i < scales.length; i++) {
        if (toBits(got[i]) !== toBits(scales[i]))
          throw new Error(`bits of ${scales[i]} came back as ${got[i]}`);
      }
      expect(toBits(back.s.scale as number)).toBe(toBits(scales[0]));
    }
  });

  it('writes a stable text: tensor names sorted, keys in the documented order, lists on one line', () => {
    const doc = baseDoc();
    const reversed: SessionDocument = {
      ...doc,
      tensors: Object.fromEntries(Object.entries(doc.tensors).reverse()),
      weights: Object.fromEntries(Object.entries(doc.weights).reverse()),
    };
    const text = serializeSession(doc);
    expect(serializeSession(reversed)).toBe(text);
    expect(Object.keys(JSON.parse(text))).toEqual([
      'format',
      'version',
      'model',
      'config',
      'tensors',
      'weights',
      'calibration',
      'metrics',
    ]);
    expect(Object.keys(JSON.parse(text).weights)).toEqual(['Parameter194', 'Parameter5']);
    expect(text).toContain(
      '"scale": [0.0010000000474974513, 0.0020000000949949026, 0.003000000026077032, 0.004000000189989805, ' +
        '0.004999999888241291, 0.006000000052154064, 0.007000000216066837, 0.00800000037997961]',
    );
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.stringify(sessionToJson(doc).config)).toBe(JSON.stringify(configToJson(doc.config)));
  });

  it('refuses to write a document it would not read back', () => {
    const doc = {
      ...baseDoc(),
      weights: { w: { dtype: 'int8', scale: 0.1, zeroPoint: 0, passthrough: false } },
    };
    expect(() => serializeSession(doc as SessionDocument)).toThrow(
      'cannot write the session: weights["w"].scale: 0.1 is not exactly an f32 value (nearest: 0.10000000149011612)',
    );
  });

  it('may leave the weights out (a share link recomputes them)', () => {
    const doc = { ...baseDoc(), weights: {} };
    expect(parseSession(serializeSession(doc))).toEqual(doc);
  });
});

describe('session document: refusals', () => {
  it('bad JSON, with line, column and offset', () => {
    const text = serializeSession(baseDoc());
    const broken = text.replace('"samples": 8,', '"samples": 8');
    expect(refusal(broken)).toMatch(
      /^s\.json: bad JSON at line \d+, column \d+ \(offset \d+\): expected ',' or '}' after a value in an object, found '"'$/,
    );
    expect(refusal('')).toBe('s.json: bad JSON at line 1, column 1 (offset 0): the text is empty');
    expect(refusal(text.slice(0, 100))).toMatch(
      /^s\.json: bad JSON at line \d+, column \d+ \(offset 100\): /,
    );
    expect(refusal(`${text}x`)).toMatch(/unexpected 'x' after the end of the document$/);
    expect(refusal('{"format": "qplay-session", "version": 1, "version": 1}')).toBe(
      's.json: bad JSON at line 1, column 43 (offset 42): key "version" appears twice in one object',
    );
    expect(refusal('{"a": 01}')).toMatch(/expected a complete number, found '1'/);
    expect(refusal('{"a": "x\ny"}')).toMatch(/control character \\x0a inside a string/);
    expect(refusal('{"a": NaN}')).toMatch(/expected a value, found 'N'/);
    expect(refusal('[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['.repeat(10))).toMatch(
      /nested deeper than 256 levels/,
    );
  });

  it('a document that is not a session, or a newer or unknown version', () => {
    expect(refusal('[1]')).toBe('s.json: not a qplay session: the document is an array, not an object');
    expect(refusal('{"version": 1}')).toBe(
      's.json: not a qplay session: it has no "format": "qplay-session"',
    );
    expect(refusalOf((j) => (j.format = 'onnx'))).toBe(
      's.json: not a qplay session: "format" is "onnx", expected "qplay-session"',
    );
    expect(refusalOf((j) => (j.version = 2))).toBe(
      's.json: session version 2 is newer than this qplay reads (1)',
    );
    // A newer version is named before its unknown keys are.
    expect(refusalOf((j) => Object.assign(j, { version: 3, links: [] }))).toMatch(
      /session version 3 is newer/,
    );
    expect(refusalOf((j) => (j.version = 0))).toBe(
      's.json: version: unknown session version 0 (this qplay reads 1)',
    );
    expect(refusalOf((j) => (j.version = '1'))).toBe(
      's.json: version: unknown session version "1" (this qplay reads 1)',
    );
    expect(refusalOf((j) => (j.config.version = 2))).toBe(
      's.json: config: config version 2 is newer than this qplay reads (1)',
    );
  });

  it('missing fields, each named', () => {
    for (const key of ['version', 'model', 'config', 'tensors', 'weights', 'calibration', 'metrics']) {
      expect(refusalOf((j) => delete j[key])).toBe(`s.json: missing field "${key}"`);
    }
    for (const key of ['name', 'bytes', 'sha256']) {
      expect(refusalOf((j) => delete j.model[key])).toBe(`s.json: model: missing field "${key}"`);
    }
    for (const key of ['dtype', 'scale', 'zeroPoint', 'observer', 'range', 'passthrough']) {
      expect(refusalOf((j) => delete j.tensors.Input3[key])).toBe(
        `s.json: tensors["Input3"]: missing field "${key}"`,
      );
    }
    for (const key of ['dtype', 'scale', 'zeroPoint', 'passthrough']) {
      expect(refusalOf((j) => delete j.weights.Parameter194[key])).toBe(
        `s.json: weights["Parameter194"]: missing field "${key}"`,
      );
    }
    for (const key of ['description', 'samples', 'step', 'steps', 'errorPropagation']) {
      expect(refusalOf((j) => delete j.calibration[key])).toBe(`s.json: calibration: missing field "${key}"`);
    }
  });

  it('unknown keys at every level', () => {
    expect(refusalOf((j) => (j.comment = 'hi'))).toMatch(
      /^s\.json: comment: unknown key \(allowed here: format, /,
    );
    expect(refusalOf((j) => (j.model.size = 3))).toMatch(/^s\.json: model\.size: unknown key/);
    expect(refusalOf((j) => (j.tensors.Input3.zeropoint = 0))).toBe(
      's.json: tensors["Input3"].zeropoint: unknown key (did you mean "zeroPoint"?)',
    );
    expect(refusalOf((j) => (j.weights.Parameter5.observer = 'minmax'))).toMatch(
      /^s\.json: weights\["Parameter5"\]\.observer: unknown key/,
    );
    expect(refusalOf((j) => (j.calibration.sample = 8))).toMatch(
      /^s\.json: calibration\.sample: unknown key \(did you mean "samples"\?\)/,
    );
    expect(refusalOf((j) => (j.config.activations.bin = 8))).toBe(
      's.json: config.activations.bin: unknown key (did you mean "bins"?)',
    );
    expect(refusalOf((j) => (j.tensors.ReLU32_Output_0.override.pass = true))).toMatch(
      /^s\.json: tensors\["ReLU32_Output_0"\]\.override\.pass: unknown key/,
    );
  });

  it('non-finite, non-positive or non-f32 scales', () => {
    expect(refusalOf((j) => (j.tensors.Input3.scale = 0))).toBe(
      's.json: tensors["Input3"].scale: a scale must be positive, got 0',
    );
    expect(refusalOf((j) => (j.tensors.Input3.scale = -0.5))).toMatch(/a scale must be positive, got -0\.5/);
    expect(refusalOf((j) => (j.weights.Parameter5.scale[3] = -1))).toBe(
      's.json: weights["Parameter5"].scale[3]: a scale must be positive, got -1',
    );
    expect(refusalOf((j) => (j.tensors.Input3.scale = '0.1'))).toBe(
      's.json: tensors["Input3"].scale: must be a number, got "0.1"',
    );
    const text = serializeSession(baseDoc()).replace('"scale": 0.003921568859368563', '"scale": 1e999');
    expect(refusal(text)).toBe('s.json: tensors["Input3"].scale: must be a finite number, got Infinity');
    expect(refusalOf((j) => (j.tensors.Input3.scale = 0.1))).toBe(
      's.json: tensors["Input3"].scale: 0.1 is not exactly an f32 value (nearest: 0.10000000149011612); scales are stored as f32, so write them as qplay prints them',
    );
    expect(refusalOf((j) => (j.tensors.Input3.scale = 1e-46))).toMatch(
      /1e-46 is not exactly an f32 value \(nearest: 0\)/,
    );
    expect(refusalOf((j) => (j.tensors.Input3.scale = 3.5e38))).toMatch(
      /3\.5e\+38 is not exactly an f32 value \(nearest: Infinity\)/,
    );
  });

  it('zero points that are not integers inside the dtype', () => {
    expect(refusalOf((j) => (j.tensors.Input3.zeroPoint = 256))).toBe(
      's.json: tensors["Input3"].zeroPoint: a uint8 zero point must be an integer in 0..255, got 256',
    );
    expect(refusalOf((j) => (j.tensors.Input3.zeroPoint = -1))).toMatch(
      /a uint8 zero point must be an integer in 0\.\.255, got -1/,
    );
    expect(refusalOf((j) => (j.weights.Parameter194.zeroPoint = 128))).toBe(
      's.json: weights["Parameter194"].zeroPoint: a int8 zero point must be an integer in -128..127, got 128',
    );
    expect(refusalOf((j) => (j.weights.Parameter5.zeroPoint[7] = -129))).toMatch(
      /weights\["Parameter5"\]\.zeroPoint\[7\]: a int8 zero point must be an integer in -128\.\.127, got -129/,
    );
    expect(refusalOf((j) => (j.tensors.Input3.zeroPoint = 1.5))).toMatch(
      /must be an integer in 0\.\.255, got 1\.5/,
    );
    expect(refusalOf((j) => (j.tensors.Input3.dtype = 'int16'))).toBe(
      's.json: tensors["Input3"].dtype: must be one of int8, uint8; got "int16"',
    );
    // -128 is a valid int8 zero point even though a symmetric range never uses it.
    expect(() =>
      parseSession(
        JSON.stringify({
          ...baseJson(),
          weights: { w: { dtype: 'int8', scale: 1, zeroPoint: -128, passthrough: false } },
        }),
      ),
    ).not.toThrow();
  });

  it('per-channel lists: equal lengths, an axis, both lists or neither', () => {
    expect(refusalOf((j) => j.weights.Parameter5.zeroPoint.pop())).toBe(
      's.json: weights["Parameter5"]: per-channel lists differ in length: 8 scales, 7 zero points',
    );
    expect(refusalOf((j) => delete j.weights.Parameter5.axis)).toBe(
      's.json: weights["Parameter5"]: per-channel parameters (scale and zeroPoint lists) need an "axis"',
    );
    expect(refusalOf((j) => (j.weights.Parameter5.zeroPoint = 0))).toMatch(
      /scale is a list but zeroPoint is not/,
    );
    expect(refusalOf((j) => (j.weights.Parameter194.zeroPoint = [0]))).toMatch(
      /scale is one number but zeroPoint is a list/,
    );
    expect(refusalOf((j) => (j.weights.Parameter194.axis = 0))).toBe(
      's.json: weights["Parameter194"].axis: per-tensor parameters (a single scale) have no axis',
    );
    expect(refusalOf((j) => Object.assign(j.weights.Parameter5, { scale: [], zeroPoint: [] }))).toBe(
      's.json: weights["Parameter5"].scale: a per-channel scale list must not be empty',
    );
    expect(refusalOf((j) => (j.weights.Parameter5.axis = 0.5))).toBe(
      's.json: weights["Parameter5"].axis: must be an integer, got 0.5',
    );
  });

  it('ranges that are not [finite, finite] with min <= max', () => {
    expect(refusalOf((j) => (j.tensors.Input3.range = [2, 1]))).toBe(
      's.json: tensors["Input3"].range: min 2 is greater than max 1',
    );
    expect(refusalOf((j) => (j.tensors.Input3.range = [1]))).toBe(
      's.json: tensors["Input3"].range: must be [min, max], got a list of 1',
    );
    expect(refusalOf((j) => (j.tensors.Input3.range = { min: 0, max: 1 }))).toMatch(
      /must be \[min, max\], got an object/,
    );
    expect(refusalOf((j) => (j.tensors.Input3.range = [null, 1]))).toBe(
      's.json: tensors["Input3"].range[0]: must be a number, got null',
    );
    const text = serializeSession(baseDoc()).replace('"range": [0, 1]', '"range": [0, 1e400]');
    expect(refusal(text)).toBe('s.json: tensors["Input3"].range[1]: must be a finite number, got Infinity');
    expect(
      parseSession(
        JSON.stringify({ ...baseJson(), tensors: { t: { ...baseJson().tensors.Input3, range: [3, 3] } } }),
      ).tensors.t.range,
    ).toEqual([3, 3]);
  });

  it('a bad model reference', () => {
    expect(refusalOf((j) => (j.model.sha256 = SHA.toUpperCase()))).toBe(
      `s.json: model.sha256: must be a SHA-256 digest as 64 lowercase hex digits, got "${SHA.toUpperCase()}"`,
    );
    expect(refusalOf((j) => (j.model.sha256 = SHA.slice(1)))).toMatch(
      /model\.sha256: must be a SHA-256 digest/,
    );
    expect(refusalOf((j) => (j.model.sha256 = `${SHA.slice(1)}g`))).toMatch(
      /model\.sha256: must be a SHA-256 digest/,
    );
    expect(refusalOf((j) => (j.model.bytes = -1))).toMatch(
      /model\.bytes: must be an integer in 0\.\.\d+, got -1/,
    );
    expect(refusalOf((j) => (j.model.bytes = 12.5))).toBe(
      's.json: model.bytes: must be an integer, got 12.5',
    );
    expect(refusalOf((j) => (j.model.name = ''))).toBe('s.json: model.name: must not be empty');
  });

  it('bad entries elsewhere: observer, passthrough, calibration, metrics, names', () => {
    expect(refusalOf((j) => (j.tensors.Input3.observer = 'kl'))).toMatch(
      /^s\.json: tensors\["Input3"\]\.observer: must be one of minmax, moving-average, percentile, entropy, mse, manual, weights, shared, fixed, imported; got "kl"$/,
    );
    expect(refusalOf((j) => (j.weights.Parameter194.passthrough = 'no'))).toBe(
      's.json: weights["Parameter194"].passthrough: must be true or false, got "no"',
    );
    expect(refusalOf((j) => (j.calibration.step = 8))).toBe(
      's.json: calibration.step: step 8 is past the last step (7)',
    );
    expect(refusalOf((j) => (j.calibration.samples = -2))).toMatch(
      /calibration\.samples: must be an integer in 0\.\./,
    );
    expect(refusalOf((j) => (j.metrics = []))).toBe('s.json: metrics: must be an object, got an array');
    expect(refusalOf((j) => (j.metrics = null))).toBe('s.json: metrics: must be an object, got null');
    expect(refusalOf((j) => (j.tensors[''] = j.tensors.Input3))).toBe(
      's.json: tensors: an entry has an empty tensor name',
    );
    expect(refusalOf((j) => (j.tensors = []))).toBe('s.json: tensors: must be an object, got an array');
    expect(refusalOf((j) => (j.tensors.ReLU32_Output_0.override = { min: 1 }))).toMatch(
      /override: a manual range needs both "min" and "max"/,
    );
  });

  it('keeps a long or control-laden name to one short line', () => {
    const name = `evil\n${'x'.repeat(5000)}`;
    const message = refusalOf((j) => (j.tensors[name] = { ...j.tensors.Input3, scale: 0 }));
    expect(message.length).toBeLessThan(400);
    expect(message).toContain('tensors["evil\\nxxx');
  });
});

describe('checkSessionAgainstModel (mnist-8)', () => {
  it('accepts a session on the model’s names', () => {
    expect(() => checkSessionAgainstModel(baseDoc(), MNIST, 's.json')).not.toThrow();
    // A negative axis counts from the end.
    const doc = baseDoc();
    const w = { ...doc.weights.Parameter5, axis: -4 };
    expect(() =>
      checkSessionAgainstModel({ ...doc, weights: { ...doc.weights, Parameter5: w } }, MNIST),
    ).not.toThrow();
  });

  it('refuses tensors the model does not have, naming the first few and the count', () => {
    const doc = baseDoc();
    const extra = Object.fromEntries(
      ['conv_a', 'conv_b', 'conv_c', 'conv_d', 'conv_e', 'conv_f', 'conv_g'].map((n) => [
        n,
        doc.tensors.Input3,
      ]),
    );
    expect(() =>
      checkSessionAgainstModel({ ...doc, tensors: { ...doc.tensors, ...extra } }, MNIST, 's.json'),
    ).toThrow(
      's.json: tensors: 7 tensors the model does not have: "conv_a", "conv_b", "conv_c", "conv_d", "conv_e", and 2 more ' +
        '(the session was made for "mnist-8.onnx", 26454 bytes)'.replace('26454', String(MNIST_BYTES.length)),
    );
    expect(() =>
      checkSessionAgainstModel({ ...doc, tensors: { ...doc.tensors, lonely: doc.tensors.Input3 } }, MNIST),
    ).toThrow(/^tensors: 1 tensor the model does not have: "lonely" \(/);
  });

  it('refuses weights that are not initializers of the model', () => {
    const doc = baseDoc();
    const w = doc.weights.Parameter194;
    // Parameter193_reshape1 is computed by a Reshape: a weight only once constants are materialized.
    expect(() =>
      checkSessionAgainstModel(
        { ...doc, weights: { ...doc.weights, Parameter193_reshape1: w, gone: w } },
        MNIST,
      ),
    ).toThrow(/^weights: 2 weights the model does not have: "Parameter193_reshape1", "gone" \(/);
  });

  it('refuses per-channel lists that do not match the weight along the axis', () => {
    const doc = baseDoc();
    const p5 = doc.weights.Parameter5;
    const four = { ...p5, scale: (p5.scale as number[]).slice(0, 4), zeroPoint: [0, 0, 0, 0] };
    expect(() =>
      checkSessionAgainstModel({ ...doc, weights: { ...doc.weights, Parameter5: four } }, MNIST, 's.json'),
    ).toThrow(
      's.json: weights["Parameter5"].scale: 4 scales along axis 0, but the weight has 8 channels there (dims [8, 1, 5, 5])',
    );
    const axis1 = { ...p5, axis: 1 };
    expect(() =>
      checkSessionAgainstModel({ ...doc, weights: { ...doc.weights, Parameter5: axis1 } }, MNIST),
    ).toThrow(
      'weights["Parameter5"].scale: 8 scales along axis 1, but the weight has 1 channel there (dims [8, 1, 5, 5])',
    );
    const axis4 = { ...p5, axis: 4 };
    expect(() =>
      checkSessionAgainstModel({ ...doc, weights: { ...doc.weights, Parameter5: axis4 } }, MNIST),
    ).toThrow('weights["Parameter5"].axis: 4 is not an axis of the weight (it has 4 dimensions)');
    // A weight listed among the tensors (it has an override) is checked the same way.
    const asTensor: TensorParams = { ...four, observer: 'weights', range: [-1, 1], passthrough: false };
    expect(() =>
      checkSessionAgainstModel({ ...doc, tensors: { ...doc.tensors, Parameter5: asTensor } }, MNIST),
    ).toThrow('tensors["Parameter5"].scale: 4 scales along axis 0, but the weight has 8 channels there');
    // An activation with declared dims: the graph input [1, 1, 28, 28].
    const input: TensorParams = { ...asTensor, scale: [1, 1], zeroPoint: [0, 0], axis: 1 };
    expect(() =>
      checkSessionAgainstModel({ ...doc, tensors: { ...doc.tensors, Input3: input } }, MNIST),
    ).toThrow(
      'tensors["Input3"].scale: 2 scales along axis 1, but the tensor has 1 channel there (dims [1, 1, 28, 28])',
    );
  });

  it('refuses config overrides of tensors the model does not have', () => {
    const doc = {
      ...baseDoc(),
      config: parseConfig({ overrides: { Input3: { passthrough: true }, nope: { passthrough: true } } }),
    };
    expect(() => checkSessionAgainstModel(doc, MNIST, 's.json')).toThrow(
      's.json: config.overrides: overrides name 1 tensor the model does not have: "nope"',
    );
  });
});

describe('sha256Hex and checkModelIdentity', () => {
  it('hashes like every SHA-256 (FIPS 180 test vectors)', async () => {
    expect(await sha256Hex(new Uint8Array())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    // A view hashes its own bytes, not the rest of its buffer.
    const big = new TextEncoder().encode('xxabcxx');
    expect(await sha256Hex(big.subarray(2, 5))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('accepts the model the session was made for and refuses another file', async () => {
    const doc = {
      ...baseDoc(),
      model: { name: 'mnist-8.onnx', bytes: MNIST_BYTES.length, sha256: await sha256Hex(MNIST_BYTES) },
    };
    await expect(checkModelIdentity(doc, MNIST_BYTES)).resolves.toBeUndefined();
    const other = MNIST_BYTES.slice();
    other[100] ^= 1;
    await expect(checkModelIdentity(doc, other, 'model.onnx')).rejects.toThrow(
      new RegExp(
        `^model\\.onnx: this is not the model the session was made for: it expects "mnist-8\\.onnx" \\(${MNIST_BYTES.length} bytes, SHA-256 [0-9a-f]{12}…\\), this file has ${MNIST_BYTES.length} bytes and SHA-256 [0-9a-f]{12}…$`,
      ),
    );
    await expect(checkModelIdentity(doc, MNIST_BYTES.subarray(1))).rejects.toThrow(
      `this file has ${MNIST_BYTES.length - 1} bytes`,
    );
  });
});

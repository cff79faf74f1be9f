// The quantization config reader: defaults filled role by role, a config written by configToJson
// reads back equal (curated and random configs), and every refusal is one InputError line that
// names the key path and the problem.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { InputError } from '../../app/model/errors.js';
import {
  type AccumulatorName,
  DEFAULT_CONFIG,
  OBSERVER_NAMES,
  type QuantConfig,
  ROUNDING_NAMES,
  type TensorOverride,
} from '../../app/quant/config.js';
import {
  checkConfigAgainstModel,
  configToJson,
  parseConfig,
  parseConfigText,
  RANGE_MODES,
} from '../../app/quant/config-parse.js';

/** The one-line InputError message parseConfig gives for `json` (fails the test if it accepts). */
function refusal(json: unknown, where?: string): string {
  try {
    parseConfig(json, where);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`accepted ${JSON.stringify(json)}`);
}

/** A deterministic PRNG (mulberry32), so a failing random case can be replayed. */
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

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

const NAMES = ['conv1', 'a.b', 'x y', '__proto__', 'constructor', '12', 'ü/out:0', 'q"uote', 'back\\slash'];

function randomOverride(r: () => number, dtype: 'int8' | 'uint8'): TensorOverride {
  const o: Record<string, unknown> = {};
  if (r() < 0.5) o.dtype = dtype;
  if (r() < 0.3) o.symmetric = r() < 0.5;
  if (r() < 0.3) o.range = 'full';
  if (r() < 0.3) o.observer = pick(r, OBSERVER_NAMES);
  if (r() < 0.4) {
    const a = (r() - 0.5) * 10;
    o.min = a;
    o.max = a + r() * 5;
  }
  if (r() < 0.4) {
    o.scale = r() * 0.1 + 1e-6;
    o.zeroPoint = dtype === 'int8' ? 0 : Math.floor(r() * 128);
  }
  if (r() < 0.4) o.passthrough = r() < 0.5;
  return o as TensorOverride;
}

function randomConfig(r: () => number): QuantConfig {
  const accumulators: AccumulatorName[] = ['int32', 'x86-pairwise', 'wrap8', 'wrap16', 'sat24', 'sat32'];
  const overrides: Record<string, TensorOverride> = Object.create(null);
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) {
    overrides[pick(r, NAMES)] = randomOverride(r, DEFAULT_CONFIG.activations.dtype);
  }
  return {
    version: 1,
    activations: {
      dtype: 'uint8',
      symmetric: r() < 0.3,
      range: pick(r, RANGE_MODES),
      observer: pick(r, OBSERVER_NAMES),
      percentile: 50 + r() * 50,
      averagingConstant: r() * 0.5 + 0.001,
      bins: 16 + Math.floor(r() * 4000),
    },
    weights: { dtype: 'int8', symmetric: r() < 0.8, range: pick(r, RANGE_MODES), perChannel: r() < 0.5 },
    bias: { dtype: 'int32' },
    accumulator: pick(r, accumulators),
    rounding: pick(r, ROUNDING_NAMES),
    opTypes: DEFAULT_CONFIG.opTypes.filter(() => r() < 0.7),
    errorPropagation: r() < 0.5,
    overrides,
  };
}

describe('parseConfig: defaults and round trips', () => {
  it('an empty document is the default config', () => {
    expect(parseConfig({})).toEqual(DEFAULT_CONFIG);
    expect(parseConfig({ version: 1 })).toEqual(DEFAULT_CONFIG);
  });

  it('fills what a partial document leaves out, role by role', () => {
    const c = parseConfig({
      activations: { observer: 'mse' },
      weights: { perChannel: false },
      rounding: 'gemmlowp',
    });
    expect(c.activations).toEqual({ ...DEFAULT_CONFIG.activations, observer: 'mse' });
    expect(c.weights).toEqual({ ...DEFAULT_CONFIG.weights, perChannel: false });
    expect(c.rounding).toBe('gemmlowp');
    expect(c.accumulator).toBe(DEFAULT_CONFIG.accumulator);
    expect(c.opTypes).toEqual(DEFAULT_CONFIG.opTypes);
    expect(c.overrides).toEqual({});
  });

  it('reads back what configToJson writes (the defaults, and 300 random configs)', () => {
    expect(parseConfig(configToJson(DEFAULT_CONFIG))).toEqual(DEFAULT_CONFIG);
    const r = rng(6);
    for (let k = 0; k < 300; k++) {
      const c = randomConfig(r);
      const text = JSON.stringify(configToJson(c));
      const back = parseConfigText(text, 'random.json');
      expect(back).toEqual(c);
      expect(Object.keys(back.overrides).sort()).toEqual(Object.keys(c.overrides).sort());
      // Stable: writing what was read gives the same text.
      expect(JSON.stringify(configToJson(back))).toBe(text);
    }
  });

  it('writes keys in a fixed order whatever order the object was built in', () => {
    const a = parseConfig({ overrides: { b: { passthrough: true }, a: { max: 1, min: 0 } } });
    const b = parseConfig({ overrides: { a: { min: 0, max: 1 }, b: { passthrough: true } } });
    expect(JSON.stringify(configToJson(a))).toBe(JSON.stringify(configToJson(b)));
    expect(Object.keys(configToJson(a))).toEqual([
      'version',
      'activations',
      'weights',
      'bias',
      'accumulator',
      'rounding',
      'opTypes',
      'errorPropagation',
      'overrides',
    ]);
    expect(Object.keys((configToJson(a).overrides as Record<string, object>).a)).toEqual(['min', 'max']);
  });

  it('keeps odd tensor names as plain keys ("__proto__", "constructor")', () => {
    const c = parseConfigText(
      '{"overrides": {"__proto__": {"passthrough": true}, "constructor": {"observer": "mse"}}}',
    );
    expect(Object.keys(c.overrides).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(c.overrides, '__proto__')?.value).toEqual({ passthrough: true });
    const json = JSON.stringify(configToJson(c));
    expect(json).toContain('"__proto__":{"passthrough":true}');
    expect(parseConfigText(json)).toEqual(c);
  });

  it('accepts every accumulator name the kernels know, and each enum value', () => {
    for (const a of ['int32', 'x86-pairwise', 'wrap8', 'wrap32', 'sat8', 'sat16', 'sat32']) {
      expect(parseConfig({ accumulator: a }).accumulator).toBe(a);
    }
    for (const o of OBSERVER_NAMES)
      expect(parseConfig({ activations: { observer: o } }).activations.observer).toBe(o);
    for (const m of RANGE_MODES) expect(parseConfig({ weights: { range: m } }).weights.range).toBe(m);
    for (const n of ROUNDING_NAMES) expect(parseConfig({ rounding: n }).rounding).toBe(n);
  });

  it('accepts the bounds of the numeric settings', () => {
    expect(parseConfig({ activations: { percentile: 100 } }).activations.percentile).toBe(100);
    expect(parseConfig({ activations: { averagingConstant: 1 } }).activations.averagingConstant).toBe(1);
    expect(parseConfig({ activations: { bins: 16 } }).activations.bins).toBe(16);
    expect(parseConfig({ activations: { bins: 65536 } }).activations.bins).toBe(65536);
  });
});

describe('parseConfig: refusals', () => {
  it('a newer or unknown version', () => {
    expect(refusal({ version: 2 }, 'cfg.json')).toBe(
      'cfg.json: config version 2 is newer than this qplay reads (1)',
    );
    expect(refusal({ version: 0 })).toMatch(/^version: must be 1, got 0$/);
    expect(refusal({ version: '1' })).toMatch(/^version: must be 1, got "1"$/);
  });

  it('a document that is not an object', () => {
    expect(refusal([], 'cfg.json')).toBe(
      'cfg.json: a quantization config must be a JSON object, got an array',
    );
    expect(refusal(null)).toMatch(/must be a JSON object, got null/);
    expect(refusal('minmax')).toMatch(/must be a JSON object, got a string/);
  });

  it('unknown keys, named by their path, with a suggestion when one is close', () => {
    expect(refusal({ activations: { obsrver: 'mse' } }, 'cfg.json')).toBe(
      'cfg.json: activations.obsrver: unknown key (did you mean "observer"?)',
    );
    expect(refusal({ weigths: {} })).toBe('weigths: unknown key (did you mean "weights"?)');
    expect(refusal({ quantizeEverything: true })).toMatch(
      /^quantizeEverything: unknown key \(allowed here: version, /,
    );
    expect(refusal({ overrides: { 'conv 1': { scal: 1 } } })).toBe(
      'overrides["conv 1"].scal: unknown key (did you mean "scale"?)',
    );
    expect(refusal({ bias: { dtype: 'int32', zeroPoint: 0 } })).toMatch(/^bias\.zeroPoint: unknown key/);
  });

  it('wrong types', () => {
    expect(refusal({ activations: { symmetric: 'yes' } })).toBe(
      'activations.symmetric: must be true or false, got "yes"',
    );
    expect(refusal({ activations: 'uint8' })).toBe('activations: must be an object, got "uint8"');
    expect(refusal({ errorPropagation: 1 })).toBe('errorPropagation: must be true or false, got 1');
    expect(refusal({ opTypes: 'Conv' })).toBe('opTypes: must be an array, got "Conv"');
    expect(refusal({ opTypes: ['Conv', 3] })).toBe('opTypes[1]: must be a string, got 3');
    expect(refusal({ opTypes: ['Conv', 'Conv'] })).toBe('opTypes[1]: "Conv" is listed twice');
    expect(refusal({ opTypes: ['Conv', 'not an op'] })).toBe(
      'opTypes[1]: "not an op" is not an op type name',
    );
    expect(refusal({ overrides: [] })).toBe('overrides: must be an object, got an array');
    expect(refusal({ overrides: { x: true } })).toBe('overrides["x"]: must be an object, got true');
  });

  it('bad enum values, listing the allowed ones', () => {
    expect(refusal({ activations: { observer: 'kl' } })).toBe(
      'activations.observer: must be one of minmax, moving-average, percentile, entropy, mse; got "kl"',
    );
    expect(refusal({ weights: { dtype: 'int4' } })).toBe(
      'weights.dtype: must be one of int8, uint8; got "int4"',
    );
    expect(refusal({ weights: { range: 'half' } })).toBe(
      'weights.range: must be one of full, restricted, reduced; got "half"',
    );
    expect(refusal({ rounding: 'up' })).toBe(
      'rounding: must be one of ort, gemmlowp, tvm-upward, tvm-tonearest; got "up"',
    );
    expect(refusal({ bias: { dtype: 'int8' } })).toBe('bias.dtype: must be one of int32; got "int8"');
    expect(refusal({ overrides: { t: { observer: 'max' } } })).toMatch(
      /^overrides\["t"\]\.observer: must be one of minmax/,
    );
  });

  it('accumulator names outside int32|x86-pairwise|wrap8..wrap32|sat8..sat32', () => {
    for (const bad of ['wrap7', 'sat33', 'wrap016', 'wrap', 'int16', 'x86', 'WRAP16', ' wrap16', 16]) {
      expect(refusal({ accumulator: bad })).toBe(
        `accumulator: must be int32, x86-pairwise, wrap8..wrap32 or sat8..sat32; got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('percentile outside (0, 100], averagingConstant outside (0, 1], bins not an integer in 16..65536', () => {
    for (const p of [0, -1, 100.5])
      expect(refusal({ activations: { percentile: p } })).toMatch(
        /^activations\.percentile: must be in \(0, 100\]/,
      );
    for (const a of [0, 1.5, -0.01]) {
      expect(refusal({ activations: { averagingConstant: a } })).toBe(
        `activations.averagingConstant: must be in (0, 1], got ${a}`,
      );
    }
    expect(refusal({ activations: { bins: 15 } })).toBe(
      'activations.bins: must be an integer in 16..65536, got 15',
    );
    expect(refusal({ activations: { bins: 65537 } })).toBe(
      'activations.bins: must be an integer in 16..65536, got 65537',
    );
    expect(refusal({ activations: { bins: 100.5 } })).toBe('activations.bins: must be an integer, got 100.5');
    expect(refusal({ activations: { percentile: '99' } })).toBe(
      'activations.percentile: must be a number, got "99"',
    );
  });

  it('non-finite numbers (1e999 in JSON text reads as Infinity)', () => {
    expect(() => parseConfigText('{"overrides": {"t": {"min": -1e999, "max": 1}}}', 'c.json')).toThrow(
      'c.json: overrides["t"].min: must be a finite number, got -Infinity',
    );
    expect(refusal({ overrides: { t: { scale: Number.NaN, zeroPoint: 0 } } })).toBe(
      'overrides["t"].scale: must be a finite number, got NaN',
    );
    expect(refusal({ activations: { percentile: Number.POSITIVE_INFINITY } })).toMatch(
      /must be a finite number/,
    );
  });

  it('manual ranges: both or neither, min <= max', () => {
    expect(refusal({ overrides: { t: { min: 2, max: 1 } } })).toBe(
      'overrides["t"]: manual range min 2 is greater than max 1',
    );
    expect(refusal({ overrides: { t: { min: 0 } } })).toBe(
      'overrides["t"]: a manual range needs both "min" and "max" (only "min" is given)',
    );
    expect(refusal({ overrides: { t: { max: 0 } } })).toMatch(/only "max" is given/);
    expect(parseConfig({ overrides: { t: { min: 1, max: 1 } } }).overrides.t).toEqual({ min: 1, max: 1 });
  });

  it('manual parameters: both or neither, a positive f32 scale, an integer zero point inside the range', () => {
    expect(refusal({ overrides: { t: { scale: 0.1 } } })).toBe(
      'overrides["t"]: manual parameters need both "scale" and "zeroPoint" (only "scale" is given)',
    );
    expect(refusal({ overrides: { t: { zeroPoint: 3 } } })).toMatch(/only "zeroPoint" is given/);
    expect(refusal({ overrides: { t: { scale: 0, zeroPoint: 0 } } })).toBe(
      'overrides["t"].scale: must be a positive number, got 0',
    );
    expect(refusal({ overrides: { t: { scale: -0.5, zeroPoint: 0 } } })).toMatch(
      /must be a positive number, got -0\.5/,
    );
    expect(refusal({ overrides: { t: { scale: 1e-50, zeroPoint: 0 } } })).toMatch(
      /1e-50 is below the smallest f32/,
    );
    expect(refusal({ overrides: { t: { scale: 1e39, zeroPoint: 0 } } })).toMatch(
      /1e\+39 is above the largest f32/,
    );
    expect(refusal({ overrides: { t: { scale: 0.1, zeroPoint: 1.5 } } })).toBe(
      'overrides["t"].zeroPoint: must be an integer, got 1.5',
    );
    // The role is unknown to a config alone: uint8 [0,255] as an activation, int8 [-127,127] as a weight.
    expect(refusal({ overrides: { t: { scale: 0.1, zeroPoint: 300 } } })).toBe(
      `overrides["t"].zeroPoint: 300 is outside the tensor's integer range (uint8 0..255 as an activation, or int8 -64..64 as a weight)`,
    );
    expect(parseConfig({ overrides: { t: { scale: 0.1, zeroPoint: -5 } } }).overrides.t).toEqual({
      scale: 0.1,
      zeroPoint: -5,
    });
    // The override's own dtype and range mode decide the range.
    expect(refusal({ overrides: { t: { dtype: 'uint8', scale: 0.1, zeroPoint: -5 } } })).toBe(
      `overrides["t"].zeroPoint: -5 is outside the tensor's integer range (uint8 0..255 as an activation, or uint8 0..127 as a weight)`,
    );
    expect(
      refusal({ overrides: { t: { dtype: 'uint8', range: 'reduced', scale: 0.1, zeroPoint: 128 } } }),
    ).toMatch(/128 is outside the tensor's integer range \(uint8 0\.\.127\)/);
    expect(
      parseConfig({ overrides: { t: { dtype: 'int8', scale: 0.1, zeroPoint: -128 } } }).overrides.t.zeroPoint,
    ).toBe(-128);
  });

  it('an empty tensor name', () => {
    expect(refusal({ overrides: { '': { passthrough: true } } })).toBe(
      'overrides: an override has an empty tensor name',
    );
  });

  it('bad JSON text, with line and column; duplicate keys', () => {
    expect(() => parseConfigText('{\n  "activations": {"observer": "mse",}\n}', 'c.json')).toThrow(
      /^c\.json: bad JSON at line 2, column 37 \(offset 38\): expected a key in double quotes, found '}'$/,
    );
    expect(() => parseConfigText('{"rounding": "ort", "rounding": "gemmlowp"}', 'c.json')).toThrow(
      'c.json: bad JSON at line 1, column 21 (offset 20): key "rounding" appears twice in one object',
    );
  });
});

describe('checkConfigAgainstModel', () => {
  const model = decodeModel(new Uint8Array(readFileSync('tests/fixtures/models/mnist-8.onnx')));

  it('accepts overrides of the model’s tensors', () => {
    const c = parseConfig({
      overrides: {
        Input3: { min: 0, max: 1 },
        Parameter5: { scale: 0.01, zeroPoint: 0 },
        ReLU32_Output_0: { passthrough: true },
      },
    });
    expect(() => checkConfigAgainstModel(c, model, 'c.json')).not.toThrow();
  });

  it('refuses tensors the model does not have, naming the first five and the count', () => {
    const names = ['nope1', 'nope2', 'nope3', 'nope4', 'nope5', 'nope6', 'nope7'];
    const c = parseConfig({
      overrides: Object.fromEntries(['Input3', ...names].map((n) => [n, { passthrough: true }])),
    });
    expect(() => checkConfigAgainstModel(c, model, 'c.json')).toThrow(
      'c.json: overrides: overrides name 7 tensors the model does not have: "nope1", "nope2", "nope3", "nope4", "nope5", and 2 more',
    );
  });

  it('checks a manual zero point against the tensor’s real role', () => {
    // 200 fits a uint8 activation but not an int8 weight.
    const w = parseConfig({ overrides: { Parameter5: { scale: 0.01, zeroPoint: 200 } } });
    expect(() => checkConfigAgainstModel(w, model)).toThrow(
      `overrides["Parameter5"].zeroPoint: 200 is outside the tensor's integer range (int8 -64..64)`,
    );
    // -5 fits an int8 weight but not a uint8 activation.
    const a = parseConfig({ overrides: { Input3: { scale: 0.01, zeroPoint: -5 } } });
    expect(() => checkConfigAgainstModel(a, model)).toThrow(
      `overrides["Input3"].zeroPoint: -5 is outside the tensor's integer range (uint8 0..255)`,
    );
  });
});

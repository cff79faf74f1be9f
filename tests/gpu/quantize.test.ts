// GPU quantize / dequantize / fake-quant vs the scalar oracle in kernels/quant-math, bit-exact.
// The tie cases are the point: x within 2 ULP of (n + 0.5) * s, where a 2.5-ULP division or a
// reciprocal multiply picks the wrong integer.
import { describe, expect, it } from 'vitest';
import { cachedPipelineCount } from '../../kernels/gpu/pipeline-cache.js';
import { dequantizeValue, fakeQuantizeValue, quantizeValue } from '../../kernels/quant-math/quant-math.js';
import {
  dequantizeGpu,
  fakeQuantizeGpu,
  type QuantParamsGpu,
  quantizeGpu,
} from '../../kernels/quantize/quantize.js';
import { nearTies, nextF32 } from '../../bench/near-ties.js';
import { firstMismatch, randomInts, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

function oracleQuantize(x: Float32Array, q: QuantParamsGpu, inner: number): number[] {
  const ch = q.scale.length;
  return Array.from(x, (v, i) => {
    const c = Math.floor(i / inner) % ch;
    return quantizeValue(v, q.scale[c], q.zeroPoint[c], q.qmin, q.qmax);
  });
}

const SCALES = [0.1, 0.0078125, 0.023529412, 1 / 3, 3.7e-3, 17.25, 6.1e-5];
const SPECIALS = [
  0,
  -0,
  Number.NaN,
  Infinity,
  -Infinity,
  1e-45,
  -1e-45,
  1.1754942e-38,
  3.4e38,
  -3.4e38,
  1e-30,
];

describe('quantize (GPU) vs quant-math', () => {
  for (const [qmin, qmax, zp] of [
    [-128, 127, 0],
    [-128, 127, -128],
    [-128, 127, 127],
    [0, 255, 128],
    [0, 255, 0],
    [-127, 127, 3],
    [-64, 64, -5],
  ]) {
    for (const s of SCALES) {
      it(`quantize near ties s=${s} range=[${qmin},${qmax}] zp=${zp}`, async () => {
        const ctx = await gpu();
        const values = [
          ...nearTies(Math.fround(s), -140, 140),
          ...nearTies(Math.fround(s), 250, 260),
          ...SPECIALS,
        ];
        const x = Float32Array.from(values);
        const q: QuantParamsGpu = { dims: [x.length], scale: [s], zeroPoint: [zp], qmin, qmax };
        const got = await quantizeGpu(ctx, x, q);
        expect(firstMismatch(Array.from(got), oracleQuantize(x, q, 1))).toBeUndefined();
      });
    }
  }

  it('quantize per axis=1 int8, odd sizes, random values and ties', async () => {
    const ctx = await gpu();
    const rand = rng(7);
    const dims = [3, 5, 7];
    const scale = [0.02, 0.5, 0.0031, 1.25, 7e-4];
    const zeroPoint = [-128, 0, 17, 127, -3];
    const x = new Float32Array(3 * 5 * 7);
    for (let i = 0; i < x.length; i++) {
      const c = Math.floor(i / 7) % 5;
      const n = Math.floor(rand() * 300) - 150;
      x[i] =
        i % 2
          ? nextF32(Math.fround((n + 0.5) * Math.fround(scale[c])), (i % 5) - 2)
          : (rand() - 0.5) * 400 * scale[c];
    }
    const q: QuantParamsGpu = { dims, scale, zeroPoint, axis: 1, qmin: -128, qmax: 127 };
    const got = await quantizeGpu(ctx, x, q);
    expect(firstMismatch(Array.from(got), oracleQuantize(x, q, 7))).toBeUndefined();
  });

  it('quantize split into several dispatches keeps per-axis channels (maxBindingBytes=4096)', async () => {
    const ctx = await gpu();
    const rand = rng(11);
    const dims = [5000, 3];
    const scale = [0.01, 0.2, 3];
    const zeroPoint = [10, 128, 255];
    const x = Float32Array.from({ length: 15000 }, () => (rand() - 0.4) * 300);
    const q: QuantParamsGpu = { dims, scale, zeroPoint, axis: -1, qmin: 0, qmax: 255 };
    const got = await quantizeGpu(ctx, x, q, { maxBindingBytes: 4096 });
    expect(firstMismatch(Array.from(got), oracleQuantize(x, q, 1))).toBeUndefined();
  });

  for (const [qmin, qmax] of [
    [-128, 127],
    [0, 255],
  ]) {
    it(`dequantize all values range=[${qmin},${qmax}] per tensor and per axis`, async () => {
      const ctx = await gpu();
      const values = Array.from({ length: 256 * 3 }, (_, i) => qmin + (i % 256));
      const data = qmin < 0 ? Int8Array.from(values) : Uint8Array.from(values);
      const scale = [0.0123, 1e-30, 3.25];
      const zeroPoint = qmin < 0 ? [-128, 0, 127] : [0, 128, 255];
      const q: QuantParamsGpu = { dims: [3, 256], scale, zeroPoint, axis: 0, qmin, qmax };
      const got = await dequantizeGpu(ctx, data, q);
      const want = values.map((v, i) =>
        dequantizeValue(v, scale[Math.floor(i / 256)], zeroPoint[Math.floor(i / 256)]),
      );
      expect(firstMismatch(Array.from(got), want)).toBeUndefined();
    });
  }

  it('fake quantize int8 near ties and random values', async () => {
    const ctx = await gpu();
    const rand = rng(3);
    const s = Math.fround(0.047);
    const x = Float32Array.from([
      ...nearTies(s, -130, 130),
      ...randomInts(rand, 500, -9000, 9000).map((v) => v / 1000),
    ]);
    const q: QuantParamsGpu = { dims: [x.length], scale: [s], zeroPoint: [-7], qmin: -128, qmax: 127 };
    const got = await fakeQuantizeGpu(ctx, x, q);
    const want = Array.from(x, (v) => fakeQuantizeValue(v, s, -7, -128, 127));
    expect(firstMismatch(Array.from(got), want)).toBeUndefined();
  });

  it('reuses cached pipelines for equal compile-time parameters', async () => {
    const ctx = await gpu();
    const q: QuantParamsGpu = { dims: [4], scale: [0.5], zeroPoint: [0], qmin: -128, qmax: 127 };
    await quantizeGpu(ctx, Float32Array.from([1, 2, 3, 4]), q);
    const before = cachedPipelineCount(ctx);
    await quantizeGpu(ctx, Float32Array.from([5, 6, 7, 8]), { ...q, scale: [0.25] });
    expect(cachedPipelineCount(ctx)).toBe(before);
  });
});

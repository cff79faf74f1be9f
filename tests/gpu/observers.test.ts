// GPU observers against their reference (kernels/observers/observers.ref.ts): min/max leaving out
// NaN and infinities, and numpy's histogram rule on float32 edges.
import { describe, expect, it } from 'vitest';
import { histogramGpu, minMaxGpu } from '../../kernels/observers/observers.js';
import { histogramEdges, histogramRef, minMaxRef } from '../../kernels/observers/observers.ref.js';
import { firstMismatch, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

function cpuMinMax(x: Float32Array, dims: number[], axis?: number) {
  const r = minMaxRef(x, { dims, axis });
  return { min: Array.from(r.min), max: Array.from(r.max) };
}

function randomTensor(seed: number, n: number): Float32Array {
  const rand = rng(seed);
  const x = Float32Array.from({ length: n }, () => (rand() - 0.3) * 20 * rand());
  x[3] = Number.NaN;
  x[n - 2] = -0;
  return x;
}

describe('observers (GPU)', () => {
  it('minmax per tensor x=[3000] with NaN, -0 and infinities', async () => {
    const ctx = await gpu();
    const x = randomTensor(1, 3000);
    x[1000] = Number.NEGATIVE_INFINITY;
    const got = await minMaxGpu(ctx, x, { dims: [3000] });
    const want = cpuMinMax(x, [3000]);
    expect(want.min[0]).toBeGreaterThan(Number.NEGATIVE_INFINITY);
    expect(Array.from(got.min)).toEqual(want.min);
    expect(Array.from(got.max)).toEqual(want.max);
  });

  it('minmax per channel x=[2,7,13,5] axis=1 (odd runs across channel edges)', async () => {
    const ctx = await gpu();
    const x = randomTensor(2, 2 * 7 * 13 * 5);
    const got = await minMaxGpu(ctx, x, { dims: [2, 7, 13, 5], axis: 1 });
    const want = cpuMinMax(x, [2, 7, 13, 5], 1);
    expect(firstMismatch(got.min, want.min)).toBeUndefined();
    expect(firstMismatch(got.max, want.max)).toBeUndefined();
  });

  it('minmax of an all-NaN channel is [0, 0] on both', async () => {
    const ctx = await gpu();
    const x = Float32Array.from([Number.NaN, Number.NaN, 1, -2]);
    const got = await minMaxGpu(ctx, x, { dims: [2, 2], axis: 0 });
    expect(cpuMinMax(x, [2, 2], 0)).toEqual({ min: [0, -2], max: [0, 1] });
    expect(Array.from(got.min)).toEqual([0, -2]);
    expect(Array.from(got.max)).toEqual([0, 1]);
  });

  it('histogram 2048 bins per tensor, values at lo, hi, outside and bin edges', async () => {
    const ctx = await gpu();
    const x = randomTensor(3, 5000);
    const lo = -4.5;
    const hi = 9.25;
    // Exact bin edges, and the float32 neighbours on both sides of each: the edges decide.
    const edges = histogramEdges(lo, hi, 2048);
    for (let i = 0; i < 200; i++) {
      const e = edges[i * 7];
      x[100 + 3 * i] = e;
      x[101 + 3 * i] = Math.fround(e * (1 + 2 ** -23));
      x[102 + 3 * i] = Math.fround(e * (1 - 2 ** -23));
    }
    x[10] = lo;
    x[11] = hi;
    x[12] = 50;
    x[13] = -50;
    const got = await histogramGpu(ctx, x, { dims: [5000] }, [lo], [hi]);
    expect(firstMismatch(got, histogramRef(x, { dims: [5000] }, [lo], [hi], 2048))).toBeUndefined();
  });

  it('histogram 16 bins per channel x=[3,11,9] axis=-1', async () => {
    const ctx = await gpu();
    const x = randomTensor(4, 3 * 11 * 9);
    const lo = Array.from({ length: 9 }, (_, c) => -1 - c);
    const hi = Array.from({ length: 9 }, (_, c) => 0.5 + c * 1.7);
    const got = await histogramGpu(ctx, x, { dims: [3, 11, 9], axis: -1 }, lo, hi, 16);
    expect(firstMismatch(got, histogramRef(x, { dims: [3, 11, 9], axis: -1 }, lo, hi, 16))).toBeUndefined();
  });

  it('minmax and histogram split over several dispatches (maxBindingBytes=1024, 1 workgroup per dim)', async () => {
    const ctx = await gpu();
    const x = randomTensor(5, 6 * 1001);
    x[4321] = Number.POSITIVE_INFINITY;
    const limits = { maxBindingBytes: 1024, maxWorkgroupsPerDimension: 1 };
    const l = { dims: [6, 1001], axis: 0 };
    const got = await minMaxGpu(ctx, x, l, limits);
    const want = cpuMinMax(x, [6, 1001], 0);
    expect(firstMismatch(got.min, want.min)).toBeUndefined();
    expect(firstMismatch(got.max, want.max)).toBeUndefined();
    const lo = Array.from({ length: 6 }, (_, c) => -3 - c);
    const hi = Array.from({ length: 6 }, (_, c) => 4 + c);
    const hist = await histogramGpu(ctx, x, l, lo, hi, 32, limits);
    expect(firstMismatch(hist, histogramRef(x, l, lo, hi, 32))).toBeUndefined();
  });

  it('|x| statistics (ABS): min/max and a histogram of |x| per channel, as the reference', async () => {
    const ctx = await gpu();
    const x = randomTensor(6, 4 * 333);
    x[7] = Number.NEGATIVE_INFINITY;
    const l = { dims: [4, 333], axis: 0 };
    const got = await minMaxGpu(ctx, x, l, undefined, true);
    const want = minMaxRef(x, l, true);
    expect(firstMismatch(got.min, want.min)).toBeUndefined();
    expect(firstMismatch(got.max, want.max)).toBeUndefined();
    expect(Array.from(got.found)).toEqual([1, 1, 1, 1]);
    const lo = Array.from(want.min);
    const hi = Array.from(want.max);
    const hist = await histogramGpu(ctx, x, l, lo, hi, 64, undefined, true);
    expect(firstMismatch(hist, histogramRef(x, l, lo, hi, 64, true))).toBeUndefined();
    expect(hist.reduce((a, b) => a + b, 0)).toBe(4 * 333 - 2); // the NaN and the -Infinity
  });
});

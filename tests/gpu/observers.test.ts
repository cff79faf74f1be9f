// GPU observers vs plain CPU mirrors of the rules documented in kernels/observers/observers.wgsl
// (no shared CPU observer exists yet): min/max ignoring NaN, and the f32 bin rule of the histogram.
import { describe, expect, it } from 'vitest';
import { histogramGpu, histogramScale, minMaxGpu } from '../../kernels/observers/observers.js';
import { firstMismatch, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

function channelOf(i: number, inner: number, channels: number): number {
  return Math.floor(i / inner) % channels;
}

function cpuMinMax(x: Float32Array, inner: number, channels: number) {
  const min = new Float32Array(channels).fill(Number.POSITIVE_INFINITY);
  const max = new Float32Array(channels).fill(Number.NEGATIVE_INFINITY);
  const seen = new Uint8Array(channels);
  x.forEach((v, i) => {
    if (Number.isNaN(v)) return;
    const c = channelOf(i, inner, channels);
    seen[c] = 1;
    if (v < min[c]) min[c] = v;
    if (v > max[c]) max[c] = v;
  });
  for (let c = 0; c < channels; c++) if (!seen[c]) min[c] = max[c] = 0;
  return { min: Array.from(min), max: Array.from(max) };
}

function cpuHistogram(x: Float32Array, inner: number, lo: number[], hi: number[], bins: number): number[] {
  const channels = lo.length;
  const counts = new Array<number>(channels * bins).fill(0);
  x.forEach((v, i) => {
    const c = channelOf(i, inner, channels);
    if (Number.isNaN(v) || v < Math.fround(lo[c]) || v > Math.fround(hi[c])) return;
    const scale = histogramScale(lo[c], hi[c], bins);
    const b = Math.min(Math.floor(Math.fround(Math.fround(v - Math.fround(lo[c])) * scale)), bins - 1);
    counts[c * bins + b]++;
  });
  return counts;
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
    const want = cpuMinMax(x, 1, 1);
    expect(Array.from(got.min)).toEqual(want.min);
    expect(Array.from(got.max)).toEqual(want.max);
  });

  it('minmax per channel x=[2,7,13,5] axis=1 (odd runs across channel edges)', async () => {
    const ctx = await gpu();
    const x = randomTensor(2, 2 * 7 * 13 * 5);
    const got = await minMaxGpu(ctx, x, { dims: [2, 7, 13, 5], axis: 1 });
    const want = cpuMinMax(x, 13 * 5, 7);
    expect(firstMismatch(got.min, want.min)).toBeUndefined();
    expect(firstMismatch(got.max, want.max)).toBeUndefined();
  });

  it('minmax of an all-NaN channel is [0, 0]', async () => {
    const ctx = await gpu();
    const x = Float32Array.from([Number.NaN, Number.NaN, 1, -2]);
    const got = await minMaxGpu(ctx, x, { dims: [2, 2], axis: 0 });
    expect(Array.from(got.min)).toEqual([0, -2]);
    expect(Array.from(got.max)).toEqual([0, 1]);
  });

  it('histogram 2048 bins per tensor, values at lo, hi, outside and bin edges', async () => {
    const ctx = await gpu();
    const x = randomTensor(3, 5000);
    const lo = -4.5;
    const hi = 9.25;
    const width = (hi - lo) / 2048;
    for (let i = 0; i < 200; i++) x[100 + i] = Math.fround(lo + i * 7 * width); // exact bin edges
    x[10] = lo;
    x[11] = hi;
    x[12] = 50;
    x[13] = -50;
    const got = await histogramGpu(ctx, x, { dims: [5000] }, [lo], [hi]);
    expect(firstMismatch(got, cpuHistogram(x, 1, [lo], [hi], 2048))).toBeUndefined();
  });

  it('histogram 16 bins per channel x=[3,11,9] axis=-1', async () => {
    const ctx = await gpu();
    const x = randomTensor(4, 3 * 11 * 9);
    const lo = Array.from({ length: 9 }, (_, c) => -1 - c);
    const hi = Array.from({ length: 9 }, (_, c) => 0.5 + c * 1.7);
    const got = await histogramGpu(ctx, x, { dims: [3, 11, 9], axis: -1 }, lo, hi, 16);
    expect(firstMismatch(got, cpuHistogram(x, 1, lo, hi, 16))).toBeUndefined();
  });

  it('minmax and histogram split over several dispatches (maxBindingBytes=1024, 1 workgroup per dim)', async () => {
    const ctx = await gpu();
    const x = randomTensor(5, 6 * 1001);
    x[4321] = Number.POSITIVE_INFINITY;
    const limits = { maxBindingBytes: 1024, maxWorkgroupsPerDimension: 1 };
    const l = { dims: [6, 1001], axis: 0 };
    const got = await minMaxGpu(ctx, x, l, limits);
    const want = cpuMinMax(x, 1001, 6);
    expect(firstMismatch(got.min, want.min)).toBeUndefined();
    expect(firstMismatch(got.max, want.max)).toBeUndefined();
    const lo = Array.from({ length: 6 }, (_, c) => -3 - c);
    const hi = Array.from({ length: 6 }, (_, c) => 4 + c);
    const hist = await histogramGpu(ctx, x, l, lo, hi, 32, limits);
    expect(firstMismatch(hist, cpuHistogram(x, 1001, lo, hi, 32))).toBeUndefined();
  });
});

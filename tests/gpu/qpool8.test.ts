// 8-bit pooling on the GPU (kernels/qlinear-pool/qpool8.ts) vs its CPU references, byte for byte:
// MaxPool on int8/uint8 (pool.ref.ts maxPool) with padding, ceil_mode, strides, dilations and
// auto_pad, and QLinearGlobalAveragePool (qlinear-pool.ref.ts) over zero points and scales at the
// extremes, NCHW and channels_last, plus random shapes for both.
import { describe, expect, it } from 'vitest';
import { maxPool, type PoolParams } from '../../kernels/pool/pool.ref.js';
import { qlinearAveragePool, qlinearGlobalAveragePool } from '../../kernels/qlinear-pool/qlinear-pool.ref.js';
import {
  averagePool8Geometry,
  prepareMaxPool8,
  prepareQLinearAveragePool8,
  prepareQLinearGlobalAveragePool8,
} from '../../kernels/qlinear-pool/qpool8.js';
import type { Tensor } from '../../kernels/tensor.js';
import { runOnGpu } from './float-kernel-helpers.js';
import { firstMismatch, randomInts, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
type D = 'int8' | 'uint8';

function randomData(rand: () => number, dtype: D, n: number): Int8Array | Uint8Array {
  return dtype === 'int8'
    ? Int8Array.from(randomInts(rand, n, -128, 127))
    : Uint8Array.from(randomInts(rand, n, 0, 255));
}

/** Packed bytes padded to whole words, as the GPU holds 8-bit tensors. */
function padded(d: Int8Array | Uint8Array): Uint8Array {
  const p = new Uint8Array(Math.max(4, Math.ceil(d.length / 4) * 4));
  p.set(new Uint8Array(d.buffer, d.byteOffset, d.length));
  return p;
}

function asType(dtype: D, bytes: ArrayBuffer, n: number): number[] {
  return Array.from(dtype === 'int8' ? new Int8Array(bytes, 0, n) : new Uint8Array(bytes, 0, n));
}

async function checkMaxPool(dtype: D, dims: number[], p: PoolParams, data?: Int8Array | Uint8Array) {
  const ctx = await gpu();
  const n = dims.reduce((a, b) => a * b, 1);
  const x = data ?? randomData(rng(n * 7 + dims.length), dtype, n);
  const ref = maxPool({ dtype, dims, data: x } as Tensor, p).y;
  const total = ref.data.length;
  let outDims: number[] = [];
  const out = await runOnGpu(ctx, [padded(x)], Math.max(4, Math.ceil(total / 4) * 4), async ([gx], o) => {
    const r = await prepareMaxPool8(ctx, gx, o, { dtype, xDims: dims, ...p });
    outDims = r.dims;
    return r.dispatch;
  });
  expect(outDims).toEqual(ref.dims);
  expect(firstMismatch(asType(dtype, out, total), Array.from(ref.data as Int8Array))).toBeUndefined();
}

describe('8-bit MaxPool on the GPU', () => {
  const cases: [string, number[], PoolParams][] = [
    ['3x3 stride 2 pads 1', [1, 3, 9, 9], { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['2x2 ceil_mode', [2, 2, 7, 5], { kernelShape: [2, 2], strides: [2, 2], ceilMode: true }],
    [
      'dilations 2, asymmetric pads',
      [1, 4, 8, 6],
      { kernelShape: [3, 2], dilations: [2, 2], pads: [2, 0, 1, 1] },
    ],
    ['SAME_UPPER', [1, 2, 5, 7], { kernelShape: [3, 3], strides: [2, 2], autoPad: 'SAME_UPPER' }],
    ['SAME_LOWER', [1, 2, 6, 5], { kernelShape: [2, 4], strides: [1, 3], autoPad: 'SAME_LOWER' }],
    ['1-D', [2, 3, 11], { kernelShape: [3], strides: [2], pads: [1, 1] }],
    ['1x1 stride 3', [1, 5, 7, 7], { kernelShape: [1, 1], strides: [3, 3] }],
  ];
  for (const dtype of ['int8', 'uint8'] as const)
    for (const [name, dims, p] of cases)
      it(`${dtype}: ${name}`, async () => {
        await checkMaxPool(dtype, dims, p);
      });

  it('saturated inputs: all qmin, all qmax (padding never wins)', async () => {
    for (const dtype of ['int8', 'uint8'] as const) {
      const [lo, hi] = dtype === 'int8' ? [-128, 127] : [0, 255];
      for (const v of [lo, hi]) {
        const d = dtype === 'int8' ? new Int8Array(60).fill(v) : new Uint8Array(60).fill(v);
        await checkMaxPool(dtype, [1, 3, 4, 5], { kernelShape: [3, 3], pads: [1, 1, 1, 1] }, d);
      }
    }
  });

  it('random shapes and attributes', async () => {
    const rand = rng(42);
    for (let t = 0; t < 24; t++) {
      const dtype: D = t % 2 ? 'int8' : 'uint8';
      const kh = 1 + Math.floor(rand() * 4);
      const kw = 1 + Math.floor(rand() * 4);
      const h = kh + Math.floor(rand() * 9);
      const w = kw + Math.floor(rand() * 9);
      const pads = [0, 1, 2, 3].map((i) => Math.floor(rand() * (i % 2 ? kw : kh)));
      await checkMaxPool(dtype, [1 + Math.floor(rand() * 2), 1 + Math.floor(rand() * 5), h, w], {
        kernelShape: [kh, kw],
        strides: [1 + Math.floor(rand() * 3), 1 + Math.floor(rand() * 3)],
        pads,
        ceilMode: rand() < 0.5,
      });
    }
  });
});

interface GCase {
  dtype: D;
  dims: number[];
  last?: boolean;
  xs: number;
  zx: number;
  ys: number;
  zy: number;
  data?: Int8Array | Uint8Array;
}

async function checkGlobal(c: GCase) {
  const ctx = await gpu();
  const n = c.dims.reduce((a, b) => a * b, 1);
  const x = c.data ?? randomData(rng(n + c.zx * 3 + 11), c.dtype, n);
  const q = {
    x,
    xDims: c.dims,
    channelsLast: c.last,
    xScale: c.xs,
    xZeroPoint: c.zx,
    yScale: c.ys,
    yZeroPoint: c.zy,
  };
  const ref = qlinearGlobalAveragePool(q);
  const total = ref.data.length;
  let outDims: number[] = [];
  const out = await runOnGpu(ctx, [padded(x)], Math.max(4, Math.ceil(total / 4) * 4), async ([gx], o) => {
    const r = await prepareQLinearGlobalAveragePool8(ctx, gx, o, {
      dtype: c.dtype,
      xDims: c.dims,
      channelsLast: c.last,
      xScale: c.xs,
      xZeroPoint: c.zx,
      yScale: c.ys,
      yZeroPoint: c.zy,
    });
    outDims = r.dims;
    return r.dispatch;
  });
  expect(outDims).toEqual(ref.dims);
  expect(firstMismatch(asType(c.dtype, out, total), Array.from(ref.data))).toBeUndefined();
}

describe('QLinearGlobalAveragePool on the GPU', () => {
  it('zero points at the extremes, NCHW and channels_last', async () => {
    for (const last of [false, true]) {
      for (const [zx, zy] of [
        [-128, 127],
        [127, -128],
        [0, 0],
      ])
        await checkGlobal({
          dtype: 'int8',
          dims: last ? [2, 5, 3, 7] : [2, 7, 5, 3],
          last,
          xs: 0.05,
          zx,
          ys: 0.02,
          zy,
        });
      for (const [zx, zy] of [
        [0, 255],
        [255, 0],
        [128, 128],
      ])
        await checkGlobal({ dtype: 'uint8', dims: [1, 6, 4, 4], last, xs: 0.1, zx, ys: 0.03, zy });
    }
  });

  it('saturates at qmin and qmax; ties round to even', async () => {
    await checkGlobal({
      dtype: 'int8',
      dims: [1, 2, 3, 3],
      xs: 1,
      zx: 0,
      ys: 0.001,
      zy: 0,
      data: new Int8Array(18).fill(127),
    });
    await checkGlobal({
      dtype: 'int8',
      dims: [1, 2, 3, 3],
      xs: 1,
      zx: 0,
      ys: 0.001,
      zy: 0,
      data: new Int8Array(18).fill(-128),
    });
    // sums 10 and 14, scale 0.25 exactly: 2.5 rounds to 2, 3.5 to 4.
    const d = Int8Array.from([1, 2, 3, 4, 3, 4, 4, 3]);
    await checkGlobal({ dtype: 'int8', dims: [1, 2, 2, 2], xs: 1, zx: 0, ys: 1, zy: 0, data: d });
    await checkGlobal({
      dtype: 'uint8',
      dims: [1, 2, 2, 2],
      xs: 1,
      zx: 0,
      ys: 1,
      zy: 250,
      data: Uint8Array.from([255, 255, 255, 255, 0, 0, 0, 1]),
    });
  });

  it('random shapes, scales and zero points (1-D, 2-D, 3-D)', async () => {
    const rand = rng(9);
    for (let t = 0; t < 30; t++) {
      const dtype: D = t % 2 ? 'int8' : 'uint8';
      const [lo, hi] = dtype === 'int8' ? [-128, 127] : [0, 255];
      const rank = 1 + (t % 3);
      const spatial = Array.from({ length: rank }, () => 1 + Math.floor(rand() * 6));
      const c = 1 + Math.floor(rand() * 9);
      const last = rand() < 0.5;
      const dims = last
        ? [1 + Math.floor(rand() * 2), ...spatial, c]
        : [1 + Math.floor(rand() * 2), c, ...spatial];
      await checkGlobal({
        dtype,
        dims,
        last,
        xs: 0.001 + rand() * 0.2,
        zx: randomInts(rand, 1, lo, hi)[0],
        ys: 0.001 + rand() * 0.2,
        zy: randomInts(rand, 1, lo, hi)[0],
      });
    }
  });
});

interface ACase {
  dtype: D;
  dims: number[];
  kernelShape: number[];
  strides?: number[];
  pads?: number[];
  autoPad?: 'SAME_UPPER' | 'SAME_LOWER' | 'VALID' | 'NOTSET';
  ceilMode?: boolean;
  countIncludePad?: boolean;
  xs: number;
  zx: number;
  ys: number;
  zy: number;
  data?: Int8Array | Uint8Array;
}

async function checkAverage(c: ACase, seed: number): Promise<boolean> {
  const ctx = await gpu();
  const n = c.dims.reduce((a, b) => a * b, 1);
  const x = c.data ?? randomData(rng(seed), c.dtype, n);
  const p = {
    xDims: c.dims,
    kernelShape: c.kernelShape,
    strides: c.strides,
    pads: c.pads,
    autoPad: c.autoPad,
    ceilMode: c.ceilMode,
    countIncludePad: c.countIncludePad,
    xScale: c.xs,
    xZeroPoint: c.zx,
    yScale: c.ys,
    yZeroPoint: c.zy,
  };
  if (!averagePool8Geometry(p)) return false;
  const ref = qlinearAveragePool({ ...p, x });
  const total = ref.data.length;
  let outDims: number[] = [];
  const out = await runOnGpu(ctx, [padded(x)], Math.max(4, Math.ceil(total / 4) * 4), async ([gx], o) => {
    const r = await prepareQLinearAveragePool8(ctx, gx, o, { ...p, dtype: c.dtype });
    outDims = r.dims;
    return r.dispatch;
  });
  expect(outDims).toEqual(ref.dims);
  expect(
    firstMismatch(asType(c.dtype, out, total), Array.from(ref.data)),
    JSON.stringify({ ...c, data: undefined }),
  ).toBeUndefined();
  return true;
}

describe('QLinearAveragePool on the GPU', () => {
  it('padding, count_include_pad, ceil_mode, strides, auto_pad, both types', async () => {
    let seed = 1;
    for (const dtype of ['int8', 'uint8'] as const)
      for (const countIncludePad of [false, true]) {
        const q = dtype === 'int8' ? { zx: -3, zy: 5 } : { zx: 128, zy: 120 };
        const base = { dtype, countIncludePad, xs: 0.05, ys: 0.03, ...q };
        const cases: Partial<ACase>[] = [
          { dims: [1, 3, 9, 9], kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
          { dims: [2, 2, 7, 5], kernelShape: [2, 2], strides: [2, 2], ceilMode: true },
          { dims: [1, 4, 8, 6], kernelShape: [3, 2], pads: [2, 0, 1, 1] },
          { dims: [1, 2, 5, 7], kernelShape: [3, 3], strides: [2, 2], autoPad: 'SAME_UPPER' },
          { dims: [1, 2, 6, 5], kernelShape: [2, 4], strides: [1, 3], autoPad: 'SAME_LOWER' },
          { dims: [2, 3, 11], kernelShape: [3], strides: [2], pads: [1, 1] },
          { dims: [1, 3, 4, 4], kernelShape: [4, 4] },
        ];
        for (const c of cases) expect(await checkAverage({ ...base, ...c } as ACase, seed++)).toBe(true);
      }
  });

  it('zero points at the extremes and saturation at qmin / qmax', async () => {
    for (const dtype of ['int8', 'uint8'] as const) {
      const [lo, hi] = dtype === 'int8' ? [-128, 127] : [0, 255];
      for (const [zx, zy] of [
        [lo, hi],
        [hi, lo],
      ])
        for (const ys of [0.001, 0.05, 3])
          expect(
            await checkAverage(
              { dtype, dims: [1, 3, 6, 6], kernelShape: [3, 3], pads: [1, 1, 1, 1], xs: 0.04, zx, ys, zy },
              zx + 7,
            ),
          ).toBe(true);
    }
  });

  it('random shapes, attributes, scales and zero points', async () => {
    const rand = rng(2024);
    let ran = 0;
    for (let t = 0; t < 60; t++) {
      const dtype: D = t % 2 ? 'int8' : 'uint8';
      const [lo, hi] = dtype === 'int8' ? [-128, 127] : [0, 255];
      const kh = 1 + Math.floor(rand() * 4);
      const kw = 1 + Math.floor(rand() * 4);
      const ok = await checkAverage(
        {
          dtype,
          dims: [
            1 + Math.floor(rand() * 2),
            1 + Math.floor(rand() * 4),
            kh + Math.floor(rand() * 8),
            kw + Math.floor(rand() * 8),
          ],
          kernelShape: [kh, kw],
          strides: [1 + Math.floor(rand() * 3), 1 + Math.floor(rand() * 3)],
          pads: [0, 1, 2, 3].map((i) => Math.floor(rand() * (i % 2 ? kw : kh))),
          ceilMode: rand() < 0.5,
          countIncludePad: rand() < 0.5,
          xs: 10 ** (-4 + rand() * 4),
          zx: randomInts(rand, 1, lo, hi)[0],
          ys: 10 ** (-4 + rand() * 4),
          zy: randomInts(rand, 1, lo, hi)[0],
        },
        t,
      );
      if (ok) ran++;
    }
    expect(ran).toBeGreaterThan(45);
  });
});

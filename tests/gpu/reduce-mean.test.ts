// reduce-mean.wgsl (ReduceMean through reduce.ts) against reduce-mean.ref.ts's float32 path, bit
// for bit: every onnxruntime path (all, [K, R], [R1, K, R2], [K1, R, K2], row-major, copy), Eigen's
// alignment heads and packet tails, NaN / inf / -0, keepdims, axes at both ends, noop, rank 0, and
// seeded random shapes. (Subnormal means are flushed on the GPU: kept out of the inputs.)
import { describe, expect, it } from 'vitest';
import { prepareReduceMean } from '../../kernels/reduce/reduce.js';
import { ortReduceMeanPath, type ReduceParams, reduceMean } from '../../kernels/reduce/reduce-mean.ref.js';
import { reduceGeometry } from '../../kernels/reduce/reduce.ref.js';
import { makeTensor } from '../../kernels/tensor.js';
import { randomFloats, runOnGpu } from './float-kernel-helpers.js';
import { firstMismatch, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

async function check(dims: number[], p: ReduceParams, values: Float32Array): Promise<string> {
  const ctx = await gpu();
  const expected = reduceMean(makeTensor('float32', dims, values), p);
  const out = await runOnGpu(ctx, [values], Math.max(4, expected.data.length * 4), async ([xb], y) => {
    const d = await prepareReduceMean(ctx, xb, y, dims, p);
    if (!d) throw new Error('no dispatch');
    return d;
  });
  const got = new Float32Array(out, 0, expected.data.length);
  const bad = firstMismatch(got, expected.data as Float32Array);
  expect(bad, `dims ${dims} axes ${p.axes} keepdims ${p.keepdims}`).toBeUndefined();
  return ortReduceMeanPath(dims, reduceGeometry(dims, p).reduced).kind;
}

/** Values of mixed magnitude, so the summation order shows in the last bits. */
function values(r: () => number, n: number): Float32Array {
  const v = randomFloats(r, n, -3, 3);
  for (let i = 0; i < n; i++) if (r() < 0.3) v[i] *= 1000 * r();
  return v;
}

describe('ReduceMean on WebGPU (bit-exact with the onnxruntime-order reference)', () => {
  it('every path, with heads and tails of every length', async () => {
    const r = rng(4242);
    const seen = new Set<string>();
    const cases: [number[], number[] | undefined][] = [
      [[37], undefined], // all: head 0, tail 1
      [[3, 5, 7], undefined],
      [[2], undefined], // all, fewer than 4 aligned
      [[5, 13], [1]], // rows: starts not multiples of 4
      [[3, 9], [-1]],
      [[4, 16], [1]],
      [[6, 3], [1]],
      [
        [3, 4, 10],
        [0, 2],
      ], // [R1, K, R2]
      [
        [2, 7, 3],
        [0, 2],
      ],
      [
        [5, 2, 9],
        [0, -1],
      ],
      [[2, 17, 3], [1]], // [K1, R, K2], R % 4 = 1
      [[3, 6, 5], [1]], // R % 4 = 2
      [[4, 7, 2], [-2]], // R % 4 = 3
      [[2, 8, 4], [1]], // R % 4 = 0
      [[1, 7, 3], [1]], // K1 = 1: row-major
      [
        [5, 1, 6],
        [0, 2],
      ], // merges to [R, K, R]? K kept = 1 -> size-1 axes merge
      [[6, 5], [0]], // [R, K]: row-major
      [
        [2, 3, 4, 5],
        [0, 2],
      ], // 4 merged axes: row-major
      [
        [2, 3, 4, 5],
        [1, 3],
      ],
      [[3, 1, 4], [1]],
    ];
    for (const [dims, axes] of cases) {
      for (const keepdims of [true, false]) {
        const n = dims.reduce((a, b) => a * b, 1);
        seen.add(await check(dims, { axes, keepdims }, values(r, n)));
      }
    }
    expect([...seen].sort()).toEqual(['all', 'k1rk2', 'r1kr2', 'rowMajor', 'rows']);
  });

  it('NaN, infinities, -0, noop and rank 0', async () => {
    const nan = Number.NaN;
    const inf = Number.POSITIVE_INFINITY;
    // -0 sums: Eigen's paths start from the first element (-0 stays), row-major from +0.
    expect(await check([2, 4], { axes: [1] }, Float32Array.of(-0, -0, -0, -0, 1, nan, 2, 3))).toBe('rows');
    expect(await check([4, 2], { axes: [0] }, Float32Array.of(-0, -0, -0, -0, -0, -0, -0, -0))).toBe(
      'rowMajor',
    );
    expect(await check([9], {}, Float32Array.of(-0, -0, -0, -0, -0, -0, -0, -0, -0))).toBe('all');
    await check([2, 3], { axes: [1] }, Float32Array.of(inf, 1, 2, -inf, inf, 0));
    await check(
      [3, 5, 2],
      { axes: [1] },
      values(rng(1), 30).map((v, i) => (i === 7 ? nan : i === 12 ? -inf : v)),
    );
    await check(
      [2, 3, 4],
      { axes: [0, 2] },
      values(rng(2), 24).map((v, i) => (i === 5 ? inf : v)),
    );
    // Large values overflow in the sum exactly where the reference's f32 sum overflows.
    await check(
      [2, 8],
      { axes: [1] },
      Float32Array.from({ length: 16 }, (_, i) => (i % 3 ? 3e38 : -1e38)),
    );
    expect(await check([3, 4], { axes: [], noopWithEmptyAxes: true }, values(rng(3), 12))).toBe('copy');
    await check([], {}, Float32Array.of(-0));
    await check([], {}, Float32Array.of(2.5));
  });

  it('seeded random shapes and axes', async () => {
    const r = rng(77);
    for (let k = 0; k < 40; k++) {
      const rank = 1 + Math.floor(r() * 4);
      const dims = Array.from({ length: rank }, () => 1 + Math.floor(r() * 9));
      const axes = [...dims.keys()].filter(() => r() < 0.5).map((a) => (r() < 0.5 ? a - rank : a));
      const n = dims.reduce((a, b) => a * b, 1);
      await check(dims, { axes: axes.length ? axes : undefined, keepdims: r() < 0.5 }, values(r, n));
    }
  });

  it('leaves empty inputs and counts above 2^24 to the CPU', async () => {
    const ctx = await gpu();
    const b = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
    expect(await prepareReduceMean(ctx, b, b, [0, 3], { axes: [1] })).toBeUndefined();
    expect(await prepareReduceMean(ctx, b, b, [2 ** 12, 2 ** 12 + 1], {})).toBeUndefined();
    b.destroy();
  });
});

// The byte-map kernel (kernels/gpu-float/byte-map.ts) vs a direct JS model: strided 8-bit gathers
// (Concat pieces at odd offsets, a transposed read) with and without a 256-entry table, and binary
// maps with numpy broadcasting through a 65536-entry table. Exact byte equality.
import { describe, expect, it } from 'vitest';
import { broadcastStrides } from '../../kernels/broadcast/broadcast.js';
import { prepareByteMap } from '../../kernels/gpu-float/byte-map.js';
import { stridesOf } from '../../kernels/shape-ops/axes.js';
import { runOnGpu } from './float-kernel-helpers.js';
import { firstMismatch, randomInts, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const bytes = (rand: () => number, n: number) => Uint8Array.from(randomInts(rand, n, 0, 255));
/** Padded to whole words, as the GPU holds packed bytes. */
const padded = (b: Uint8Array) => {
  const p = new Uint8Array(Math.max(4, Math.ceil(b.length / 4) * 4));
  p.set(b);
  return p;
};

describe('byte-map', () => {
  it('concatenates 8-bit pieces at odd offsets, one through a table, one transposed', async () => {
    const ctx = await gpu();
    const rand = rng(5);
    const [a, b] = [bytes(rand, 2 * 3 * 5), bytes(rand, 2 * 1 * 5)];
    const table = bytes(rand, 256);
    const outDims = [2, 4, 5];
    const dst = stridesOf(outDims);
    // b is read as if stored [5, 1, 2] (a transposed source): a-strides (1, 2, 2) over dims [2, 1, 5].
    const bStrides = [1, 2, 2];
    const out = new Uint8Array(
      await runOnGpu(ctx, [padded(a), padded(b)], 40, async ([ga, gb], o) => [
        await prepareByteMap(ctx, o, ga, undefined, {
          axes: [2, 3, 5].map((n, k) => ({ n, dstStride: dst[k], aStride: stridesOf([2, 3, 5])[k] })),
          table,
        }),
        await prepareByteMap(ctx, o, gb, undefined, {
          axes: [2, 1, 5].map((n, k) => ({ n, dstStride: dst[k], aStride: bStrides[k] })),
          dstBase: 3 * dst[1],
        }),
      ]),
    );
    const expected = new Uint8Array(40);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 4; j++)
        for (let k = 0; k < 5; k++)
          expected[i * 20 + j * 5 + k] = j < 3 ? table[a[i * 15 + j * 5 + k]] : b[i + 2 * k];
    expect(firstMismatch(out, expected)).toBeUndefined();
  });

  for (const [aDims, bDims] of [
    [
      [2, 3, 5],
      [3, 1],
    ],
    [
      [1, 7],
      [3, 1],
    ],
    [[], [9]],
  ] as const) {
    it(`binary table with broadcasting [${aDims}] x [${bDims}]`, async () => {
      const ctx = await gpu();
      const rand = rng(aDims.length * 10 + bDims.length);
      const outDims: number[] = aDims.length >= bDims.length ? [...aDims] : [...bDims];
      const rank = Math.max(aDims.length, bDims.length);
      for (let k = 0; k < rank; k++) {
        const da = aDims[k - (rank - aDims.length)] ?? 1;
        const db = bDims[k - (rank - bDims.length)] ?? 1;
        outDims[k] = Math.max(da, db);
      }
      const n = (d: readonly number[]) => d.reduce((x, y) => x * y, 1);
      const [a, b] = [bytes(rand, n(aDims)), bytes(rand, n(bDims))];
      const table = bytes(rand, 65536);
      const dst = stridesOf(outDims);
      const as = broadcastStrides(aDims, outDims);
      const bs = broadcastStrides(bDims, outDims);
      const count = n(outDims);
      const out = new Uint8Array(
        await runOnGpu(
          ctx,
          [padded(a), padded(b)],
          padded(new Uint8Array(count)).length,
          async ([ga, gb], o) =>
            prepareByteMap(ctx, o, ga, gb, {
              axes: outDims.map((m, k) => ({ n: m, dstStride: dst[k], aStride: as[k], bStride: bs[k] })),
              table,
            }),
        ),
      ).subarray(0, count);
      const expected = new Uint8Array(count);
      for (let e = 0; e < count; e++) {
        let rest = e;
        let i = 0;
        let j = 0;
        for (let k = outDims.length - 1; k >= 0; k--) {
          const c = rest % outDims[k];
          rest = Math.floor(rest / outDims[k]);
          i += c * as[k];
          j += c * bs[k];
        }
        expected[e] = table[a[i] * 256 + b[j]];
      }
      expect(firstMismatch(out, expected)).toBeUndefined();
    });
  }
});

// Nearest Resize on the GPU (kernels/resize/gather-map.ts: a gather whose map is the reference run
// on element indices) vs the reference (resize.ref.ts) run on the data itself, byte for byte, for
// int8, uint8 and float32, every coordinate transformation and nearest rounding mode, scales and
// sizes, up and down, 1-D to 4-D resized axes.
import { describe, expect, it } from 'vitest';
import {
  type CoordinateTransformationMode,
  type NearestMode,
  type ResizeParams,
  resize,
} from '../../kernels/resize/resize.ref.js';
import { indexMapOf, prepareGatherMap } from '../../kernels/resize/gather-map.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { runOnGpu } from './float-kernel-helpers.js';
import { firstMismatch, randomInts, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
type D = 'int8' | 'uint8' | 'float32';

function data(rand: () => number, dtype: D, n: number): Tensor['data'] {
  if (dtype === 'int8') return Int8Array.from(randomInts(rand, n, -128, 127));
  if (dtype === 'uint8') return Uint8Array.from(randomInts(rand, n, 0, 255));
  return Float32Array.from({ length: n }, () => (rand() - 0.5) * 100);
}

function bytesOf(d: Tensor['data']): Uint8Array {
  const b = new Uint8Array(Math.max(4, Math.ceil(d.byteLength / 4) * 4));
  b.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  return b;
}

async function check(dtype: D, dims: number[], p: ResizeParams, seed: number) {
  const ctx = await gpu();
  const n = dims.reduce((a, b) => a * b, 1);
  const x = makeTensor(dtype, dims, data(rng(seed), dtype, n) as never);
  const want = resize(x, p);
  const map = indexMapOf(dims, (t) => resize(t, p));
  expect(map).toBeDefined();
  const size = dtype === 'float32' ? 4 : 1;
  const out = await runOnGpu(
    ctx,
    [bytesOf(x.data)],
    Math.max(4, Math.ceil((want.data.length * size) / 4) * 4),
    async ([gx], o) => prepareGatherMap(ctx, gx, o, map!, size),
  );
  const got = new Uint8Array(out, 0, want.data.length * size);
  expect(firstMismatch(got, bytesOf(want.data).subarray(0, got.length))).toBeUndefined();
}

const CTMS: CoordinateTransformationMode[] = [
  'half_pixel',
  'pytorch_half_pixel',
  'align_corners',
  'asymmetric',
];
const NMS: NearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

describe('nearest Resize on the GPU as a gather', () => {
  for (const dtype of ['int8', 'uint8', 'float32'] as const)
    it(`${dtype}: every coordinate and rounding mode, scales up and down`, async () => {
      let seed = 1;
      for (const ctm of CTMS)
        for (const nm of NMS) {
          await check(
            dtype,
            [1, 3, 5, 7],
            { mode: 'nearest', coordinateTransformationMode: ctm, nearestMode: nm, scales: [1, 1, 2, 2] },
            seed++,
          );
          await check(
            dtype,
            [2, 2, 9, 6],
            { mode: 'nearest', coordinateTransformationMode: ctm, nearestMode: nm, scales: [1, 1, 0.5, 0.7] },
            seed++,
          );
          await check(
            dtype,
            [1, 2, 4, 5],
            { mode: 'nearest', coordinateTransformationMode: ctm, nearestMode: nm, sizes: [1, 2, 7, 3] },
            seed++,
          );
        }
    });

  it('random shapes, ranks and scales', async () => {
    const rand = rng(77);
    for (let t = 0; t < 30; t++) {
      const dtype: D = (['int8', 'uint8', 'float32'] as const)[t % 3];
      const rank = 2 + (t % 3);
      const dims = Array.from({ length: rank }, () => 1 + Math.floor(rand() * 6));
      const scales = dims.map(() => [0.5, 1, 1.5, 2, 3, 0.75][Math.floor(rand() * 6)]);
      await check(
        dtype,
        dims,
        {
          mode: 'nearest',
          coordinateTransformationMode: CTMS[Math.floor(rand() * 4)],
          nearestMode: NMS[Math.floor(rand() * 4)],
          scales,
        },
        t + 100,
      );
    }
  });
});

// ScatterND and ScatterElements on the GPU (kernels/scatter/scatter.wgsl) vs the references
// (scatter.ref.ts), bit for bit: float32 / int32 / uint32 data, negative and duplicate indices,
// every reduction (updates folded in order, as the reference).
import { describe, expect, it } from 'vitest';
import { prepareScatter, scatterRowOffsets } from '../../kernels/scatter/scatter.js';
import {
  type ScatterReduction,
  scatterElementsRef,
  scatterNDRef,
} from '../../kernels/scatter/scatter.ref.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { runOnGpu } from './float-kernel-helpers.js';
import { firstMismatch, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const REDUCTIONS: ScatterReduction[] = ['none', 'add', 'mul', 'max', 'min'];
type D = 'float32' | 'int32' | 'uint32';

function values(r: () => number, dtype: D, n: number): Tensor['data'] {
  if (dtype === 'float32') return Float32Array.from({ length: n }, () => (r() - 0.5) * 6);
  if (dtype === 'int32') return Int32Array.from({ length: n }, () => Math.floor((r() - 0.5) * 2e5));
  return Uint32Array.from({ length: n }, () => Math.floor(r() * 4e9));
}

function int64(dims: readonly number[], v: readonly number[]): Tensor {
  return makeTensor(
    'int64',
    dims,
    BigInt64Array.from(v, (x) => BigInt(x)),
  );
}

async function check(
  kind: 'nd' | 'elements',
  data: Tensor,
  indices: Tensor,
  updates: Tensor,
  axis: number,
  red: ScatterReduction,
) {
  const ctx = await gpu();
  const want =
    kind === 'nd'
      ? scatterNDRef(data, indices, updates, red)
      : scatterElementsRef(data, indices, updates, axis, red);
  const rows = scatterRowOffsets(kind, data.dims, indices, axis);
  const out = await runOnGpu(ctx, [data.data, updates.data], data.data.length * 4, ([gd, gu], o) =>
    prepareScatter(ctx, gd, gu, o, data.dtype, data.data.length, rows.offsets, rows.slice, red),
  );
  const got = new Uint32Array(out, 0, data.data.length);
  const exp = new Uint32Array(want.data.buffer, want.data.byteOffset, data.data.length);
  expect(firstMismatch(got, exp), `${kind} ${data.dtype} ${red} [${data.dims}]`).toBeUndefined();
}

describe('scatter on the GPU vs the reference (bit-exact)', () => {
  for (const dtype of ['float32', 'int32', 'uint32'] as const) {
    it(`${dtype} ScatterND: random slices with duplicates, every reduction`, async () => {
      const r = rng(80);
      for (const red of REDUCTIONS) {
        for (let k = 0; k < 4; k++) {
          const dims = [2 + Math.floor(r() * 3), 1 + Math.floor(r() * 3), 1 + Math.floor(r() * 3)];
          const q = 1 + Math.floor(r() * 3);
          const rows = 1 + Math.floor(r() * 6);
          const idx: number[] = [];
          for (let n = 0; n < rows; n++)
            for (let j = 0; j < q; j++) idx.push(Math.floor(r() * dims[j]) - (r() < 0.3 ? dims[j] : 0));
          const uDims = [rows, ...dims.slice(q)];
          const data = makeTensor(dtype, dims, values(r, dtype, dims[0] * dims[1] * dims[2]) as never);
          const updates = makeTensor(
            dtype,
            uDims,
            values(
              r,
              dtype,
              uDims.reduce((a, b) => a * b, 1),
            ) as never,
          );
          await check('nd', data, int64([rows, q], idx), updates, 0, red);
        }
      }
    });

    it(`${dtype} ScatterElements: random axes with duplicates, every reduction`, async () => {
      const r = rng(81);
      for (const red of REDUCTIONS) {
        for (let k = 0; k < 4; k++) {
          const dims = [1 + Math.floor(r() * 4), 1 + Math.floor(r() * 4)];
          const axis = Math.floor(r() * 2) - (r() < 0.5 ? 2 : 0);
          const ax = axis < 0 ? axis + 2 : axis;
          const iDims = dims.map((d) => 1 + Math.floor(r() * d));
          const n = iDims[0] * iDims[1];
          const idx = Array.from({ length: n }, () => Math.floor(r() * dims[ax]));
          const data = makeTensor(dtype, dims, values(r, dtype, dims[0] * dims[1]) as never);
          const updates = makeTensor(dtype, iDims, values(r, dtype, n) as never);
          await check('elements', data, int64(iDims, idx), updates, axis, red);
        }
      }
    });
  }
});

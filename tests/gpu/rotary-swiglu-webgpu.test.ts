// RotaryEmbedding and SwiGLU on the GPU (kernels/attention/rotary.wgsl, swiglu.wgsl) against the
// CPU reference (attention.ref.ts). RotaryEmbedding is bit-exact on SwiftShader (products
// rounded to f32, then one f32 add or subtract, as the reference); SwiGLU within 1e-6 relative
// + 1e-30 absolute, about 16 f32 ulps (WGSL's exp and `/` are a few ulps from exact).
import { describe, expect, it } from 'vitest';
import { prepareRotary, prepareSwiGlu } from '../../kernels/attention/attention-gpu.js';
import { rotaryEmbeddingRef, swiGluRef } from '../../kernels/attention/attention.ref.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { expectClose, randomFloats, runOnGpu } from './float-kernel-helpers.js';
import { firstMismatch, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

interface RotaryCase {
  readonly dims: readonly number[];
  readonly numHeads?: number;
  readonly rotaryDim?: number;
  readonly interleaved?: boolean;
  readonly positionIds?: boolean;
}

const f32 = (r: () => number, dims: readonly number[], lo = -1, hi = 1): Tensor =>
  makeTensor(
    'float32',
    [...dims],
    randomFloats(
      r,
      dims.reduce((a, b) => a * b, 1),
      lo,
      hi,
    ),
  );

async function checkRotary(c: RotaryCase, seed: number): Promise<void> {
  const ctx = await gpu();
  const r = rng(seed);
  const rank = c.dims.length;
  const [b, s] = rank === 4 ? [c.dims[0], c.dims[2]] : [c.dims[0], c.dims[1]];
  const head = rank === 4 ? c.dims[3] : c.dims[2] / (c.numHeads ?? 1);
  const half = (c.rotaryDim || head) / 2;
  const maxPos = 11;
  const x = f32(r, c.dims, -3, 3);
  const cacheDims = c.positionIds ? [maxPos, half] : [b, s, half];
  const cos = f32(r, cacheDims);
  const sin = f32(r, cacheDims);
  const ids = c.positionIds
    ? makeTensor(
        'int64',
        [b, s],
        BigInt64Array.from({ length: b * s }, () => BigInt(Math.floor(r() * maxPos))),
      )
    : undefined;
  const want = rotaryEmbeddingRef(
    x,
    cos,
    sin,
    ids,
    c.interleaved ?? false,
    c.rotaryDim ?? 0,
    c.numHeads ?? 0,
  );
  const inputs: ArrayBufferView[] = [x.data, cos.data, sin.data];
  if (ids) inputs.push(Int32Array.from(ids.data as BigInt64Array, Number));
  const out = await runOnGpu(ctx, inputs, want.data.length * 4, ([gx, gc, gs, gp], y) =>
    prepareRotary(ctx, gx, gc, gs, gp, y, {
      dims: c.dims,
      numHeads: c.numHeads ?? 0,
      rotaryDim: c.rotaryDim ?? 0,
      interleaved: c.interleaved ?? false,
    }),
  );
  expect(firstMismatch(new Float32Array(out), want.data as Float32Array)).toBeUndefined();
}

const ROTARY: Record<string, RotaryCase> = {
  '4d': { dims: [2, 3, 4, 8] },
  '4d_interleaved': { dims: [2, 3, 4, 8], interleaved: true },
  '4d_position_ids': { dims: [2, 3, 4, 8], positionIds: true },
  '4d_interleaved_position_ids': { dims: [2, 3, 4, 8], interleaved: true, positionIds: true },
  '3d_num_heads': { dims: [2, 5, 3 * 6], numHeads: 3 },
  '3d_num_heads_interleaved_position_ids': {
    dims: [2, 5, 3 * 6],
    numHeads: 3,
    interleaved: true,
    positionIds: true,
  },
  rotary_dim_partial: { dims: [1, 2, 3, 10], rotaryDim: 4 },
  rotary_dim_partial_interleaved: { dims: [1, 2, 3, 10], rotaryDim: 6, interleaved: true },
  rotary_dim_partial_3d_position_ids: { dims: [2, 3, 2 * 12], numHeads: 2, rotaryDim: 8, positionIds: true },
  head_2_seq_1: { dims: [3, 1, 1, 2] },
};

describe('RotaryEmbedding on the GPU vs the reference (bit-exact)', () => {
  for (const [name, c] of Object.entries(ROTARY)) it(name, () => checkRotary(c, name.length * 13 + 1));
  it('seeded random cases', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const r = rng(300 + seed);
      const pick = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
      const head = 2 * pick(1, 8);
      const heads = pick(1, 4);
      const rotaryDim = r() < 0.4 ? 2 * pick(1, head / 2) : 0;
      const three = r() < 0.5;
      const [b, s] = [pick(1, 3), pick(1, 6)];
      await checkRotary(
        {
          dims: three ? [b, s, heads * head] : [b, heads, s, head],
          numHeads: three ? heads : undefined,
          rotaryDim,
          interleaved: r() < 0.5,
          positionIds: r() < 0.5,
        },
        seed,
      );
    }
  });
});

describe('SwiGLU on the GPU vs the reference', () => {
  for (const alpha of [1, 1.702, 0.25, -0.5])
    it(`alpha ${alpha}, large and tiny inputs`, async () => {
      const ctx = await gpu();
      const r = rng(Math.round(alpha * 1000) + 7);
      const n = 1031;
      const av = randomFloats(r, n, -12, 12);
      av.set([0, -0, 100, -100, 1e-30, -88, 88, 200, -200]);
      const a = makeTensor('float32', [n], av);
      const b = f32(r, [n], -3, 3);
      const want = swiGluRef(a, b, alpha);
      const out = await runOnGpu(ctx, [a.data, b.data], n * 4, ([ga, gb], y) =>
        prepareSwiGlu(ctx, ga, gb, y, n, alpha),
      );
      expectClose(new Float32Array(out), want.data as Float32Array, 1e-6, 1e-30);
    });
});

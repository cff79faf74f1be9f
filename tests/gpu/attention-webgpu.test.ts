// Attention (opsets 23-25, float32) on the GPU (kernels/attention/attention.wgsl after
// kv-concat.wgsl) against the CPU reference (attention.ref.ts). The GPU sums in f32 in its own
// order (the reference sums products in f64 and rounds each step), so every output element must
// be within 2e-5 * max |expected| + 1e-6 of the reference: Y, present_key / present_value (a copy:
// exact) and qk_matmul_output in each mode. Curated cases named after their parameters, then
// seeded random ones.
import { describe, expect, it } from 'vitest';
import { type AttentionGeometry, prepareAttention } from '../../kernels/attention/attention-gpu.js';
import { attentionRef } from '../../kernels/attention/attention.ref.js';
import { createStorageBuffer, readBuffer, uploadBuffer } from '../../kernels/gpu/buffers.js';
import type { GpuContext } from '../../kernels/gpu/device.js';
import { destroyDispatches, recordDispatches } from '../../kernels/gpu-float/float-dispatch.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { randomF32, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

interface Case {
  readonly b: number;
  readonly hq: number;
  readonly hkv: number;
  readonly sq: number;
  readonly skv: number;
  readonly past: number;
  readonly d: number;
  readonly dv: number;
  readonly threeD?: boolean;
  readonly causal?: boolean;
  readonly softcap?: number;
  readonly scale?: number;
  readonly mask?: { readonly dims: readonly number[]; readonly bool: boolean };
  readonly mode?: number;
  readonly left?: number;
  readonly right?: number;
  /** nonpad_kv_seqlen per batch. */
  readonly nonpad?: readonly number[];
}

function maskTensor(r: () => number, m: NonNullable<Case['mask']>): Tensor {
  const n = m.dims.reduce((a, b) => a * b, 1);
  if (m.bool)
    return makeTensor(
      'bool',
      [...m.dims],
      Uint8Array.from({ length: n }, () => (r() < 0.7 ? 1 : 0)),
    );
  // Additive: mostly small negatives, some -inf.
  return makeTensor(
    'float32',
    [...m.dims],
    Float32Array.from({ length: n }, () => (r() < 0.15 ? Number.NEGATIVE_INFINITY : -2 * r())),
  );
}

function expectNear(got: Float32Array, want: ArrayLike<number>, label: string): void {
  expect(got.length, label).toBe(want.length);
  let max = 0;
  for (let i = 0; i < want.length; i++) if (Number.isFinite(want[i])) max = Math.max(max, Math.abs(want[i]));
  const tol = 2e-5 * max + 1e-6;
  for (let i = 0; i < want.length; i++) {
    if (Object.is(got[i], want[i])) continue;
    if (!(Math.abs(got[i] - want[i]) <= tol))
      expect.fail(`${label} element ${i}: got ${got[i]}, expected ${want[i]} (tolerance ${tol})`);
  }
}

async function check(ctx: GpuContext, c: Case, seed: number, maxScratchBytes?: number): Promise<void> {
  const r = rng(seed);
  const three = c.threeD ?? false;
  const qDims = three ? [c.b, c.sq, c.hq * c.d] : [c.b, c.hq, c.sq, c.d];
  const kDims = three ? [c.b, c.skv, c.hkv * c.d] : [c.b, c.hkv, c.skv, c.d];
  const vDims = three ? [c.b, c.skv, c.hkv * c.dv] : [c.b, c.hkv, c.skv, c.dv];
  const q = randomF32(r, qDims, 2);
  const k = randomF32(r, kDims, 2);
  const v = randomF32(r, vDims);
  const mask = c.mask ? maskTensor(r, c.mask) : undefined;
  const pastKey = c.past ? randomF32(r, [c.b, c.hkv, c.past, c.d], 2) : undefined;
  const pastValue = c.past ? randomF32(r, [c.b, c.hkv, c.past, c.dv]) : undefined;
  const mode = c.mode ?? 0;
  const nonpad = c.nonpad
    ? makeTensor(
        'int64',
        [c.b],
        BigInt64Array.from(c.nonpad, (n) => BigInt(n)),
      )
    : undefined;
  const want = attentionRef(q, k, v, mask, pastKey, pastValue, nonpad, {
    scale: c.scale,
    isCausal: c.causal ?? false,
    qNumHeads: three ? c.hq : undefined,
    kvNumHeads: three ? c.hkv : undefined,
    softcap: c.softcap ?? 0,
    qkMatmulOutputMode: mode,
    leftWindow: c.left ?? -1,
    rightWindow: c.right ?? -1,
  });
  const g: AttentionGeometry = {
    batch: c.b,
    qHeads: c.hq,
    kvHeads: c.hkv,
    qSeq: c.sq,
    kvSeq: c.skv,
    past: c.past,
    head: c.d,
    headV: c.dv,
    threeD: three,
    scale: c.scale,
    causal: c.causal ?? false,
    softcap: c.softcap ?? 0,
    qkMode: mode,
    leftWindow: c.left ?? -1,
    rightWindow: c.right ?? -1,
    mask: c.mask,
  };
  const up = (t: Tensor | undefined, name: string) =>
    t ? uploadBuffer(ctx, `test.${name}`, t.data as ArrayBufferView) : undefined;
  const outs = [want.y, want.presentKey, want.presentValue, want.qk].map((t, i) =>
    createStorageBuffer(ctx, `test.out${i}`, Math.max(4, t.data.length * 4)),
  );
  const ins = { q: up(q, 'q')!, k: up(k, 'k')!, v: up(v, 'v')!, mask: up(mask, 'mask') };
  const past = {
    pastKey: up(pastKey, 'pk'),
    pastValue: up(pastValue, 'pv'),
    nonpad: c.nonpad ? uploadBuffer(ctx, 'test.nonpad', Int32Array.from(c.nonpad)) : undefined,
  };
  const dispatches = await prepareAttention(
    ctx,
    { ...ins, ...past, y: outs[0], presentKey: outs[1], presentValue: outs[2], qk: outs[3] },
    g,
    maxScratchBytes,
  );
  const encoder = ctx.device.createCommandEncoder();
  recordDispatches(encoder, dispatches);
  ctx.device.queue.submit([encoder.finish()]);
  const names = ['Y', 'present_key', 'present_value', 'qk_matmul_output'];
  const wants = [want.y, want.presentKey, want.presentValue, want.qk];
  for (let i = 0; i < 4; i++) {
    const n = wants[i].data.length;
    const got = new Float32Array(await readBuffer(ctx, outs[i], Math.max(4, n * 4)), 0, n);
    expectNear(got, wants[i].data as Float32Array, names[i]);
  }
  destroyDispatches(dispatches);
  for (const b of [...outs, ...Object.values(ins), ...Object.values(past)]) b?.destroy();
}

const base = { b: 2, hq: 2, hkv: 2, sq: 3, skv: 5, past: 0, d: 8, dv: 8 } as const;

const CURATED: Record<string, Case> = {
  plain_4d: base,
  plain_3d: { ...base, threeD: true },
  causal: { ...base, causal: true },
  causal_sq_gt_skv: { ...base, sq: 6, skv: 4, causal: true },
  causal_3d_gqa: { ...base, hq: 4, hkv: 2, threeD: true, causal: true },
  mask_bool_2d: { ...base, mask: { dims: [3, 5], bool: true } },
  mask_bool_4d: { ...base, mask: { dims: [2, 2, 3, 5], bool: true } },
  mask_float_2d: { ...base, mask: { dims: [3, 5], bool: false } },
  mask_float_3d_per_head: { ...base, mask: { dims: [2, 3, 5], bool: false } },
  mask_float_4d_batch_broadcast: { ...base, mask: { dims: [1, 2, 1, 5], bool: false } },
  mask_rank1_bool: { ...base, mask: { dims: [5], bool: true } },
  mask_shorter_than_keys: { ...base, past: 2, mask: { dims: [3, 4], bool: false } },
  mask_fully_masked_rows: { ...base, mask: { dims: [3, 5], bool: true }, mode: 3 },
  gqa_4_over_1: { ...base, hq: 4, hkv: 1 },
  gqa_6_over_2_3d: { ...base, hq: 6, hkv: 2, threeD: true },
  past_kv: { ...base, past: 4 },
  past_kv_causal_3d: { ...base, past: 4, causal: true, threeD: true },
  past_kv_gqa_mask: { ...base, hq: 4, hkv: 2, past: 3, mask: { dims: [2, 1, 3, 8], bool: false } },
  softcap: { ...base, softcap: 2 },
  softcap_scaled_mode1: { ...base, softcap: 0.7, scale: 0.5, mode: 1 },
  scale: { ...base, scale: 0.05 },
  head_sizes_odd: { ...base, d: 5, dv: 3 },
  head_sizes_differ_3d: { ...base, d: 7, dv: 13, threeD: true },
  seq_len_1_decode: { ...base, sq: 1, past: 7, causal: true },
  seq_len_1_kv_1: { ...base, sq: 1, skv: 1 },
  qk_mode_0: { ...base, mask: { dims: [3, 5], bool: false }, mode: 0 },
  qk_mode_2_mask_causal: { ...base, mask: { dims: [3, 5], bool: false }, causal: true, mode: 2 },
  qk_mode_3_softmax: { ...base, softcap: 3, mode: 3 },
  window_left: { ...base, sq: 5, skv: 9, left: 2 },
  window_left_right_causal: { ...base, sq: 5, skv: 9, left: 3, right: 1, causal: true },
  nonpad_prefill_causal: { ...base, sq: 5, skv: 5, causal: true, nonpad: [3, 5] },
  nonpad_negative_offset_causal: { ...base, sq: 4, skv: 6, causal: true, nonpad: [2, 6] },
  nonpad_with_past_causal_mask: {
    ...base,
    past: 3,
    causal: true,
    nonpad: [6, 8],
    mask: { dims: [3, 8], bool: false },
    mode: 2,
  },
  nonpad_gqa_window: { ...base, hq: 4, hkv: 2, sq: 2, skv: 7, left: 2, causal: true, nonpad: [4, 7] },
  long_keys_over_workgroup: { ...base, b: 1, sq: 2, skv: 150, d: 16, dv: 70 },
};

describe('Attention on the GPU vs the reference', () => {
  for (const [name, c] of Object.entries(CURATED))
    it(name, async () => {
      await check(await gpu(), c, name.length * 31 + 5);
    });

  // 12 rows of 9 keys with scratch for 5 rows (then 1 row): dispatches over row chunks.
  for (const [rowsPerChunk, name] of [
    [5, 'past_kv_causal_mask_qk_mode3_scratch_5_rows'],
    [1, 'gqa_3d_softcap_scratch_1_row'],
  ] as const)
    it(name, async () => {
      const c: Case =
        rowsPerChunk === 5
          ? { ...base, past: 4, causal: true, mask: { dims: [2, 1, 3, 9], bool: true }, mode: 3 }
          : { ...base, hq: 4, hkv: 2, threeD: true, softcap: 1.5, mode: 2 };
      await check(await gpu(), c, rowsPerChunk + 40, rowsPerChunk * (c.past + c.skv) * 4);
    });

  it('seeded random cases', async () => {
    const ctx = await gpu();
    for (let seed = 1; seed <= 12; seed++) {
      const r = rng(1000 + seed);
      const pick = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
      const hkv = pick(1, 3);
      const reps = pick(1, 3);
      const b = pick(1, 2);
      const sq = pick(1, 6);
      const skv = pick(1, 7);
      const past = r() < 0.4 ? pick(1, 5) : 0;
      const maskRank = pick(0, 4);
      const c: Case = {
        b,
        hq: hkv * reps,
        hkv,
        sq,
        skv,
        past,
        d: pick(1, 12),
        dv: pick(1, 12),
        threeD: r() < 0.5,
        causal: r() < 0.5,
        softcap: r() < 0.3 ? 1 + 4 * r() : 0,
        scale: r() < 0.3 ? 0.1 + r() : undefined,
        // Rank 1 to 4, right-aligned on [B, Hq, Sq, T]; leading dims 1 (broadcast) or full.
        mask: maskRank
          ? {
              dims: [r() < 0.5 ? 1 : b, r() < 0.5 ? 1 : hkv * reps, sq, past + skv].slice(4 - maskRank),
              bool: r() < 0.5,
            }
          : undefined,
        mode: pick(0, 3),
        left: r() < 0.2 ? pick(0, 4) : -1,
        right: r() < 0.2 ? pick(0, 4) : -1,
        nonpad: r() < 0.3 ? Array.from({ length: b }, () => pick(0, past + skv)) : undefined,
      };
      await check(ctx, c, seed);
    }
  });
});

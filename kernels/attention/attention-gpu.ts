// Hosts for the transformer kernels of opsets 23+ on float32: RotaryEmbedding (rotary.wgsl),
// SwiGLU (swiglu.wgsl) and Attention (kv-concat.wgsl writes present_key / present_value, then
// attention.wgsl, one workgroup per query row). Meanings: attention.ref.ts; tests:
// tests/gpu/attention-webgpu.test.ts, tests/gpu/rotary-swiglu-webgpu.test.ts.
import { createStorageBuffer } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { linearGrid } from '../gpu/dispatch.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';

const WORKGROUP_SIZE = 64;

async function pipelineOf(
  ctx: GpuContext,
  file: string,
  constants: Readonly<Record<string, number>>,
): Promise<GPUComputePipeline> {
  return getPipeline(ctx, {
    op: file.replace('.wgsl', ''),
    params: { workgroupSize: WORKGROUP_SIZE, ...constants },
    build: async (q) => ({
      code: await loadWgsl(new URL(`./${file}`, import.meta.url)),
      constants: { ...constants, WORKGROUP_SIZE: q.workgroupSize as number },
    }),
  });
}

/** A 4-byte storage buffer bound where an optional input is absent; owned by the dispatch. */
function dummy(ctx: GpuContext, label: string): GPUBuffer {
  return createStorageBuffer(ctx, label, 4);
}

export interface RotaryGeometry {
  /** X dims: [B, H, S, D] or [B, S, H*D]. */
  readonly dims: readonly number[];
  /** Heads of a 3-D input (num_heads). */
  readonly numHeads: number;
  /** rotary_embedding_dim, 0 for the whole head. */
  readonly rotaryDim: number;
  readonly interleaved: boolean;
}

/** RotaryEmbedding; `pos`: position ids as i32 [B, S], or undefined (cos / sin are [B, S, rd/2]). */
export async function prepareRotary(
  ctx: GpuContext,
  x: GPUBuffer,
  cos: GPUBuffer,
  sin: GPUBuffer,
  pos: GPUBuffer | undefined,
  y: GPUBuffer,
  g: RotaryGeometry,
): Promise<PreparedDispatch> {
  const rank = g.dims.length;
  if (rank !== 3 && rank !== 4)
    throw new Error(`RotaryEmbedding on the GPU takes 3-D or 4-D X, got ${rank}-D`);
  const [heads, seq, head] =
    rank === 4 ? [g.dims[1], g.dims[2], g.dims[3]] : [g.numHeads, g.dims[1], g.dims[2] / g.numHeads];
  const rd = g.rotaryDim > 0 ? g.rotaryDim : head;
  if (!Number.isInteger(head) || rd % 2 !== 0 || rd > head)
    throw new Error(`RotaryEmbedding: rotary dim ${rd} does not fit head size ${head}`);
  const total = g.dims.reduce((a, b) => a * b, 1);
  const pipeline = await pipelineOf(ctx, 'rotary.wgsl', {
    INTERLEAVED: g.interleaved ? 1 : 0,
    LAYOUT3: rank === 3 ? 1 : 0,
    HAS_POS: pos ? 1 : 0,
  });
  const owned = pos ? [] : [dummy(ctx, 'rotary.no-pos')];
  const d = prepareDispatch(
    ctx,
    'rotary',
    pipeline,
    {
      buffers: [x, cos, sin, pos ?? owned[0], y],
      uniform: uniformWords([total, seq, heads, head, rd, rd / 2, 0, 0]),
    },
    elementGrid(ctx, total, WORKGROUP_SIZE),
  );
  return { ...d, owned: [...d.owned, ...owned] };
}

/** SwiGLU over `total` elements: y = a * sigmoid(alpha * a) * b. */
export async function prepareSwiGlu(
  ctx: GpuContext,
  a: GPUBuffer,
  b: GPUBuffer,
  y: GPUBuffer,
  total: number,
  alpha: number,
): Promise<PreparedDispatch> {
  const pipeline = await pipelineOf(ctx, 'swiglu.wgsl', {});
  return prepareDispatch(
    ctx,
    'swiglu',
    pipeline,
    { buffers: [a, b, y], uniform: uniformWords([total, { f: alpha }, 0, 0]) },
    elementGrid(ctx, total, WORKGROUP_SIZE),
  );
}

export interface AttentionGeometry {
  readonly batch: number;
  readonly qHeads: number;
  readonly kvHeads: number;
  readonly qSeq: number;
  /** New keys / values (K's sequence length). */
  readonly kvSeq: number;
  /** Keys in past_key (0 without). */
  readonly past: number;
  /** Head sizes of Q / K and of V. */
  readonly head: number;
  readonly headV: number;
  /** Q, K, V and Y are [B, S, H*D] (true) or [B, H, S, D]. */
  readonly threeD: boolean;
  /** The attribute's scale, or undefined for 1 / sqrt(head). */
  readonly scale?: number;
  readonly causal: boolean;
  readonly softcap: number;
  readonly qkMode: number;
  readonly leftWindow: number;
  readonly rightWindow: number;
  /** attn_mask's dims (rank 1 to 4) and kind, when given. */
  readonly mask?: { readonly dims: readonly number[]; readonly bool: boolean };
}

/** Default bound on the probability scratch: longer inputs run as several dispatches. */
export const ATTENTION_SCRATCH_BYTES = 32 * 1024 * 1024;

export interface AttentionBuffers {
  readonly q: GPUBuffer;
  readonly k: GPUBuffer;
  readonly v: GPUBuffer;
  readonly mask?: GPUBuffer;
  readonly pastKey?: GPUBuffer;
  readonly pastValue?: GPUBuffer;
  readonly y: GPUBuffer;
  /** present_key / present_value storage (the kernel's K and V), [B, Hkv, T, D] / [.., Dv]. */
  readonly presentKey: GPUBuffer;
  readonly presentValue: GPUBuffer;
  readonly qk?: GPUBuffer;
  /** nonpad_kv_seqlen as i32 [B]: keys past it are masked; without past_key it moves the causal diagonal. */
  readonly nonpad?: GPUBuffer;
}

/** (b, h, s) strides of a [B, S, H*D] (3-D) or [B, H, S, D] tensor. */
function strides(threeD: boolean, heads: number, seq: number, d: number): [number, number, number] {
  return threeD ? [seq * heads * d, d, heads * d] : [heads * seq * d, seq * d, d];
}

async function prepareKvConcat(
  ctx: GpuContext,
  past: GPUBuffer | undefined,
  cur: GPUBuffer,
  present: GPUBuffer,
  g: AttentionGeometry,
  d: number,
): Promise<PreparedDispatch> {
  const pipeline = await pipelineOf(ctx, 'kv-concat.wgsl', {});
  const total = g.batch * g.kvHeads * (g.past + g.kvSeq) * d;
  const owned = past ? [] : [dummy(ctx, 'kv-concat.no-past')];
  const [sb, sh, ss] = strides(g.threeD, g.kvHeads, g.kvSeq, d);
  const p = prepareDispatch(
    ctx,
    'kv-concat',
    pipeline,
    {
      buffers: [past ?? owned[0], cur, present],
      uniform: uniformWords([total, g.kvHeads, g.past, g.kvSeq, d, sb, sh, ss]),
    },
    elementGrid(ctx, total, WORKGROUP_SIZE),
  );
  return { ...p, owned: [...p.owned, ...owned] };
}

/** Mask row strides (b, h, i) of a mask broadcast right-aligned over [B, H, Sq, *]. */
function maskStrides(dims: readonly number[]): [number, number, number] {
  const padded = [...new Array(4 - dims.length).fill(1), ...dims];
  const last = padded[3];
  const sq = padded[2] === 1 ? 0 : last;
  const sh = padded[1] === 1 ? 0 : padded[2] * last;
  const sb = padded[0] === 1 ? 0 : padded[1] * padded[2] * last;
  return [sb, sh, sq];
}

/**
 * The dispatches of one Attention node: present K, present V, then attention over the query
 * rows in chunks whose probability scratch fits `maxScratchBytes` (one row at least).
 */
export async function prepareAttention(
  ctx: GpuContext,
  buf: AttentionBuffers,
  g: AttentionGeometry,
  maxScratchBytes = ATTENTION_SCRATCH_BYTES,
): Promise<PreparedDispatch[]> {
  if (g.qHeads % g.kvHeads !== 0)
    throw new Error(`Attention: ${g.qHeads} query heads do not group over ${g.kvHeads} KV heads`);
  if (g.mask && (g.mask.dims.length < 1 || g.mask.dims.length > 4))
    throw new Error(`Attention on the GPU takes a mask of rank 1 to 4, got ${g.mask.dims.length}`);
  const total = g.past + g.kvSeq;
  const rows = g.batch * g.qHeads * g.qSeq;
  const concatK = await prepareKvConcat(ctx, buf.pastKey, buf.k, buf.presentKey, g, g.head);
  const concatV = await prepareKvConcat(ctx, buf.pastValue, buf.v, buf.presentValue, g, g.headV);
  const pipeline = await pipelineOf(ctx, 'attention.wgsl', {
    HAS_QK: buf.qk ? 1 : 0,
    MASK_KIND: g.mask ? (g.mask.bool ? 2 : 1) : 0,
    HAS_NONPAD: buf.nonpad ? 1 : 0,
  });
  const budget = Math.min(maxScratchBytes, ctx.device.limits.maxStorageBufferBindingSize);
  if (total * 4 > budget) throw new Error(`Attention: ${total} keys exceed the GPU's storage binding`);
  const chunk = Math.max(1, Math.min(rows, Math.floor(budget / Math.max(total * 4, 4))));
  const probs = createStorageBuffer(ctx, 'attention.probs', Math.max(4, chunk * total * 4));
  const owned = [probs];
  const mask = buf.mask ?? dummy(ctx, 'attention.no-mask');
  const qk = buf.qk ?? dummy(ctx, 'attention.no-qk');
  if (!buf.mask) owned.push(mask);
  if (!buf.qk) owned.push(qk);
  const nonpad = buf.nonpad ?? dummy(ctx, 'attention.no-nonpad');
  if (!buf.nonpad) owned.push(nonpad);
  const [qsb, qsh, qss] = strides(g.threeD, g.qHeads, g.qSeq, g.head);
  const [ysb, ysh, yss] = strides(g.threeD, g.qHeads, g.qSeq, g.headV);
  const [msb, msh, msq] = g.mask ? maskStrides(g.mask.dims) : [0, 0, 0];
  const maskLast = g.mask ? g.mask.dims[g.mask.dims.length - 1] : 0;
  // Q and K are each scaled by sqrt(scale), rounded to f32, as the reference.
  const scale = Math.fround(Math.sqrt(g.scale ?? 1 / Math.sqrt(g.head)));
  const dispatches: PreparedDispatch[] = [concatK, concatV];
  for (let row0 = 0; row0 < rows; row0 += chunk) {
    const end = Math.min(rows, row0 + chunk);
    const [gx, gy] = linearGrid(ctx, end - row0);
    const d = prepareDispatch(
      ctx,
      'attention',
      pipeline,
      {
        buffers: [buf.q, buf.presentKey, buf.presentValue, mask, probs, buf.y, qk, nonpad],
        uniform: uniformWords([
          end,
          g.qHeads,
          g.qSeq,
          total,
          g.head,
          g.headV,
          g.qHeads / g.kvHeads,
          g.kvHeads,
          qsb,
          qsh,
          qss,
          ysb,
          ysh,
          yss,
          g.qkMode,
          g.causal ? 1 : 0,
          g.past,
          g.leftWindow,
          g.rightWindow,
          0xff800000, // -inf's bits
          maskLast,
          msb,
          msh,
          msq,
          { f: scale },
          { f: g.softcap },
          row0,
          buf.nonpad && !buf.pastKey ? 1 : 0,
        ]),
      },
      [gx, gy, 1],
    );
    // The scratch and dummies go with the first chunk's dispatch.
    dispatches.push(row0 === 0 ? { ...d, owned: [...d.owned, ...owned] } : d);
  }
  return dispatches;
}

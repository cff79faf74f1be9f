// Attention (opsets 23, 24, 25) as ONNX's reference computes it: Q and K each scaled by
// sqrt(scale) (default 1/sqrt(head size)), QK^T, optional softcap, an additive bias (attn_mask as
// bool or float, padded with "masked" up to the key length; causal masking aligned bottom-right
// after the past keys or per batch from nonpad_kv_seqlen; sliding windows at 25), softmax over the
// keys (rows with every key masked give 0), then the weights times V. 3-D inputs are split into
// heads with q_num_heads / kv_num_heads; grouped-query attention repeats each KV head for its
// group of query heads. past_key / past_value are prepended to K / V (present_key/value).
// Values are rounded to the input's float type after every step, as the reference's numpy ops.
import { floatTensor, readFloats } from '../activation/float-io.js';
import { decodeSmallFloat, encodeSmallFloat } from '../dtypes/small-floats.js';
import { castRef } from '../shape-ops/cast.ref.js';
import { float16BitsToNumber, numberToFloat16Bits, type Tensor } from '../tensor.js';

export interface AttentionParams {
  readonly scale?: number;
  readonly isCausal: boolean;
  readonly qNumHeads?: number;
  readonly kvNumHeads?: number;
  readonly softcap: number;
  readonly qkMatmulOutputMode: number;
  readonly leftWindow: number;
  readonly rightWindow: number;
  /**
   * bfloat16: the inputs come widened to float32 (exactly) and every step rounds to bfloat16, as
   * numpy on ml_dtypes.bfloat16 does (its sums accumulate in bfloat16, one rounding per term).
   */
  readonly elementType?: 'bfloat16';
}

export interface AttentionResult {
  readonly y: Tensor;
  readonly presentKey: Tensor;
  readonly presentValue: Tensor;
  readonly qk: Tensor;
}

/** Rounding to the element type after each step (the reference's numpy arithmetic). */
function rounder(dtype: string): (v: number) => number {
  if (dtype === 'float32') return Math.fround;
  if (dtype === 'float16') return (v) => float16BitsToNumber(numberToFloat16Bits(v));
  if (dtype === 'bfloat16') return (v) => decodeSmallFloat('bfloat16', encodeSmallFloat('bfloat16', v));
  return (v) => v;
}

/** [B, S, H*D] -> [B, H, S, D] values (row-major). */
function splitHeads(x: ArrayLike<number>, b: number, s: number, h: number, d: number): Float64Array {
  const out = new Float64Array(b * h * s * d);
  for (let i = 0; i < b; i++)
    for (let t = 0; t < s; t++)
      for (let k = 0; k < h; k++)
        for (let e = 0; e < d; e++) out[((i * h + k) * s + t) * d + e] = x[((i * s + t) * h + k) * d + e];
  return out;
}

/** Right-aligned broadcast read of `m` (dims mDims) at [b, h, q, k] of [B, H, Sq, Skv]. */
function broadcastReader(
  mDims: readonly number[],
  full: readonly number[],
): (idx: readonly number[]) => number {
  const rank = full.length;
  const dims = [...new Array(rank - mDims.length).fill(1), ...mDims];
  const strides = new Array<number>(rank);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--) {
    strides[a] = dims[a] === 1 ? 0 : s;
    s *= dims[a];
  }
  return (idx) => idx.reduce((acc, v, a) => acc + v * strides[a], 0);
}

export function attentionRef(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  mask: Tensor | undefined,
  pastKey: Tensor | undefined,
  pastValue: Tensor | undefined,
  nonpad: Tensor | undefined,
  p: AttentionParams,
): AttentionResult {
  const dtype = p.elementType ?? q.dtype;
  const r = rounder(dtype);
  const rank = q.dims.length;
  if (rank !== 3 && rank !== 4) throw new Error(`Attention Q must be 3-D or 4-D, got rank ${rank}`);
  if (k.dims.length !== rank || v.dims.length !== rank)
    throw new Error('Attention Q, K and V must have one rank');
  if ((pastKey === undefined) !== (pastValue === undefined))
    throw new Error('Attention needs past_key and past_value together');
  const B = q.dims[0];
  let Hq: number;
  let Hkv: number;
  let Sq: number;
  let Skv: number;
  let D: number;
  let Dv: number;
  let Q: Float64Array;
  let K: Float64Array;
  let V: Float64Array;
  if (rank === 3) {
    if (!p.qNumHeads || !p.kvNumHeads)
      throw new Error('Attention with 3-D inputs needs q_num_heads and kv_num_heads');
    Hq = p.qNumHeads;
    Hkv = p.kvNumHeads;
    Sq = q.dims[1];
    Skv = k.dims[1];
    D = q.dims[2] / Hq;
    Dv = v.dims[2] / Hkv;
    Q = splitHeads(readFloats(q), B, Sq, Hq, D);
    K = splitHeads(readFloats(k), B, Skv, Hkv, k.dims[2] / Hkv);
    V = splitHeads(readFloats(v), B, Skv, Hkv, Dv);
  } else {
    [, Hq, Sq, D] = q.dims;
    [, Hkv, Skv] = k.dims;
    Dv = v.dims[3];
    Q = Float64Array.from(readFloats(q));
    K = Float64Array.from(readFloats(k));
    V = Float64Array.from(readFloats(v));
  }
  // past + new keys / values along the sequence axis: present_key / present_value.
  const past = pastKey ? pastKey.dims[2] : 0;
  const total = past + Skv;
  const concat = (pastT: Tensor | undefined, cur: Float64Array, d: number) => {
    if (!pastT) return cur;
    const pv = readFloats(pastT);
    const out = new Float64Array(B * Hkv * total * d);
    for (let i = 0; i < B * Hkv; i++) {
      out.set(pv.subarray(i * past * d, (i + 1) * past * d), i * total * d);
      out.set(cur.subarray(i * Skv * d, (i + 1) * Skv * d), (i * total + past) * d);
    }
    return out;
  };
  const Kp = concat(pastKey, K, D);
  const Vp = concat(pastValue, V, Dv);

  // The additive bias [B?, H?, Sq, total] as a function of (b, h, i, j).
  const maskRead = mask ? broadcastReader([...mask.dims.slice(0, -1), total], [B, Hq, Sq, total]) : undefined;
  const maskVals = mask ? readMask(mask, total) : undefined;
  const nonpadLen = nonpad ? Array.from(nonpad.data, Number) : undefined;
  const bias = (b: number, h: number, i: number, j: number): number => {
    let s = 0;
    if (maskRead && maskVals) s += maskVals[maskRead([b, h, i, j])];
    const offset = pastKey ? past : nonpadLen ? nonpadLen[b] - Sq : 0;
    if (p.isCausal && j > i + offset) s = Number.NEGATIVE_INFINITY;
    if (p.leftWindow >= 0 || p.rightWindow >= 0) {
      const diff = i + offset - j;
      if ((p.leftWindow >= 0 && diff > p.leftWindow) || (p.rightWindow >= 0 && -diff > p.rightWindow))
        s = Number.NEGATIVE_INFINITY;
    }
    if (nonpadLen && j >= nonpadLen[b]) s = Number.NEGATIVE_INFINITY;
    return s;
  };

  const scale = r(Math.sqrt(p.scale ?? 1 / Math.sqrt(D)));
  const reps = Hq / Hkv;
  if (!Number.isInteger(reps))
    throw new Error(`Attention: ${Hq} query heads do not group over ${Hkv} KV heads`);
  const y = new Float64Array(B * Hq * Sq * Dv);
  const qkOut = new Float64Array(B * Hq * Sq * total);
  const row = new Float64Array(total);
  const rawRow = new Float64Array(total);
  const biasRow = new Float64Array(total);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < Hq; h++) {
      const hk = Math.floor(h / reps);
      for (let i = 0; i < Sq; i++) {
        const qBase = ((b * Hq + h) * Sq + i) * D;
        for (let j = 0; j < total; j++) {
          const kBase = ((b * Hkv + hk) * total + j) * D;
          let dot = 0;
          for (let e = 0; e < D; e++) dot += r(Q[qBase + e] * scale) * r(Kp[kBase + e] * scale);
          const raw = r(dot);
          rawRow[j] = raw;
          row[j] = p.softcap > 0 ? r(r(Math.tanh(r(raw / p.softcap))) * p.softcap) : raw;
          biasRow[j] = bias(b, h, i, j);
        }
        const at = ((b * Hq + h) * Sq + i) * total;
        const allMasked = biasRow.every((x) => x === Number.NEGATIVE_INFINITY);
        for (let j = 0; j < total; j++) {
          const withBias = r(row[j] + biasRow[j]);
          // Mode 0: the QK product itself (before softcap, as onnxruntime and the spec); 1:
          // after softcap; 2: with the bias added; 3: the softmax (below).
          qkOut[at + j] =
            p.qkMatmulOutputMode === 2 ? withBias : p.qkMatmulOutputMode === 1 ? row[j] : rawRow[j];
          row[j] = withBias;
        }
        // Softmax over the keys; a row with every key masked gives 0.
        let max = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < total; j++) max = Math.max(max, row[j]);
        const safeMax = max === Number.NEGATIVE_INFINITY ? 0 : max;
        let sum = 0;
        for (let j = 0; j < total; j++) {
          row[j] = r(Math.exp(r(row[j] - safeMax)));
          sum = dtype === 'bfloat16' ? r(sum + row[j]) : sum + row[j];
        }
        sum = r(sum);
        if (sum === 0) sum = 1;
        for (let j = 0; j < total; j++) row[j] = allMasked ? 0 : r(row[j] / sum);
        if (p.qkMatmulOutputMode === 3) for (let j = 0; j < total; j++) qkOut[at + j] = row[j];
        const yBase = ((b * Hq + h) * Sq + i) * Dv;
        for (let e = 0; e < Dv; e++) {
          let acc = 0;
          for (let j = 0; j < total; j++) acc += row[j] * Vp[((b * Hkv + hk) * total + j) * Dv + e];
          y[yBase + e] = acc;
        }
      }
    }
  const yDims = rank === 3 ? [B, Sq, Hq * Dv] : [B, Hq, Sq, Dv];
  const yVals = rank === 3 ? mergeHeads(y, B, Sq, Hq, Dv) : y;
  const out = (dims: number[], vals: Float64Array): Tensor =>
    dtype === 'bfloat16'
      ? castRef({ dtype: 'float64', dims, data: vals }, 'bfloat16')
      : floatTensor(dtype, dims, vals);
  return {
    y: out(yDims, yVals),
    presentKey: out([B, Hkv, total, D], Kp),
    presentValue: out([B, Hkv, total, Dv], Vp),
    qk: out([B, Hq, Sq, total], qkOut),
  };
}

/** [B, H, S, D] -> [B, S, H*D]. */
function mergeHeads(x: Float64Array, b: number, s: number, h: number, d: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < b; i++)
    for (let k = 0; k < h; k++)
      for (let t = 0; t < s; t++)
        for (let e = 0; e < d; e++) out[((i * s + t) * h + k) * d + e] = x[((i * h + k) * s + t) * d + e];
  return out;
}

/** The mask as additive values, its last axis padded to `total` with "masked" (-inf / false). */
function readMask(mask: Tensor, total: number): Float64Array {
  const last = mask.dims[mask.dims.length - 1];
  const rows = mask.data.length / Math.max(last, 1);
  const out = new Float64Array(rows * total).fill(Number.NEGATIVE_INFINITY);
  const bool = mask.dtype === 'bool';
  const vals = bool ? (mask.data as Uint8Array) : readFloats(mask);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < Math.min(last, total); j++) {
      const m = vals[r * last + j];
      out[r * total + j] = bool ? (m ? 0 : Number.NEGATIVE_INFINITY) : m;
    }
  return out;
}

/** RotaryEmbedding (opset 23): rotates pairs of each head's first rotary_embedding_dim values. */
export function rotaryEmbeddingRef(
  x: Tensor,
  cos: Tensor,
  sin: Tensor,
  positionIds: Tensor | undefined,
  interleaved: boolean,
  rotaryDim: number,
  numHeads: number,
): Tensor {
  const r = rounder(x.dtype);
  const rank = x.dims.length;
  const B = x.dims[0];
  let H: number;
  let S: number;
  let D: number;
  let X: Float64Array;
  if (rank === 4) {
    // [B, S, H, D]? The ONNX op takes [batch, num_heads, seq, head] for 4-D input.
    [, H, S, D] = x.dims;
    X = Float64Array.from(readFloats(x));
  } else if (rank === 3) {
    if (!numHeads) throw new Error('RotaryEmbedding with a 3-D input needs num_heads');
    H = numHeads;
    S = x.dims[1];
    D = x.dims[2] / H;
    X = splitHeads(readFloats(x), B, S, H, D);
  } else throw new Error(`RotaryEmbedding input must be 3-D or 4-D, got rank ${rank}`);
  const rd = rotaryDim > 0 ? rotaryDim : D;
  const half = rd / 2;
  const cv = readFloats(cos);
  const sv = readFloats(sin);
  const pos = positionIds ? Array.from(positionIds.data, Number) : undefined;
  const out = Float64Array.from(X);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let s = 0; s < S; s++) {
        const base = ((b * H + h) * S + s) * D;
        // cos/sin: [max_pos, rd/2] indexed by position_ids, or [B, S, rd/2] without them.
        const row = pos ? pos[b * S + s] * half : (b * S + s) * half;
        for (let t = 0; t < half; t++) {
          const [i1, i2] = interleaved ? [base + 2 * t, base + 2 * t + 1] : [base + t, base + t + half];
          const c = cv[row + t];
          const sn = sv[row + t];
          const x1 = X[i1];
          const x2 = X[i2];
          out[i1] = r(r(x1 * c) - r(x2 * sn));
          out[i2] = r(r(x2 * c) + r(x1 * sn));
        }
      }
  const vals = rank === 3 ? mergeHeads(out, B, S, H, D) : out;
  return floatTensor(x.dtype, x.dims, vals);
}

/** SwiGLU (opset 28): Swish_alpha(A) * B, A and B of one shape, each step rounded to the type. */
export function swiGluRef(a: Tensor, b: Tensor, alpha: number): Tensor {
  if (a.dims.join(',') !== b.dims.join(','))
    throw new Error(`SwiGLU needs A and B of one shape, got [${a.dims}] and [${b.dims}]`);
  const r = rounder(a.dtype);
  const x = readFloats(a);
  const y = readFloats(b);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = r(r(x[i] * r(1 / (1 + Math.exp(-alpha * x[i])))) * y[i]);
  return floatTensor(a.dtype, a.dims, out);
}

/**
 * TensorScatter (opset 24): writes `update` into a copy of `past` along `axis`, starting per batch
 * at write_indices[b] (0 without them), wrapping around the axis in 'circular' mode.
 */
export function tensorScatterRef(
  past: Tensor,
  update: Tensor,
  writeIndices: Tensor | undefined,
  axisIn: number,
  circular: boolean,
): Tensor {
  const rank = past.dims.length;
  const axis = ((axisIn % rank) + rank) % rank;
  for (let i = 0; i < rank; i++)
    if (i === axis ? update.dims[i] > past.dims[i] : update.dims[i] !== past.dims[i])
      throw new Error(
        `TensorScatter update [${update.dims}] does not fit cache [${past.dims}] at axis ${axis}`,
      );
  const max = past.dims[axis];
  const len = update.dims[axis];
  const inner = past.dims.slice(axis + 1).reduce((x, y) => x * y, 1);
  const outer = past.dims.slice(0, axis).reduce((x, y) => x * y, 1);
  const perBatch = outer / Math.max(past.dims[0], 1);
  const out = past.data.slice() as Tensor['data'];
  const starts = writeIndices ? Array.from(writeIndices.data, Number) : undefined;
  for (let o = 0; o < outer; o++) {
    const batch = axis === 0 ? 0 : Math.floor(o / perBatch);
    for (let s = 0; s < len; s++) {
      let at = (starts ? starts[batch] : 0) + s;
      if (circular) at %= max;
      if (at < 0 || at >= max) throw new Error(`TensorScatter writes position ${at} of ${max}`);
      for (let j = 0; j < inner; j++)
        (out as Float32Array)[(o * max + at) * inner + j] = (update.data as Float32Array)[
          (o * len + s) * inner + j
        ];
    }
  }
  return { dtype: past.dtype, dims: [...past.dims], data: out };
}

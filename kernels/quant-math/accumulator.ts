// Integer dot-product accumulation with a chosen accumulator, shared by the int8 conv and dense
// oracles (kernels/conv2d-int8, kernels/dense-int8). GPU kernels that simulate a narrow
// accumulator must follow exactly the order written here.
//
// One accumulator is  acc = sum_k (x[k] - zx) * (w[k] - zw) + bias  over a K sequence whose order
// the caller defines (conv: input channel outer, then kh, then kw; dense: k ascending).
//
// Modes:
// - int32:            exact sum, then wrapped to 32 bits (ONNX ConvInteger/MatMulInteger, ORT).
// - wrap N (8..32):   exact sum, then v = (v << (32-N)) >> (32-N) once at the end (wrap is
//                     associative, so order does not matter). Overflow: the wrap changed the value.
// - saturate N:       acc = 0; for k in order: acc = clampN(acc + (x[k]-zx)*(w[k]-zw));
//                     then acc = clampN(acc + bias)   (bias is added LAST, after the K loop).
//                     The product itself is exact (never clamped); clampN is [-2^(N-1), 2^(N-1)-1].
//                     Overflow: any clamp changed the value.
// - pairwise-int16-saturate (x86 AVX2 VPMADDUBSW + VPMADDWD):
//     activations are mapped to u8: uint8 x as is (xu = x, zxu = zx); int8 x as xu = x + 128,
//     zxu = zx + 128. Weights are mapped to s8: int8 w as is (ws = w, zws = zw); uint8 w as
//     ws = w - 128, zws = zw - 128. Padding positions carry xu = zxu like any other element.
//     K is split into pairs (k, k+1) for even k, in the caller's K order; an odd K gets a final
//     pair whose second element is xu = 0, ws = 0 (a zero product).
//       raw = sum_pairs sat16(xu[k]*ws[k] + xu[k+1]*ws[k+1])      (int16 saturation per pair,
//                                                                   int32 wrapping sum)
//       acc = raw - zws*sum(xu) - zxu*sum(ws) + K*zxu*zws + bias   (all int32 wrapping)
//     which equals the exact sum((x-zx)(w-zw)) + bias whenever no pair saturates and nothing
//     wraps. Overflow: a pair saturated, or the final int32 differs from the exact value.
//
// Statistics per output channel: how many accumulators overflowed, and the largest |exact acc|
// (the unbounded mathematical value, bias included) — the headroom a wider accumulator needs.
// This reference reports max |exact acc| unbounded (|acc| <= K * 255^2 + 2^31, far below 2^53).
// The GPU kernels keep it in a u32 (WGSL has no 64-bit atomics) and report
// min(max |exact acc|, MAX_ABS_U32); the node statistics of both backends
// (app/exec/accumulator-stats.ts) cap it the same way. The cap decides nothing: every mode holds
// at most 2^31 - 1, so a value at the cap overflows every accumulator either way.

export type AccumulatorMode =
  | { readonly kind: 'int32' }
  | { readonly kind: 'wrap'; readonly bits: number }
  | { readonly kind: 'saturate'; readonly bits: number }
  | { readonly kind: 'pairwise-int16-saturate' };

export const INT32_ACCUMULATOR: AccumulatorMode = { kind: 'int32' };

/** The largest max |exact acc| the GPU kernels and the node statistics report: 2^32 - 1 (u32). */
export const MAX_ABS_U32 = 2 ** 32 - 1;

/** Integer accumulators of an int8 conv or dense, with overflow statistics per output channel. */
export interface IntAccumulation {
  /** The accumulators, row-major over `dims`. */
  readonly acc: Int32Array;
  readonly dims: readonly number[];
  /** Per output channel (conv: M; dense: N columns): how many accumulators overflowed. */
  readonly overflowCount: Int32Array;
  /** Per output channel: the largest |exact accumulator| (unbounded here, bias included; GPU: capped at MAX_ABS_U32). */
  readonly maxAbs: Float64Array;
}

export type Int8Data = Int8Array | Uint8Array;

export function validateAccumulatorMode(mode: AccumulatorMode): void {
  if (mode.kind === 'wrap' || mode.kind === 'saturate') {
    if (!Number.isInteger(mode.bits) || mode.bits < 8 || mode.bits > 32) {
      throw new Error(`${mode.kind} accumulator bits must be an integer in 8..32, got ${mode.bits}`);
    }
  }
}

/** A kernel's accumulator: int32 when none is given; a wrap / saturate width is checked. */
export function checkedAccumulator(mode: AccumulatorMode | undefined): AccumulatorMode {
  const m = mode ?? INT32_ACCUMULATOR;
  validateAccumulatorMode(m);
  return m;
}

/** Result of one accumulation; `exact` is the unbounded value. */
export interface DotResult {
  value: number;
  exact: number;
  overflowed: boolean;
}

/**
 * Accumulates one output. `xs[0..K)` are the raw activations in K order (padding already set to
 * zx), `w[wOff + k]` the raw weights in the same order. `xIsInt8`/`wIsInt8` give the signedness for
 * the pairwise mode's u8/s8 mapping.
 */
export function accumulateDot(
  xs: ArrayLike<number>,
  w: ArrayLike<number>,
  wOff: number,
  K: number,
  zx: number,
  zw: number,
  bias: number,
  mode: AccumulatorMode,
  xIsInt8: boolean,
  wIsInt8: boolean,
  out: DotResult,
): DotResult {
  if (mode.kind === 'saturate') return saturatingDot(xs, w, wOff, K, zx, zw, bias, mode.bits, out);
  if (mode.kind === 'pairwise-int16-saturate')
    return pairwiseDot(xs, w, wOff, K, zx, zw, bias, xIsInt8, wIsInt8, out);
  let exact = 0;
  for (let k = 0; k < K; k++) exact += (xs[k] - zx) * (w[wOff + k] - zw);
  exact += bias;
  let value = exact | 0; // exact < 2^53, so ToInt32 is the true wrap modulo 2^32
  if (mode.kind === 'wrap' && mode.bits < 32) {
    const sh = 32 - mode.bits;
    value = (value << sh) >> sh;
  }
  out.value = value;
  out.exact = exact;
  out.overflowed = value !== exact;
  return out;
}

function saturatingDot(
  xs: ArrayLike<number>,
  w: ArrayLike<number>,
  wOff: number,
  K: number,
  zx: number,
  zw: number,
  bias: number,
  bits: number,
  out: DotResult,
): DotResult {
  const hi = 2 ** (bits - 1) - 1;
  const lo = -(2 ** (bits - 1));
  let acc = 0;
  let exact = 0;
  let overflowed = false;
  for (let k = 0; k < K; k++) {
    const p = (xs[k] - zx) * (w[wOff + k] - zw);
    exact += p;
    acc += p;
    if (acc > hi) {
      acc = hi;
      overflowed = true;
    } else if (acc < lo) {
      acc = lo;
      overflowed = true;
    }
  }
  exact += bias;
  acc += bias;
  if (acc > hi) {
    acc = hi;
    overflowed = true;
  } else if (acc < lo) {
    acc = lo;
    overflowed = true;
  }
  out.value = acc;
  out.exact = exact;
  out.overflowed = overflowed;
  return out;
}

function sat16(v: number): number {
  return Math.min(32767, Math.max(-32768, v));
}

function pairwiseDot(
  xs: ArrayLike<number>,
  w: ArrayLike<number>,
  wOff: number,
  K: number,
  zx: number,
  zw: number,
  bias: number,
  xIsInt8: boolean,
  wIsInt8: boolean,
  out: DotResult,
): DotResult {
  const xShift = xIsInt8 ? 128 : 0;
  const wShift = wIsInt8 ? 0 : -128;
  const zxu = zx + xShift;
  const zws = zw + wShift;
  let raw = 0;
  let sumX = 0;
  let sumW = 0;
  let exact = 0;
  let pairSaturated = false;
  for (let k = 0; k < K; k += 2) {
    const x0 = xs[k] + xShift;
    const w0 = w[wOff + k] + wShift;
    const x1 = k + 1 < K ? xs[k + 1] + xShift : 0;
    const w1 = k + 1 < K ? w[wOff + k + 1] + wShift : 0;
    const pair = x0 * w0 + x1 * w1;
    const s = sat16(pair);
    if (s !== pair) pairSaturated = true;
    raw = (raw + s) | 0;
    sumX += x0 + x1;
    sumW += w0 + w1;
    exact += (x0 - zxu) * (w0 - zws);
    if (k + 1 < K) exact += (x1 - zxu) * (w1 - zws);
  }
  exact += bias;
  // The corrections are exact integers far below 2^53; the sum wraps to int32 once.
  const corrected = raw - zws * sumX - zxu * sumW + K * zxu * zws + bias;
  const value = corrected | 0;
  out.value = value;
  out.exact = exact;
  out.overflowed = pairSaturated || value !== exact;
  return out;
}

/** Allocates the per-channel statistics and records one accumulator into them. */
export function newStats(channels: number): { overflowCount: Int32Array; maxAbs: Float64Array } {
  return { overflowCount: new Int32Array(channels), maxAbs: new Float64Array(channels) };
}

export function recordStat(
  stats: { overflowCount: Int32Array; maxAbs: Float64Array },
  channel: number,
  r: DotResult,
): void {
  if (r.overflowed) stats.overflowCount[channel]++;
  const a = Math.abs(r.exact);
  if (a > stats.maxAbs[channel]) stats.maxAbs[channel] = a;
}

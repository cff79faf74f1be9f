// Requantization: int32 accumulators (scale sx*sw[oc], zero point 0) -> the output's integer type
// (scale sy, zero point zy). Three schemes, because frameworks differ and the playground lets a
// user choose:
//
// - onnxruntime CPU (MLAS MlasRequantizeOutput, used by QLinearConv/QLinearMatMul and fused QDQ):
//     M = f32(f32(sx * sw[oc]) / sy)                       (C++ float arithmetic, left to right)
//     y = clamp(roundHalfEven(f32(f32(acc) * M)) + zy, qmin, qmax)
// - gemmlowp / TFLite fixed point: the real multiplier becomes a Q31 int32 and a power-of-two
//   shift (frexp, mantissa rounded half away from zero); then
//     y = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc << leftShift, q31), rightShift)
//   SRDHM rounds ties toward +inf (its nudge 1 - 2^30 for negative products truncates -x.5 toward
//   zero), RoundingDivideByPOT rounds ties away from zero; then + zy and clamp.
// - TVM qnn.requantize (FixedPointMultiply): the same Q31 multiplier, computed in int64:
//     y = ((acc << leftShift) * q31 + round) >> (31 + rightShift)
//   with round = 2^(31+rightShift-1) for 'UPWARD' (ties toward +inf, TVM's default) or, for
//   'TONEAREST', that value minus one when the product is negative (ties away from zero).
//
// Fused Relu / Clip become tighter clamp bounds (fusedClampBounds), as onnxruntime and TFLite fuse
// them: the activation runs in the quantized domain of the output.
import { clamp, quantizeValue, roundHalfAwayFromZero, roundHalfEven } from '../quant-math/quant-math.js';

/** onnxruntime's per-channel requantization multiplier, f32(f32(sx * sw) / sy). */
export function ortRequantMultiplier(sx: number, sw: number, sy: number): number {
  return Math.fround(Math.fround(Math.fround(sx) * Math.fround(sw)) / Math.fround(sy));
}

/** onnxruntime CPU requantization of one accumulator. */
export function requantizeOrt(
  acc: number,
  multiplier: number,
  zy: number,
  qmin: number,
  qmax: number,
): number {
  const v = roundHalfEven(Math.fround(Math.fround(acc) * Math.fround(multiplier)));
  return clamp(v + zy, qmin, qmax);
}

export interface FixedPointMultiplier {
  /** Q31 mantissa in [2^30, 2^31) (or 0 for a zero multiplier). */
  readonly q31: number;
  /** Power-of-two exponent: real = q31 * 2^(shift - 31). Positive means a left shift. */
  readonly shift: number;
}

/** TFLite QuantizeMultiplier / TVM GetFixedPointMultiplierShift (they agree). */
export function quantizeMultiplier(real: number): FixedPointMultiplier {
  if (real === 0) return { q31: 0, shift: 0 };
  if (!(real > 0) || !Number.isFinite(real))
    throw new Error(`requantize multiplier must be positive and finite, got ${real}`);
  // frexp: real = m * 2^e with m in [0.5, 1)
  let e = Math.floor(Math.log2(real)) + 1;
  let m = real / 2 ** e;
  if (m >= 1) {
    m /= 2;
    e++;
  } else if (m < 0.5) {
    m *= 2;
    e--;
  }
  let q = roundHalfAwayFromZero(m * 2 ** 31);
  if (q === 2 ** 31) {
    q /= 2;
    e++;
  }
  if (e < -31) return { q31: 0, shift: 0 }; // TFLite flushes tiny multipliers to zero
  return { q31: q, shift: e };
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** gemmlowp SaturatingRoundingDoublingHighMul: round(a*b / 2^31), ties toward +inf, saturated. */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero, as C does
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = 2 ** exponent - 1;
  const remainder = Number(BigInt(x) & BigInt(mask));
  const threshold = Math.floor(mask / 2) + (x < 0 ? 1 : 0);
  return Math.floor(x / 2 ** exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite MultiplyByQuantizedMultiplier (the left shift wraps in int32 as the C++ does on overflow). */
export function multiplyByQuantizedMultiplier(acc: number, m: FixedPointMultiplier): number {
  const left = Math.max(m.shift, 0);
  const right = Math.max(-m.shift, 0);
  const shifted = Number(BigInt.asIntN(32, BigInt(acc) << BigInt(left)));
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, m.q31), right);
}

export function requantizeGemmlowp(
  acc: number,
  m: FixedPointMultiplier,
  zy: number,
  qmin: number,
  qmax: number,
): number {
  return clamp(multiplyByQuantizedMultiplier(acc, m) + zy, qmin, qmax);
}

export type TvmRounding = 'UPWARD' | 'TONEAREST';

/** TVM FixedPointMultiply in int64 (the int64 arithmetic wraps as TVM's would). */
export function fixedPointMultiplyTvm(
  acc: number,
  m: FixedPointMultiplier,
  rounding: TvmRounding = 'UPWARD',
): number {
  const left = Math.max(m.shift, 0);
  const right = Math.max(-m.shift, 0);
  const total = BigInt(31 + right);
  let t = BigInt.asIntN(64, (BigInt(acc) << BigInt(left)) * BigInt(m.q31));
  const pos = 1n << (total - 1n);
  t = BigInt.asIntN(64, t + (rounding === 'TONEAREST' && t < 0n ? pos - 1n : pos));
  return Number(BigInt.asIntN(32, t >> total));
}

export function requantizeTvm(
  acc: number,
  m: FixedPointMultiplier,
  zy: number,
  qmin: number,
  qmax: number,
  rounding: TvmRounding = 'UPWARD',
): number {
  return clamp(fixedPointMultiplyTvm(acc, m, rounding) + zy, qmin, qmax);
}

export type FusedActivation =
  | { readonly kind: 'none' }
  | { readonly kind: 'relu' }
  | { readonly kind: 'clip'; readonly min: number; readonly max: number };

/**
 * Clamp bounds that fold a Relu/Clip after the requantize: Relu keeps q >= zy; Clip keeps
 * q in [quantize(min), quantize(max)] (quantized with the output's own scale and zero point).
 */
export function fusedClampBounds(
  act: FusedActivation,
  sy: number,
  zy: number,
  qmin: number,
  qmax: number,
): { qmin: number; qmax: number } {
  if (act.kind === 'relu') return { qmin: Math.max(qmin, zy), qmax };
  if (act.kind === 'clip') {
    return {
      qmin: Math.max(qmin, quantizeValue(act.min, sy, zy, qmin, qmax)),
      qmax: Math.min(qmax, quantizeValue(act.max, sy, zy, qmin, qmax)),
    };
  }
  return { qmin, qmax };
}

export type RequantScheme =
  | { readonly kind: 'ort' }
  | { readonly kind: 'gemmlowp' }
  | { readonly kind: 'tvm'; readonly rounding?: TvmRounding };

/** Requantize epilogue: int32 accumulators (scale sx*sw, zero point 0) to 8-bit outputs. */
export interface RequantizeSpec {
  /** Default: onnxruntime's f32 rule. */
  readonly scheme?: RequantScheme;
  readonly inputScale: number;
  /** One weight scale (per tensor) or one per output channel. */
  readonly weightScale: number | ArrayLike<number>;
  readonly outputScale: number;
  readonly outputZeroPoint: number;
  /** Output range: qmin < 0 gives int8 output, otherwise uint8. */
  readonly qmin: number;
  readonly qmax: number;
  readonly activation?: FusedActivation;
}

export interface RequantizeParams extends RequantizeSpec {
  readonly acc: Int32Array;
  /** Output channels along `channelAxis` of `dims` (conv NCHW: axis 1; dense [.., N]: last axis). */
  readonly dims: readonly number[];
  readonly channelAxis: number;
}

/**
 * Requantizes a whole accumulator tensor, per output channel. The multiplier is onnxruntime's f32
 * one for 'ort'; the fixed-point schemes quantize the f64 real multiplier sx*sw/sy, as TFLite and
 * TVM compute it from their (f32) scales in double precision.
 */
export function requantizeTensor(p: RequantizeParams): Int32Array {
  const scheme = p.scheme ?? { kind: 'ort' };
  const channels = p.dims[p.channelAxis] ?? 1;
  let inner = 1;
  for (let d = p.channelAxis + 1; d < p.dims.length; d++) inner *= p.dims[d];
  const sw = (c: number) =>
    typeof p.weightScale === 'number'
      ? p.weightScale
      : p.weightScale.length === 1
        ? p.weightScale[0]
        : p.weightScale[c];
  const { qmin, qmax } = fusedClampBounds(
    p.activation ?? { kind: 'none' },
    p.outputScale,
    p.outputZeroPoint,
    p.qmin,
    p.qmax,
  );
  const perChannel = Array.from({ length: channels }, (_, c) => {
    if (scheme.kind === 'ort') {
      const m = ortRequantMultiplier(p.inputScale, sw(c), p.outputScale);
      return (acc: number) => requantizeOrt(acc, m, p.outputZeroPoint, qmin, qmax);
    }
    const real = (Math.fround(p.inputScale) * Math.fround(sw(c))) / Math.fround(p.outputScale);
    const fm = quantizeMultiplier(real);
    if (scheme.kind === 'gemmlowp')
      return (acc: number) => requantizeGemmlowp(acc, fm, p.outputZeroPoint, qmin, qmax);
    return (acc: number) => requantizeTvm(acc, fm, p.outputZeroPoint, qmin, qmax, scheme.rounding);
  });
  const out = new Int32Array(p.acc.length);
  for (let i = 0; i < out.length; i++) out[i] = perChannel[Math.floor(i / inner) % channels](p.acc[i]);
  return out;
}

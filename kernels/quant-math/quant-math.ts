// Scalar quantization arithmetic, written once and bit-exact with onnxruntime CPU (docs/architecture.md: what is exact against what).
//
// - quantize:   q = clamp(roundHalfEven(f32(f32(x) / f32(s))) + zp, qmin, qmax)
//   MLAS divides in f32 then uses nearbyintf (ties to even). Multiplying by the reciprocal is NOT
//   the same (it misses ~5% of inputs near a tie), and Math.round rounds ties up, so neither is used.
// - dequantize: y = f32(f32(q - zp) * f32(s))   (the integer difference is wrapped to int32 first,
//   as onnxruntime computes it in int32 for int32 inputs).
// - computeScaleZeroPoint: onnxruntime.quantization's compute_scale_zp (f64 scale, stored as f32).

export type QuantDType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32';

/**
 * Range modes:
 * - 'full': the whole integer range of the dtype.
 * - 'restricted': symmetric signed range without the most negative value (int8 [-127,127]); for
 *   unsigned types it is the full range (onnxruntime has no restricted unsigned range).
 * - 'reduced': 7-bit range for 8-bit types, as onnxruntime's reduce_range (int8 [-64,64],
 *   uint8 [0,127]); other types use their full range.
 */
export type RangeMode = 'full' | 'restricted' | 'reduced';

export interface QRange {
  readonly qmin: number;
  readonly qmax: number;
}

const FULL: Readonly<Record<QuantDType, QRange>> = {
  int8: { qmin: -128, qmax: 127 },
  uint8: { qmin: 0, qmax: 255 },
  int16: { qmin: -32768, qmax: 32767 },
  uint16: { qmin: 0, qmax: 65535 },
  int32: { qmin: -2147483648, qmax: 2147483647 },
  uint32: { qmin: 0, qmax: 4294967295 },
};

export function isQuantDType(dtype: string): dtype is QuantDType {
  return dtype in FULL;
}

export function qRange(dtype: QuantDType, mode: RangeMode = 'full'): QRange {
  const full = FULL[dtype];
  if (mode === 'reduced') {
    if (dtype === 'int8') return { qmin: -64, qmax: 64 };
    if (dtype === 'uint8') return { qmin: 0, qmax: 127 };
    return full;
  }
  if (mode === 'restricted' && full.qmin < 0) return { qmin: full.qmin + 1, qmax: full.qmax };
  return full;
}

/** Round to nearest, ties to even (C's nearbyint in the default rounding mode). NaN/inf pass through. */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x); // ties toward +inf
  // A tie rounded up to an odd integer goes back down to the even one.
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/** Round half away from zero (C's round / TfLiteRound). */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** True f32 division x / s with both operands first rounded to f32. */
export function divF32(x: number, s: number): number {
  return Math.fround(Math.fround(x) / Math.fround(s));
}

/** Quantize one value. NaN has no defined result in ONNX; it maps to the zero point here. */
export function quantizeValue(
  x: number,
  scale: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
): number {
  const r = roundHalfEven(divF32(x, scale));
  if (Number.isNaN(r)) return clamp(zeroPoint, qmin, qmax);
  return clamp(r + zeroPoint, qmin, qmax);
}

/** Dequantize one value: f32(f32(int32(q - zp)) * s). */
export function dequantizeValue(q: number, scale: number, zeroPoint: number): number {
  return Math.fround(Math.fround((q - zeroPoint) | 0) * Math.fround(scale));
}

/** Fake quantization: quantize then dequantize (the value the simulated graph carries). */
export function fakeQuantizeValue(
  x: number,
  scale: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
): number {
  return dequantizeValue(quantizeValue(x, scale, zeroPoint, qmin, qmax), scale, zeroPoint);
}

export interface ScaleZeroPoint {
  readonly scale: number; // an f32 value
  readonly zeroPoint: number;
}

/** The smallest normal f32; a scale below it is replaced by (1, 0) as onnxruntime does. */
export const F32_TINY = 1.1754943508222875e-38;

/**
 * onnxruntime.quantization.quant_utils.compute_scale_zp:
 *   rmin = min(rmin, 0), rmax = max(rmax, 0)           (the range always contains 0)
 *   symmetric: rmin = -absmax, rmax = absmax
 *   scale = f64(f32(rmax - rmin)) / (qmax - qmin)       (rmin/rmax are f32, subtracted in f32)
 *   zp    = symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - rmin / scale)
 *           (zp computed with the f64 scale, before the scale is stored as f32)
 *   scale < f32 tiny: (scale 1, zp 0)
 */
export function computeScaleZeroPoint(
  rmin: number,
  rmax: number,
  qmin: number,
  qmax: number,
  symmetric = false,
): ScaleZeroPoint {
  if (qmin > 0 || qmax < 0) throw new Error(`quantization range [${qmin}, ${qmax}] must contain 0`);
  if (qmin > qmax) throw new Error(`qmin ${qmin} > qmax ${qmax}`);
  let lo = Math.min(Math.fround(rmin), 0);
  let hi = Math.max(Math.fround(rmax), 0);
  if (symmetric) {
    const absmax = Math.max(Math.abs(lo), Math.abs(hi));
    lo = -absmax;
    hi = absmax;
  }
  const scale64 = Math.fround(hi - lo) / (qmax - qmin);
  if (!(scale64 >= F32_TINY)) return { scale: 1, zeroPoint: 0 };
  const zeroPoint = symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - lo / scale64);
  return { scale: Math.fround(scale64), zeroPoint: zeroPoint + 0 }; // + 0 turns -0 into 0
}

/** Min and max of the finite values of an array (NaN ignored); [0, 0] for none. */
export function finiteMinMax(values: ArrayLike<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo > hi ? [0, 0] : [lo, hi];
}

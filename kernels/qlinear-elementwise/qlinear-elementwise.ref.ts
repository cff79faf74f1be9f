// com.microsoft QLinear* element-wise ops (what onnxruntime's quantizer emits), with onnxruntime
// CPU's own arithmetic, which is not "dequantize -> f32 op -> quantize" in every case.
//
// Lookup-table ops (QLinearSigmoid, QLinearLeakyRelu): onnxruntime builds a 256-entry table once:
//   table[q] = quantize(f(f32(x_scale * (q - x_zp))), y_scale, y_zp)
// and maps every input byte through it. LeakyRelu's f is x >= 0 ? x : f32(x * alpha). Sigmoid's f
// in onnxruntime is MLAS's polynomial logistic; here it is the f32-rounded exact 1 / (1 + e^-x),
// which can differ from MLAS by an ULP and so, rarely, by one quantization step (tests check it).
//
// QLinearAdd (x86 AVX2 kernel of MLAS): with rA = f32(sA / sC), rB = f32(sB / sC),
//   fixed = f32(zC - f32(f32(rA * zA) + f32(rB * zB)))
//   c = saturate(roundHalfEven(fma(a, rA, fma(b, rB, fixed))))        (both inputs vary)
//   c = saturate(roundHalfEven(fma(v, rV, f32(fixed + f32(s * rS)))))  (one side s is a scalar
//                                                                        per contiguous span)
// where fma rounds once to f32. Which side is a "scalar" follows onnxruntime's broadcast looper:
// an input whose innermost non-unit output axis is broadcast (size 1) is a scalar per span.
//
// QLinearMul (MLAS qlmul.cpp; x86 has only its SSE2 kernel, no FMA): the zero-point-free product is
// exact in int32, then with ratio = f32(f32(sA * sB) / sC):
//   c = saturate(cvtps(f32(f32(f32((a - zA) * (b - zB)) * ratio) + zC)))
// where cvtps rounds half to even and turns NaN / out-of-int32 values into INT32_MIN (so qmin).
// The product and the ratio are symmetric in A and B, so the broadcast side does not matter.
import { broadcastIndexMap, broadcastShapes } from '../broadcast/broadcast.js';
import { clamp, dequantizeValue, quantizeValue, roundHalfEven } from '../quant-math/quant-math.js';

export type QByte = 'int8' | 'uint8';

function range(t: QByte): [number, number] {
  return t === 'int8' ? [-128, 127] : [0, 255];
}

/** A 256-entry table indexed by the input value (int8 values at index v & 255). */
export function buildLookupTable(
  f: (x: number) => number,
  dtype: QByte,
  xScale: number,
  xZeroPoint: number,
  yScale: number,
  yZeroPoint: number,
): Int32Array {
  const [qmin, qmax] = range(dtype);
  const table = new Int32Array(256);
  for (let q = qmin; q <= qmax; q++) {
    const y = Math.fround(f(dequantizeValue(q, xScale, xZeroPoint)));
    table[q & 255] = quantizeValue(y, yScale, yZeroPoint, qmin, qmax);
  }
  return table;
}

export function applyLookupTable(x: Int8Array | Uint8Array, table: Int32Array): Int8Array | Uint8Array {
  const out = x instanceof Int8Array ? new Int8Array(x.length) : new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = table[x[i] & 255];
  return out;
}

export const leakyReluFn =
  (alpha: number) =>
  (x: number): number =>
    x >= 0 ? x : Math.fround(x * Math.fround(alpha));

export function sigmoidFn(x: number): number {
  return Math.fround(1 / (1 + Math.exp(-x)));
}

/** f32 fused multiply-add a*b + c rounded once (a*b is exact in f64 for f32 inputs). */
function fmaF32(a: number, b: number, c: number): number {
  return Math.fround(a * b + c);
}

export interface QLinearBinaryParams {
  readonly a: Int8Array | Uint8Array;
  readonly aDims: readonly number[];
  readonly aScale: number;
  readonly aZeroPoint: number;
  readonly b: Int8Array | Uint8Array;
  readonly bDims: readonly number[];
  readonly bScale: number;
  readonly bZeroPoint: number;
  readonly cScale: number;
  readonly cZeroPoint: number;
}

/** Which input onnxruntime's broadcast looper treats as a per-span scalar. */
function scalarSide(
  aDims: readonly number[],
  bDims: readonly number[],
  out: readonly number[],
): 'a' | 'b' | 'none' {
  const aSize = aDims.reduce((x, y) => x * y, 1);
  const bSize = bDims.reduce((x, y) => x * y, 1);
  if (aSize === 1) return 'a';
  if (bSize === 1) return 'b';
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] === 1) continue;
    const da = aDims[i - (out.length - aDims.length)] ?? 1;
    const db = bDims[i - (out.length - bDims.length)] ?? 1;
    if (da === 1) return 'a';
    if (db === 1) return 'b';
    return 'none';
  }
  return 'a';
}

export function qlinearAdd(p: QLinearBinaryParams): { data: Int8Array | Uint8Array; dims: number[] } {
  const dims = broadcastShapes(p.aDims, p.bDims);
  const aMap = broadcastIndexMap(p.aDims, dims);
  const bMap = broadcastIndexMap(p.bDims, dims);
  const signed = p.a instanceof Int8Array;
  const [qmin, qmax] = range(signed ? 'int8' : 'uint8');
  const rA = Math.fround(Math.fround(p.aScale) / Math.fround(p.cScale));
  const rB = Math.fround(Math.fround(p.bScale) / Math.fround(p.cScale));
  const fixed = Math.fround(
    p.cZeroPoint - Math.fround(Math.fround(rA * p.aZeroPoint) + Math.fround(rB * p.bZeroPoint)),
  );
  const side = scalarSide(p.aDims, p.bDims, dims);
  const out = signed ? new Int8Array(aMap.length) : new Uint8Array(aMap.length);
  for (let i = 0; i < out.length; i++) {
    const a = p.a[aMap[i]];
    const b = p.b[bMap[i]];
    let v: number;
    if (side === 'b') v = fmaF32(a, rA, Math.fround(fixed + Math.fround(b * rB)));
    else if (side === 'a') v = fmaF32(b, rB, Math.fround(fixed + Math.fround(a * rA)));
    else v = fmaF32(a, rA, fmaF32(b, rB, fixed));
    out[i] = clamp(roundHalfEven(v), qmin, qmax);
  }
  return { data: out, dims };
}

/** x86 cvtps2dq: round half to even; NaN and values outside int32 give INT32_MIN. */
export function cvtF32ToInt32(v: number): number {
  if (!(v >= -2147483648 && v < 2147483648)) return -2147483648;
  return roundHalfEven(v);
}

export function qlinearMul(p: QLinearBinaryParams): { data: Int8Array | Uint8Array; dims: number[] } {
  const dims = broadcastShapes(p.aDims, p.bDims);
  const aMap = broadcastIndexMap(p.aDims, dims);
  const bMap = broadcastIndexMap(p.bDims, dims);
  const signed = p.a instanceof Int8Array;
  const [qmin, qmax] = range(signed ? 'int8' : 'uint8');
  const ratio = Math.fround(
    Math.fround(Math.fround(p.aScale) * Math.fround(p.bScale)) / Math.fround(p.cScale),
  );
  const out = signed ? new Int8Array(aMap.length) : new Uint8Array(aMap.length);
  for (let i = 0; i < out.length; i++) {
    const product = (p.a[aMap[i]] - p.aZeroPoint) * (p.b[bMap[i]] - p.bZeroPoint);
    const v = Math.fround(Math.fround(product * ratio) + p.cZeroPoint);
    out[i] = clamp(cvtF32ToInt32(v), qmin, qmax);
  }
  return { data: out, dims };
}

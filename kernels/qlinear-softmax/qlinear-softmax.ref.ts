// com.microsoft QLinearSoftmax with onnxruntime CPU's arithmetic (contrib qlinear_softmax.cc). It is
// not "dequantize -> softmax -> quantize": onnxruntime builds a 256-entry f32 table of scaled
// exponentials and requantizes with an integer-valued output scale.
//
//   shift    = max(0, f32(log(f32(FLT_MAX / f32(D)))) - 5) / xs     (keeps sum(exp) finite; log of a
//              float is the float overload, so the headroom is rounded to f32 before the f64 steps)
//   table[i] = f32(exp((i - 255 + shift) * xs))  for i in 0..255      (f64 exp, stored as f32)
//   uint8:  e_j = table[255 - max + x_j]
//   int8:   the table is stored rotated by 128 (index (i - 128) & 255) and read at
//           (127 - max + x_j) & 255, which is again table[255 - max + x_j]
//   sum      = f32 running sum of e_j along the axis
//   Y        = floor(f32(1 / ys))                                      (an f32 holding an integer)
//   v_j      = nearbyintf(f32(f32(e_j * Y) / sum))
//   uint8:  q = uint32(v_j) + zy, y = min(q, 255)
//   int8:   q = int32(v_j) + zy (wrapping), y = clamp(q, -128, 127)
// so y_scale only matters through floor(1 / ys) and x_zero_point not at all. e_j * Y overflows to
// inf when Y > e^5 * D (e.g. ys = 1/256 with a one-element axis): the x86 conversions then give
// uint32 0 (64-bit cvttss2si, low half) and int32 INT32_MIN, so uint8 rows come out as zy and int8
// ones as 127 or -128 by the sign of INT32_MIN + zy. onnxruntime-node 1.30 checked on every case:
// the int8 saturation (not the wrap of the source we read) and these overflow results are observed.
// D is the axis length (opset >= 13) or the product of the dims from the axis on (opset < 13,
// the coerced 2-D softmax).

import { clamp, roundHalfEven } from '../quant-math/quant-math.js';

type QData = Int8Array | Uint8Array;

export interface QLinearSoftmaxParams {
  readonly x: QData;
  readonly dims: readonly number[];
  /** Already normalized to [0, rank). */
  readonly axis: number;
  /** The node's `opset` attribute: the ONNX Softmax semantics it follows. */
  readonly opset: number;
  readonly xScale: number;
  readonly yScale: number;
  readonly yZeroPoint: number;
}

const FLT_MAX = 3.4028234663852886e38;

/** onnxruntime's exp table, indexed as it stores it (rotated by 128 for int8). */
export function softmaxExpTable(xScale: number, reduceLength: number, signed: boolean): Float32Array {
  const xs = Math.fround(xScale);
  // The float log: a double log lands an exact tie (e.g. Y = 254, four equal maxima: 63.5) on the
  // other side of nearbyintf, which onnxruntime-node 1.30 does not (tests: 'ties').
  const headroom = Math.fround(Math.log(Math.fround(FLT_MAX / Math.fround(reduceLength))));
  const shift = Math.max(0, headroom - 5) / xs;
  const table = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const index = signed ? (i - 128) & 255 : i;
    table[index] = Math.exp((i - 255 + shift) * xs);
  }
  return table;
}

export function qlinearSoftmax(p: QLinearSoftmaxParams): QData {
  const rank = p.dims.length;
  const signed = p.x instanceof Int8Array;
  const outer = p.dims.slice(0, p.axis).reduce((a, b) => a * b, 1);
  // opset < 13 flattens everything from the axis on into one row; opset 13 reduces one axis.
  const coerced = p.opset < 13;
  const length = coerced ? p.dims.slice(p.axis).reduce((a, b) => a * b, 1) : p.dims[p.axis];
  const inner = coerced ? 1 : p.dims.slice(p.axis + 1, rank).reduce((a, b) => a * b, 1);
  const out = signed ? new Int8Array(p.x.length) : new Uint8Array(p.x.length);
  if (p.x.length === 0) return out;
  const table = softmaxExpTable(p.xScale, length, signed);
  const yInt = Math.floor(Math.fround(1 / Math.fround(p.yScale)));
  const e = new Float32Array(length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * length * inner + i;
      let max = -Infinity;
      for (let j = 0; j < length; j++) max = Math.max(max, p.x[base + j * inner]);
      let sum = 0;
      for (let j = 0; j < length; j++) {
        const x = p.x[base + j * inner];
        e[j] = signed ? table[(127 - max + x) & 255] : table[255 - max + x];
        sum = Math.fround(sum + e[j]);
      }
      for (let j = 0; j < length; j++) {
        const v = roundHalfEven(Math.fround(Math.fround(e[j] * yInt) / sum));
        out[base + j * inner] = signed
          ? clamp((cvttInt32(v) + p.yZeroPoint) | 0, -128, 127)
          : uint8Result(v, p.yZeroPoint);
      }
    }
  }
  return out;
}

/** x86 cvttss2si to int32: NaN, inf and out-of-range values give INT32_MIN. */
function cvttInt32(v: number): number {
  return v >= -2147483648 && v < 2147483648 ? Math.trunc(v) : -2147483648;
}

/** static_cast<uint32_t>(v) as GCC does it on x86-64 (64-bit cvttss2si, low half), + zy, min 255. */
function uint8Result(v: number, zeroPoint: number): number {
  const u = v >= 0 && v < 2 ** 63 ? Math.trunc(v) % 2 ** 32 : 0;
  const q = (u + zeroPoint) % 2 ** 32;
  return Math.min(q, 255);
}

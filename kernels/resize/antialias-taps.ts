// Resize antialias (opset 18+): when an axis is downscaled (scale < 1) in linear or cubic mode,
// the interpolation filter is stretched by 1/scale, so every input pixel under the wider support
// contributes, with weights normalized to sum 1. This follows ONNX's reference
// (onnx/reference/ops/op_resize.py: _linear_coeffs_antialias, _cubic_coeffs_antialias and the
// neighbour window of _interpolate_1d_along_axis), in float64:
// - the window has a fixed width per axis: 2 - 2 * (floor(-1/s) + 1) taps for linear and
//   2 - 2 * (floor(-2/s) + 1) for cubic, starting at b + start where b = floor(x), or x - 1 when
//   the source coordinate x is an integer (the reference's ratio in (0, 1]);
// - tap j weighs filter((j - x) * s): the triangle max(0, 1 - |t|) or the cubic kernel with
//   cubic_coeff_a;
// - taps outside the input read the edge pixel (edge padding), or with exclude_outside are
//   dropped and the rest renormalized.
// onnxruntime (upsample_antialias.h) computes the same weights (its out-of-range weights folded
// onto the edge pixel is the same edge padding) but in float32, separably with the intermediate
// stored in the data type (8-bit data in 22-bit fixed point, rounded per pass), so it differs from
// this float64 reference by float32 rounding, and integer results by one unit (more where a cubic
// overshoot is clamped between its passes). onnxruntime 1.30 also differs where we follow ONNX:
// it saturates int8 through its uint8 table (negative results become 0), copies an axis whose
// length stays even when its scale is not 1, refuses nearest with antialias (we ignore the flag,
// as the spec applies it to linear and cubic only) and 3-D cubic, and fails ('narrowing_error')
// on a tf_crop_and_resize roi reaching far outside the input.
import type { AxisTaps, ResizePlan } from './resize.ref.js';

export type AntialiasFilter = 'linear' | 'cubic';

/** The per-axis window width (taps per output coordinate) for a downscale factor `scale` < 1. */
export function antialiasWidth(filter: AntialiasFilter, scale: number): number {
  const support = filter === 'linear' ? 1 : 2;
  return 2 - 2 * (Math.floor(-support / scale) + 1);
}

function weightOf(filter: AntialiasFilter, t: number, a: number): number {
  const u = Math.abs(t);
  if (filter === 'linear') return Math.min(Math.max(1 - u, 0), 1);
  if (u <= 1) return (a + 2) * u * u * u - (a + 3) * u * u + 1;
  if (u < 2) return a * u * u * u - 5 * a * u * u + 8 * a * u - 4 * a;
  return 0;
}

/**
 * The taps of a downscaled axis: `coordinates[o]` is output coordinate o's source coordinate (NaN
 * for one outside the input, which takes extrapolation_value), `scale` the axis' scale (< 1).
 */
export function antialiasAxisTaps(
  filter: AntialiasFilter,
  inLen: number,
  coordinates: readonly number[],
  scale: number,
  cubicCoeffA: number,
  excludeOutside: boolean,
): AxisTaps {
  const outLen = coordinates.length;
  const width = antialiasWidth(filter, scale);
  const start = 1 - width / 2;
  const index = new Int32Array(outLen * width).fill(-1);
  const weight = new Float64Array(outLen * width);
  const outside = new Uint8Array(outLen);
  for (let o = 0; o < outLen; o++) {
    const x = coordinates[o];
    if (Number.isNaN(x)) {
      outside[o] = 1;
      continue;
    }
    const b = Number.isInteger(x) ? x - 1 : Math.floor(x);
    const at = o * width;
    let sum = 0;
    for (let k = 0; k < width; k++) {
      const j = b + start + k;
      if (excludeOutside && (j < 0 || j >= inLen)) continue;
      const w = weightOf(filter, (j - x) * scale, cubicCoeffA);
      index[at + k] = Math.min(Math.max(j, 0), inLen - 1);
      weight[at + k] = w;
      sum += w;
    }
    // A window whose weights are all zero (only possible with exclude_outside) stays zero, like
    // the reference's guard against dividing by a zero sum.
    if (sum !== 0) for (let k = 0; k < width; k++) weight[at + k] /= sum;
  }
  return { width, index, weight, outside };
}

/** Whether an axis' taps copy it unchanged (one tap per coordinate, to itself, of weight 1). */
function isIdentity(t: AxisTaps, inLen: number, outLen: number): boolean {
  if (inLen !== outLen) return false;
  for (let o = 0; o < outLen; o++) {
    if (t.outside[o]) return false;
    for (let k = 0; k < t.width; k++) {
      const i = t.index[o * t.width + k];
      const w = t.weight[o * t.width + k];
      if (i === o ? w !== 1 : i >= 0 && w !== 0) return false;
    }
  }
  return true;
}

/**
 * The plan applied axis by axis (first axis first, as ONNX's reference does), in float64: the
 * same sums as over the cartesian product of the taps up to float64 rounding, at the cost of the
 * sum of the windows rather than their product. Taps with no index or weight 0 add nothing;
 * output coordinates outside the input (tf_crop_and_resize) take the extrapolation value.
 */
export function separableSum(
  xs: ArrayLike<number>,
  xDims: readonly number[],
  plan: ResizePlan,
): Float64Array {
  const rank = xDims.length;
  const dims = [...xDims];
  let cur: ArrayLike<number> = xs;
  for (let a = 0; a < rank; a++) {
    const t = plan.taps[a];
    const inLen = dims[a];
    const outLen = plan.dims[a];
    if (isIdentity(t, inLen, outLen)) continue;
    let outer = 1;
    for (let b = 0; b < a; b++) outer *= dims[b];
    let inner = 1;
    for (let b = a + 1; b < rank; b++) inner *= dims[b];
    const next = new Float64Array(outer * outLen * inner);
    for (let q = 0; q < outer; q++)
      for (let o = 0; o < outLen; o++) {
        if (t.outside[o]) continue;
        const dst = (q * outLen + o) * inner;
        for (let k = 0; k < t.width; k++) {
          const i = t.index[o * t.width + k];
          const w = t.weight[o * t.width + k];
          if (i < 0 || w === 0) continue;
          const src = (q * inLen + i) * inner;
          for (let j = 0; j < inner; j++) next[dst + j] += w * cur[src + j];
        }
      }
    cur = next;
    dims[a] = outLen;
  }
  const ys = cur instanceof Float64Array && cur !== xs ? cur : Float64Array.from(cur);
  if (plan.taps.some((t) => t.outside.some((v) => v))) {
    // Any coordinate outside the input on any axis: the whole element is extrapolated.
    const o = new Array<number>(rank).fill(0);
    for (let q = 0; q < ys.length; q++) {
      if (o.some((v, a) => plan.taps[a].outside[v])) ys[q] = plan.extrapolation;
      for (let a = rank - 1; a >= 0; a--) {
        if (++o[a] < plan.dims[a]) break;
        o[a] = 0;
      }
    }
  }
  return ys;
}

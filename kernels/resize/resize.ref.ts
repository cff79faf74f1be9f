// Resize reference (opset 10 and 11-19): nearest, N-D linear and cubic, every
// coordinate_transformation_mode, exclude_outside, extrapolation_value, axes,
// keep_aspect_ratio_policy and antialias (antialias-taps.ts). Each output coordinate of each axis
// becomes a short list of (source index, weight) taps; the output is the sum over the cartesian
// product of the taps. Coordinates are computed in float32 step by step like onnxruntime, so
// nearest picks the same pixel at exact ties. Linear mode (float32 and integer data) takes
// onnxruntime's taps and sums in its float32 order, so quantized models that resize 8-bit values
// match it bit for bit; cubic, antialiased and float64 sums run in float64.
import { floatTensor, isFloatDType, readFloats } from '../activation/float-io.js';
import { allocData, type DType, type Tensor } from '../tensor.js';
import { roundHalfEven } from '../quant-math/quant-math.js';
import { antialiasAxisTaps, separableSum } from './antialias-taps.js';

export type ResizeMode = 'nearest' | 'linear' | 'cubic';
export type CoordinateTransformationMode =
  | 'half_pixel'
  | 'half_pixel_symmetric'
  | 'pytorch_half_pixel'
  | 'align_corners'
  | 'asymmetric'
  | 'tf_half_pixel_for_nn'
  | 'tf_crop_and_resize';
/** 'simple' is the opset-10 rule: floor when upsampling, ceil when downsampling. */
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil' | 'simple';

export interface ResizeParams {
  readonly mode?: ResizeMode;
  readonly coordinateTransformationMode?: CoordinateTransformationMode;
  readonly nearestMode?: NearestMode;
  /** One per resized axis; either scales or sizes. */
  readonly scales?: readonly number[];
  readonly sizes?: readonly number[];
  /** tf_crop_and_resize: [starts..., ends...] per resized axis, normalized coordinates. */
  readonly roi?: readonly number[];
  readonly cubicCoeffA?: number;
  readonly excludeOutside?: boolean;
  readonly extrapolationValue?: number;
  /** Opset 18+: the axes that scales/sizes/roi refer to (default: all). */
  readonly axes?: readonly number[];
  readonly keepAspectRatioPolicy?: 'stretch' | 'not_larger' | 'not_smaller';
  /** Opset 18+: linear and cubic downscaling stretch the filter by 1/scale (antialias-taps.ts). */
  readonly antialias?: boolean;
}

const f = Math.fround;

/** Saturation bounds of the integer types an antialiased Resize rounds into. */
const INT_RANGES: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

export interface AxisTaps {
  /** taps of output coordinate o: index/weight[o*width .. o*width+width); index -1 = no tap. */
  readonly width: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
  /** Output coordinates that take extrapolation_value (tf_crop_and_resize outside the input). */
  readonly outside: Uint8Array;
}

export function originalCoordinate(
  mode: CoordinateTransformationMode,
  o: number,
  scale: number,
  inLen: number,
  outLen: number,
  roiStart: number,
  roiEnd: number,
): number {
  switch (mode) {
    case 'half_pixel':
      return f(f(f(o + 0.5) / scale) - 0.5);
    case 'half_pixel_symmetric': {
      const adjustment = f(outLen / f(scale * inLen));
      const offset = f(f(inLen / 2) * f(1 - adjustment));
      // onnxruntime: offset + (x + 0.5) / scale - 0.5 with double constants, so in float64.
      return f(offset + (o + 0.5) / scale - 0.5);
    }
    case 'pytorch_half_pixel':
      return outLen > 1 ? f(f(f(o + 0.5) / scale) - 0.5) : 0;
    case 'align_corners':
      return outLen === 1 ? 0 : f(f(o * (inLen - 1)) / (outLen - 1));
    case 'asymmetric':
      return f(o / scale);
    case 'tf_half_pixel_for_nn':
      return f(f(o + 0.5) / scale);
    case 'tf_crop_and_resize':
      // onnxruntime: float arithmetic left to right; the one-pixel branch in double (0.5 is one).
      return outLen > 1
        ? f(f(roiStart * (inLen - 1)) + f(f(f(o * f(roiEnd - roiStart)) * (inLen - 1)) / (outLen - 1)))
        : f(0.5 * f(roiStart + roiEnd) * (inLen - 1));
  }
}

function nearestIndex(x: number, mode: NearestMode, downsampling: boolean): number {
  switch (mode) {
    case 'round_prefer_floor':
      return x === Math.floor(x) + 0.5 ? Math.floor(x) : Math.round(x);
    case 'round_prefer_ceil':
      return Math.sign(x) * Math.round(Math.abs(x)); // std::round: halves away from zero
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'simple':
      return downsampling ? Math.ceil(x) : Math.trunc(x);
  }
}

function cubicCoefficients(s: number, a: number): number[] {
  const c = (t: number): number => {
    const u = Math.abs(t);
    if (u <= 1) return ((a + 2) * u - (a + 3)) * u * u + 1;
    if (u < 2) return ((a * u - 5 * a) * u + 8 * a) * u - 4 * a;
    return 0;
  };
  return [f(c(s + 1)), f(c(s)), f(c(1 - s)), f(c(2 - s))];
}

function axisTaps(
  inLen: number,
  outLen: number,
  scale: number,
  roi: [number, number],
  p: ResizeParams,
  opsetMode: Required<Pick<ResizeParams, 'mode' | 'coordinateTransformationMode' | 'nearestMode'>>,
  interpolated: boolean,
): AxisTaps {
  const { mode, coordinateTransformationMode: ctm, nearestMode } = opsetMode;
  if (p.antialias && mode !== 'nearest' && scale < 1) {
    // Antialiased downscaling: a wider window per coordinate; upscaled axes keep the usual taps.
    const coordinates = Array.from({ length: outLen }, (_, o) => {
      const x = originalCoordinate(ctm, o, scale, inLen, outLen, roi[0], roi[1]);
      return ctm === 'tf_crop_and_resize' && (x < 0 || x > inLen - 1) ? Number.NaN : x;
    });
    return antialiasAxisTaps(mode, inLen, coordinates, scale, p.cubicCoeffA ?? -0.75, !!p.excludeOutside);
  }
  const width = mode === 'nearest' ? 1 : mode === 'linear' ? 2 : 4;
  const index = new Int32Array(outLen * width).fill(-1);
  const weight = new Float64Array(outLen * width);
  const outside = new Uint8Array(outLen);
  const extrapolate = ctm === 'tf_crop_and_resize';
  const passThrough = !interpolated && scale === 1 && inLen === outLen && !extrapolate;
  for (let o = 0; o < outLen; o++) {
    // An axis that is not resized keeps its coordinates exactly (onnxruntime skips the transform).
    let x =
      scale === 1 && inLen === outLen && !extrapolate
        ? o
        : originalCoordinate(ctm, o, scale, inLen, outLen, roi[0], roi[1]);
    if (extrapolate && (x < 0 || x > inLen - 1)) {
      outside[o] = 1;
      continue;
    }
    const at = o * width;
    if (mode === 'nearest') {
      const i = nearestIndex(x, nearestMode, scale < 1);
      index[at] = Math.min(Math.max(i, 0), inLen - 1);
      weight[at] = 1;
    } else if (mode === 'linear' && passThrough) {
      index[at] = o;
      weight[at] = 1;
    } else if (mode === 'linear') {
      // onnxruntime's taps: x1 = trunc(x), x2 = x1 + 1 (both clamped), weights |x - x2| and
      // |x - x1| in float32; on the last sample (x1 = x2) the same pixel twice at 0.5 each, which
      // is not the same float32 sum as one tap of weight 1.
      x = f(Math.min(Math.max(x, 0), inLen - 1));
      const x1 = Math.min(Math.trunc(x), inLen - 1);
      const x2 = Math.min(x1 + 1, inLen - 1);
      index[at] = x1;
      index[at + 1] = x2;
      weight[at] = x1 === x2 ? 0.5 : Math.abs(f(x - x2));
      weight[at + 1] = x1 === x2 ? 0.5 : Math.abs(f(x - x1));
    } else {
      const x0 = Math.floor(x);
      const coeffs = cubicCoefficients(f(x - x0), p.cubicCoeffA ?? -0.75);
      let sum = 0;
      for (let k = 0; k < 4; k++) {
        const i = x0 - 1 + k;
        if (p.excludeOutside && (i < 0 || i >= inLen)) continue;
        index[at + k] = Math.min(Math.max(i, 0), inLen - 1);
        weight[at + k] = coeffs[k];
        sum += coeffs[k];
      }
      if (p.excludeOutside) for (let k = 0; k < 4; k++) weight[at + k] /= sum;
    }
  }
  return { width, index, weight, outside };
}

/** Output dims and the per-axis scales used for coordinates (float32, like onnxruntime). */
export function resizeOutputShape(
  inDims: readonly number[],
  p: ResizeParams,
): { dims: number[]; scales: number[] } {
  const rank = inDims.length;
  const axes = (p.axes ?? inDims.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const dims = [...inDims];
  const scales = new Array<number>(rank).fill(1);
  if (p.sizes?.length) {
    if (p.sizes.length !== axes.length)
      throw new Error(`Resize sizes has ${p.sizes.length} values for ${axes.length} axes`);
    const policy = p.keepAspectRatioPolicy ?? 'stretch';
    if (policy === 'stretch') {
      axes.forEach((a, j) => {
        dims[a] = p.sizes![j];
        scales[a] = f(f(dims[a]) / f(inDims[a]));
      });
    } else {
      const ratios = axes.map((a, j) => f(f(p.sizes![j]) / f(inDims[a])));
      const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => {
        dims[a] = Math.round(f(s * inDims[a]));
        scales[a] = s;
      });
    }
  } else if (p.scales?.length) {
    if (p.scales.length !== axes.length)
      throw new Error(`Resize scales has ${p.scales.length} values for ${axes.length} axes`);
    axes.forEach((a, j) => {
      const s = f(p.scales![j]);
      if (!(s > 0)) throw new Error(`Resize scale ${p.scales![j]} must be positive`);
      scales[a] = s;
      dims[a] = Math.trunc(f(inDims[a] * s));
    });
  } else throw new Error('Resize needs scales or sizes');
  return { dims, scales };
}

/**
 * Whether linear mode interpolates axis `a` the way onnxruntime does, even when it is not resized
 * (weights 1 and 0, or the last sample twice at 0.5): every axis of 2-D and 3-D tensors and the
 * inner two or three of 4-D and 5-D ones (onnxruntime's bilinear and trilinear kernels). Its outer
 * axes, and unresized axes of other ranks (which onnxruntime refuses), are copied as they are.
 */
function interpolatedAxis(rank: number, a: number, scale: number): boolean {
  if (rank === 2 || rank === 3) return true;
  if (rank === 4 || rank === 5) return a >= 2 || scale !== 1;
  return scale !== 1;
}

/** What Resize does to every axis: the output dims and, per axis, each output coordinate's taps. */
export interface ResizePlan {
  readonly dims: number[];
  readonly taps: AxisTaps[];
  readonly extrapolation: number;
}

/** The output dims and per-axis taps of a Resize of `xDims` (shared by the reference and the GPU). */
export function resizePlan(xDims: readonly number[], p: ResizeParams): ResizePlan {
  const rank = xDims.length;
  const modes = {
    mode: p.mode ?? 'nearest',
    coordinateTransformationMode: p.coordinateTransformationMode ?? 'half_pixel',
    nearestMode: p.nearestMode ?? 'round_prefer_floor',
  } as const;
  const { dims, scales } = resizeOutputShape(xDims, p);
  const axes = (p.axes ?? xDims.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const roiFor = (a: number): [number, number] => {
    const j = axes.indexOf(a);
    if (!p.roi?.length || j < 0) return [0, 1];
    return [p.roi[j], p.roi[j + axes.length]];
  };
  const taps = dims.map((d, a) =>
    axisTaps(xDims[a], d, scales[a], roiFor(a), p, modes, interpolatedAxis(rank, a, scales[a])),
  );
  return { dims, taps, extrapolation: f(p.extrapolationValue ?? 0) };
}

/** Every output element as the sum over the cartesian product of its per-axis taps. */
function cartesianSum(
  xs: ArrayLike<number>,
  xDims: readonly number[],
  plan: ResizePlan,
  float32Sums: boolean,
): Float64Array {
  const { dims, taps, extrapolation } = plan;
  const rank = xDims.length;
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--) {
    inStrides[a] = s;
    s *= xDims[a];
  }
  const outSize = dims.reduce((a, b) => a * b, 1);
  const ys = new Float64Array(outSize);
  const o = new Array<number>(rank).fill(0);
  const k = new Array<number>(rank).fill(0);
  for (let q = 0; q < outSize; q++) {
    if (o.some((v, a) => taps[a].outside[v])) ys[q] = extrapolation;
    else {
      let acc = 0;
      k.fill(0);
      for (;;) {
        let w = 1;
        let flat = 0;
        for (let a = rank - 1; a >= 0 && w !== 0; a--) {
          const t = taps[a];
          const i = t.index[o[a] * t.width + k[a]];
          if (i < 0) w = 0;
          else {
            w = float32Sums ? f(w * t.weight[o[a] * t.width + k[a]]) : w * t.weight[o[a] * t.width + k[a]];
            flat += i * inStrides[a];
          }
        }
        if (w !== 0) acc = float32Sums ? f(acc + f(w * f(xs[flat]))) : acc + w * xs[flat];
        let a = rank - 1;
        for (; a >= 0; a--) {
          if (++k[a] < taps[a].width) break;
          k[a] = 0;
        }
        if (a < 0) break;
      }
      ys[q] = acc;
    }
    for (let a = rank - 1; a >= 0; a--) {
      if (++o[a] < dims[a]) break;
      o[a] = 0;
    }
  }
  return ys;
}

export function resize(x: Tensor, p: ResizeParams): Tensor {
  const modes = {
    mode: p.mode ?? 'nearest',
    coordinateTransformationMode: p.coordinateTransformationMode ?? 'half_pixel',
    nearestMode: p.nearestMode ?? 'round_prefer_floor',
  } as const;
  if (x.dtype === 'int64' || x.dtype === 'uint64' || x.dtype === 'bool')
    throw new Error(`Resize does not support ${x.dtype}`);
  // Antialiased linear and cubic Resize sums in float64 and rounds integers to nearest, saturated
  // (ONNX's reference; onnxruntime rounds too), on every data type, like the reference.
  const antialias = !!p.antialias && modes.mode !== 'nearest';
  if (modes.mode === 'cubic' && !antialias && !isFloatDType(x.dtype))
    throw new Error(`Resize mode 'cubic' needs a float tensor`);
  // Linear mode on float32 and integers sums as onnxruntime does: in float32, weights multiplied
  // from the last axis outwards (dx * dy * dz), terms in order with the last axis fastest; integers
  // are then truncated toward zero (a C++ static_cast). float64 and cubic sum in float64.
  const float32Sums = modes.mode === 'linear' && !antialias && x.dtype !== 'float64';
  const plan = resizePlan(x.dims, p);
  const { dims } = plan;
  const xs = isFloatDType(x.dtype) ? readFloats(x) : (x.data as ArrayLike<number>);
  const outSize = dims.reduce((a, b) => a * b, 1);
  // Antialiased windows are wide (a 4x downscale in cubic mode has 16 taps per axis), so their
  // product is summed axis by axis, in float64 like ONNX's reference.
  const ys = antialias ? separableSum(xs, x.dims, plan) : cartesianSum(xs, x.dims, plan, float32Sums);
  if (isFloatDType(x.dtype)) return floatTensor(x.dtype, dims, ys);
  const data = allocData(x.dtype, outSize) as Exclude<
    ReturnType<typeof allocData>,
    BigInt64Array | BigUint64Array
  >;
  if (antialias) {
    const [lo, hi] = INT_RANGES[x.dtype] ?? [-Infinity, Infinity];
    for (let i = 0; i < outSize; i++) data[i] = Math.min(Math.max(roundHalfEven(ys[i]), lo), hi);
  } else for (let i = 0; i < outSize; i++) data[i] = Math.trunc(ys[i]);
  return { dtype: x.dtype, dims, data };
}

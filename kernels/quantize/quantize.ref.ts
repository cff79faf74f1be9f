// Reference QuantizeLinear / DequantizeLinear / fake-quant / DynamicQuantizeLinear on whole
// tensors, bit-exact with onnxruntime CPU. The scalar arithmetic is kernels/quant-math.
//
// Granularity of the scale / zero point (ONNX opset 10, 13 axis, 21 block_size):
// - per tensor: scale has one element;
// - per axis:   scale is 1-D with dims[axis] elements;
// - blocked:    scale has x's rank, with dims[axis] replaced by ceil(dims[axis] / blockSize);
//               element (.., i, ..) uses scale (.., floor(i / blockSize), ..).

import {
  clamp,
  dequantizeValue,
  isQuantDType,
  type QuantDType,
  qRange,
  quantizeValue,
  roundHalfEven,
} from '../quant-math/quant-math.js';
import { allocData, type DType, type Tensor } from '../tensor.js';

export interface QuantParams {
  /** f32 scales (1, dims[axis], or the blocked shape's element count). */
  readonly scale: ArrayLike<number>;
  readonly scaleDims: readonly number[];
  /** Zero points, same element count as the scale; absent means 0. */
  readonly zeroPoint?: ArrayLike<number>;
  /** Negative values count from the end. Default 1 (the ONNX default). */
  readonly axis?: number;
  /** > 0 selects blocked quantization (opset 21). */
  readonly blockSize?: number;
}

/** For each element of a tensor of `dims`, the index of its scale / zero point. */
export function paramIndexer(dims: readonly number[], p: QuantParams): (i: number) => number {
  const nScale = p.scale.length;
  if (p.zeroPoint && p.zeroPoint.length !== nScale) {
    throw new Error(`zero point has ${p.zeroPoint.length} elements, scale has ${nScale}`);
  }
  const blocked = (p.blockSize ?? 0) > 0;
  if (nScale === 1 && !blocked) return () => 0;
  const rank = dims.length;
  const axis = (p.axis ?? 1) < 0 ? (p.axis ?? 1) + rank : (p.axis ?? 1);
  if (axis < 0 || axis >= rank) throw new Error(`axis ${p.axis} out of range for rank ${rank}`);
  let inner = 1;
  for (let d = axis + 1; d < rank; d++) inner *= dims[d];
  const len = dims[axis];
  if (!blocked) {
    if (p.scaleDims.length > 1 || nScale !== len) {
      throw new Error(`per-axis scale must be 1-D with ${len} elements, got [${p.scaleDims}]`);
    }
    return (i) => Math.floor(i / inner) % len;
  }
  const bs = p.blockSize!;
  const blocks = Math.ceil(len / bs);
  const want = dims.map((d, k) => (k === axis ? blocks : d));
  if (p.scaleDims.length !== rank || p.scaleDims.some((d, k) => d !== want[k])) {
    throw new Error(`blocked scale must have shape [${want}], got [${p.scaleDims}]`);
  }
  return (i) => {
    const rest = i % inner;
    const a = Math.floor(i / inner) % len;
    const outer = Math.floor(i / (inner * len));
    return (outer * blocks + Math.floor(a / bs)) * inner + rest;
  };
}

/** QuantizeLinear: q = clamp(roundHalfEven(x / s) + zp) into `dtype` (full range, as ONNX). */
export function quantizeLinear(x: Tensor, p: QuantParams, dtype: QuantDType): Tensor {
  const { qmin, qmax } = qRange(dtype, 'full');
  const idx = paramIndexer(x.dims, p);
  const xs = x.data as ArrayLike<number>;
  const out = allocData(dtype, xs.length) as Int32Array;
  for (let i = 0; i < xs.length; i++) {
    const j = idx(i);
    out[i] = quantizeValue(xs[i], p.scale[j], p.zeroPoint ? p.zeroPoint[j] : 0, qmin, qmax);
  }
  return { dtype, dims: [...x.dims], data: out };
}

/** DequantizeLinear: y = f32((q - zp) * s). Integer input of any quantized dtype (int32 too). */
export function dequantizeLinear(q: Tensor, p: QuantParams, outDtype: DType = 'float32'): Tensor {
  if (!isQuantDType(q.dtype)) throw new Error(`DequantizeLinear input type ${q.dtype} is not supported`);
  const idx = paramIndexer(q.dims, p);
  const qs = q.data as ArrayLike<number>;
  const out = new Float32Array(qs.length);
  for (let i = 0; i < qs.length; i++) {
    const j = idx(i);
    out[i] = dequantizeValue(qs[i], p.scale[j], p.zeroPoint ? p.zeroPoint[j] : 0);
  }
  return { dtype: outDtype, dims: [...q.dims], data: out };
}

/**
 * Fake quantization: quantize into [qmin, qmax] (any range mode's bounds) then dequantize, in
 * real space. Equal to DequantizeLinear(QuantizeLinear(x)) for the dtype's full range.
 */
export function fakeQuantize(x: Tensor, p: QuantParams, qmin: number, qmax: number): Tensor {
  const idx = paramIndexer(x.dims, p);
  const xs = x.data as ArrayLike<number>;
  const out = new Float32Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const j = idx(i);
    const zp = p.zeroPoint ? p.zeroPoint[j] : 0;
    out[i] = dequantizeValue(quantizeValue(xs[i], p.scale[j], zp, qmin, qmax), p.scale[j], zp);
  }
  return { dtype: 'float32', dims: [...x.dims], data: out };
}

export interface DynamicQuantized {
  readonly y: Tensor; // uint8
  readonly scale: number;
  readonly zeroPoint: number;
}

/**
 * DynamicQuantizeLinear (uint8), onnxruntime's GetQuantizationParameter, all in f32:
 *   min = min(min(x), 0), max = max(max(x), 0)
 *   scale = max == min ? 1 : f32(f32(max - min) / 255)
 *   zp = roundHalfEven(clamp(f32(0 - f32(min / scale)), 0, 255))
 */
export function dynamicQuantizeLinear(x: Tensor): DynamicQuantized {
  const xs = x.data as ArrayLike<number>;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < xs.length; i++) {
    const v = Math.fround(xs[i]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi === lo ? 1 : Math.fround(Math.fround(hi - lo) / 255);
  const initial = Math.fround(0 - Math.fround(lo / scale));
  const zeroPoint = roundHalfEven(clamp(initial, 0, 255));
  const y = new Uint8Array(xs.length);
  for (let i = 0; i < xs.length; i++) y[i] = quantizeValue(xs[i], scale, zeroPoint, 0, 255);
  return { y: { dtype: 'uint8', dims: [...x.dims], data: y }, scale, zeroPoint };
}

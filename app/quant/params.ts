// Quantization parameters of one tensor, and the exact arithmetic that turns a range, a weight or
// a bias into them (onnxruntime's quant_utils: compute_scale_zp, quantize_nparray,
// quantize_bias_static). All scales are f32 values; per-channel parameters carry their axis.
import {
  computeScaleZeroPoint,
  dequantizeValue,
  qRange,
  quantizeValue,
  type RangeMode,
  roundHalfEven,
} from '../../kernels/quant-math/quant-math.js';
import { makeTensor, type Tensor, toFloat32 } from '../../kernels/tensor.js';
import type { QuantizedDType, RoleConfig, TensorOverride } from './config.js';

export interface QParams {
  readonly dtype: QuantizedDType;
  /** One scale (per tensor) or one per channel along `axis`. */
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  readonly axis?: number;
  readonly qmin: number;
  readonly qmax: number;
}

/** The role settings with a tensor's override applied. */
export function effectiveRole(role: RoleConfig, override?: TensorOverride): RoleConfig {
  return {
    dtype: override?.dtype ?? role.dtype,
    symmetric: override?.symmetric ?? role.symmetric,
    range: override?.range ?? role.range,
  };
}

/** The integer range of a role; symmetric int8 never uses -128 (onnxruntime's symmetric range). */
export function roleRange(role: RoleConfig): { qmin: number; qmax: number } {
  const mode: RangeMode =
    role.symmetric && role.dtype === 'int8' && role.range === 'full' ? 'restricted' : role.range;
  return qRange(role.dtype, mode);
}

/** Per-tensor parameters from a calibrated range. */
export function paramsFromRange(range: readonly [number, number], role: RoleConfig): QParams {
  const { qmin, qmax } = roleRange(role);
  const { scale, zeroPoint } = computeScaleZeroPoint(range[0], range[1], qmin, qmax, role.symmetric);
  return { dtype: role.dtype, scale: [scale], zeroPoint: [zeroPoint], qmin, qmax };
}

/** Per-tensor parameters given by hand (already validated by the config reader). */
export function manualParams(scale: number, zeroPoint: number, role: RoleConfig): QParams {
  const { qmin, qmax } = roleRange(role);
  return { dtype: role.dtype, scale: [Math.fround(scale)], zeroPoint: [zeroPoint], qmin, qmax };
}

/** Splits a tensor's flat index into (channel) for a per-channel axis. */
function channelIndexer(dims: readonly number[], axis: number | undefined): (i: number) => number {
  if (axis === undefined) return () => 0;
  let inner = 1;
  for (let d = axis + 1; d < dims.length; d++) inner *= dims[d];
  const channels = dims[axis];
  return (i) => Math.floor(i / inner) % channels;
}

/** Quantize-dequantize a float tensor with (per-tensor or per-channel) parameters. */
export function fakeQuantize(values: Float32Array, dims: readonly number[], p: QParams): Float32Array {
  const out = new Float32Array(values.length);
  const ch = channelIndexer(dims, p.axis);
  for (let i = 0; i < values.length; i++) {
    const c = ch(i);
    const q = quantizeValue(values[i], p.scale[c], p.zeroPoint[c], p.qmin, p.qmax);
    out[i] = dequantizeValue(q, p.scale[c], p.zeroPoint[c]);
  }
  return out;
}

/** Quantize a float tensor to its integer tensor. */
export function quantizeTensor(t: Tensor, p: QParams): Tensor {
  const values = toFloat32(t);
  const ch = channelIndexer(t.dims, p.axis);
  const q = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = ch(i);
    q[i] = quantizeValue(values[i], p.scale[c], p.zeroPoint[c], p.qmin, p.qmax);
  }
  return makeTensor(p.dtype, t.dims, q);
}

/** Count of values outside the representable range [dq(qmin), dq(qmax)] (before clamping). */
export function clippedCount(values: Float32Array, dims: readonly number[], p: QParams): number {
  const ch = channelIndexer(dims, p.axis);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const c = ch(i);
    const r = roundHalfEven(Math.fround(values[i] / p.scale[c])) + p.zeroPoint[c];
    if (r < p.qmin || r > p.qmax) n++;
  }
  return n;
}

/** A weight's parameters straight from its values (per channel along `axis`, or per tensor). */
export function weightParams(w: Tensor, axis: number | undefined, role: RoleConfig): QParams {
  const values = toFloat32(w);
  const { qmin, qmax } = roleRange(role);
  const channels = axis === undefined ? 1 : w.dims[axis];
  const lo = new Array<number>(channels).fill(0);
  const hi = new Array<number>(channels).fill(0);
  const ch = channelIndexer(w.dims, axis);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const c = ch(i);
    if (v < lo[c]) lo[c] = v;
    if (v > hi[c]) hi[c] = v;
  }
  const scale: number[] = [];
  const zeroPoint: number[] = [];
  for (let c = 0; c < channels; c++) {
    const p = computeScaleZeroPoint(lo[c], hi[c], qmin, qmax, role.symmetric);
    scale.push(p.scale);
    zeroPoint.push(p.zeroPoint);
  }
  return { dtype: role.dtype, scale, zeroPoint, axis, qmin, qmax };
}

export interface QuantizedBias {
  /** int32 values round(b / f32(sx * sw[c])), saturated to int32. */
  readonly q: Tensor;
  /** The bias scales f32(sx * sw[c]) (one, or one per channel). */
  readonly scale: readonly number[];
}

/** quantize_bias_static: scale f32(sx * sw[c]), value roundHalfEven(f32(b / scale)), zero point 0. */
export function quantizeBias(b: Tensor, inputScale: number, weightScale: readonly number[]): QuantizedBias {
  const values = toFloat32(b);
  const scale = weightScale.map((sw) => Math.fround(Math.fround(inputScale) * Math.fround(sw)));
  const q = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const s = scale[scale.length === 1 ? 0 : i];
    const r = s === 0 ? 0 : roundHalfEven(Math.fround(values[i] / s));
    q[i] = Math.max(-2147483648, Math.min(2147483647, Number.isNaN(r) ? 0 : r));
  }
  return { q: makeTensor('int32', b.dims, q), scale };
}

/** The float value a quantized bias stands for: f32(q * scale). */
export function dequantizedBias(qb: QuantizedBias): Float32Array {
  const q = qb.q.data as Int32Array;
  return Float32Array.from(q, (v, i) => dequantizeValue(v, qb.scale[qb.scale.length === 1 ? 0 : i], 0));
}

/** A weight's parameters under the weight settings and its override (manual scale or range wins). */
export function weightParamsFor(
  w: Tensor,
  axis: number | undefined,
  weights: RoleConfig,
  override?: TensorOverride,
): QParams {
  const r = effectiveRole(weights, override);
  if (override?.scale !== undefined && override.zeroPoint !== undefined)
    return manualParams(override.scale, override.zeroPoint, r);
  if (override?.min !== undefined && override.max !== undefined)
    return paramsFromRange([override.min, override.max], r);
  return weightParams(w, axis, r);
}

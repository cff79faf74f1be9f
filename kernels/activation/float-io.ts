// Reading and writing the float tensors of the nn reference ops. The refs compute in float64 and
// round once at the end to the tensor's own float type, which is what onnxruntime's float32
// kernels match to ~1e-6 relative (their sums are f32 but blocked, so closer to f64 than naive).
import { type DType, float16BitsToNumber, numberToFloat16Bits, type Tensor } from '../tensor.js';

export function isFloatDType(dtype: DType): dtype is 'float32' | 'float64' | 'float16' {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}

export function assertFloat(t: Tensor, what: string): void {
  if (!isFloatDType(t.dtype)) throw new Error(`${what} must be a float tensor, got ${t.dtype}`);
}

/** Float values of a float tensor, without copying float32/float64 data. */
export function readFloats(t: Tensor): Float32Array | Float64Array {
  if (t.data instanceof Float32Array || t.data instanceof Float64Array) return t.data;
  if (t.dtype === 'float16') {
    const src = t.data as Uint16Array;
    const out = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = float16BitsToNumber(src[i]);
    return out;
  }
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/** A tensor of a float dtype from values computed in float64 (rounded once, here). */
export function floatTensor(dtype: DType, dims: readonly number[], values: ArrayLike<number>): Tensor {
  if (dtype === 'float64') return { dtype, dims: [...dims], data: Float64Array.from(values) };
  if (dtype === 'float16') {
    const bits = new Uint16Array(values.length);
    for (let i = 0; i < bits.length; i++) bits[i] = numberToFloat16Bits(values[i]);
    return { dtype, dims: [...dims], data: bits };
  }
  if (dtype !== 'float32') throw new Error(`expected a float dtype, got ${dtype}`);
  return { dtype, dims: [...dims], data: Float32Array.from(values) };
}

// QuantizeLinear / DequantizeLinear for the narrow types (opsets 19-25), as ONNX's reference:
// - int4 / uint4 / int2 / uint2: q = clamp(roundHalfEven(x / s) + zp) into the type's range;
// - float8 types: q = the float8 code of x / s (saturating unless `saturate` = 0); the zero point
//   must be 0 and is not added;
// - float4 E2M1: q = the code of x / s + zp (always saturating: it has no infinity or NaN);
// and back: y = (q - zp) * s for the integers, q * s for the float codes, in float32.
import { decodeSmallFloat, encodeSmallFloat, type SmallFloat } from '../dtypes/small-floats.js';
import { quantizeValue } from '../quant-math/quant-math.js';
import { allocData, type DType, elementAsNumber, isSmallFloatDType, type Tensor } from '../tensor.js';
import { paramIndexer, type QuantParams } from './quantize.ref.js';

const RANGES: Partial<Record<DType, [number, number]>> = {
  int4: [-8, 7],
  uint4: [0, 15],
  int2: [-2, 1],
  uint2: [0, 3],
};

export function isNarrowQuantType(dtype: DType): boolean {
  return dtype in RANGES || (isSmallFloatDType(dtype) && dtype !== 'bfloat16' && dtype !== 'float8e8m0');
}

/** x (float32 values) quantized to a narrow `dtype`; zero points as numbers (decoded codes for float4). */
export function narrowQuantize(x: Tensor, p: QuantParams, dtype: DType, saturate: boolean): Tensor {
  const idx = paramIndexer(x.dims, p);
  const xs = x.data as ArrayLike<number>;
  const out = allocData(dtype, xs.length) as Int8Array;
  const range = RANGES[dtype];
  for (let i = 0; i < xs.length; i++) {
    const j = idx(i);
    const zp = p.zeroPoint ? p.zeroPoint[j] : 0;
    if (range) out[i] = quantizeValue(xs[i], p.scale[j], zp, range[0], range[1]);
    else {
      const v = Math.fround(xs[i] / p.scale[j]);
      out[i] =
        dtype === 'float4e2m1'
          ? encodeSmallFloat(dtype, Math.fround(v + zp), true)
          : encodeSmallFloat(dtype as SmallFloat, v, saturate);
    }
  }
  return { dtype, dims: [...x.dims], data: out };
}

/** Dequantizes a narrow tensor to float32 values. */
export function narrowDequantize(q: Tensor, p: QuantParams): Float32Array {
  const idx = paramIndexer(q.dims, p);
  const out = new Float32Array(q.data.length);
  const integer = q.dtype in RANGES;
  for (let i = 0; i < out.length; i++) {
    const j = idx(i);
    const v = integer ? (q.data[i] as number) - (p.zeroPoint ? p.zeroPoint[j] : 0) : elementAsNumber(q, i);
    out[i] = Math.fround(Math.fround(v) * Math.fround(p.scale[j]));
  }
  return out;
}

export { decodeSmallFloat };

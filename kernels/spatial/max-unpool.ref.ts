// MaxUnpool: the partial inverse of MaxPool. Y.flat[I[i]] = X[i] into zeros of the inferred shape
// [N, C, (in - 1) * stride + kernel - pad_begin - pad_end...] (MaxPool's indices count over the
// whole tensor, N and C included). A given output_shape, which may be larger, receives that
// result in its leading corner, as the ONNX reference and backend tests do.
import { allocData, type Tensor } from '../tensor.js';
import { stridesOf } from '../shape-ops/axes.js';
import { elements } from '../shape-ops/cast.ref.js';

export function maxUnpoolInferredDims(
  xDims: readonly number[],
  kernel: readonly number[],
  pads: readonly number[] | undefined,
  strides: readonly number[] | undefined,
): number[] {
  const k = xDims.length - 2;
  if (kernel.length !== k)
    throw new Error(`MaxUnpool kernel_shape has ${kernel.length} dims for a ${xDims.length}-D input`);
  return [
    xDims[0],
    xDims[1],
    ...kernel.map(
      (kk, i) => (xDims[i + 2] - 1) * (strides?.[i] ?? 1) + kk - (pads?.[i] ?? 0) - (pads?.[i + k] ?? 0),
    ),
  ];
}

/** The output dims: output_shape when given (no smaller than the inferred dims), else the inferred. */
export function maxUnpoolDims(inferred: readonly number[], outputShape?: readonly number[]): number[] {
  if (!outputShape) return [...inferred];
  if (outputShape.length !== inferred.length || outputShape.some((d, i) => d < inferred[i])) {
    throw new Error(`MaxUnpool output_shape [${outputShape}] is smaller than the unpooled [${inferred}]`);
  }
  return [...outputShape];
}

export function maxUnpoolRef(
  x: Tensor,
  indices: Tensor,
  inferred: readonly number[],
  outDims: readonly number[],
): Tensor {
  if (indices.data.length !== x.data.length)
    throw new Error(`MaxUnpool indices [${indices.dims}] differ from X [${x.dims}]`);
  const total = inferred.reduce((a, b) => a * b, 1);
  const inStrides = stridesOf(inferred);
  const outStrides = stridesOf(outDims);
  const out = allocData(
    x.dtype,
    outDims.reduce((a, b) => a * b, 1),
  );
  const o = elements(out);
  const s = elements(x.data);
  for (let i = 0; i < s.length; i++) {
    let at = Number(indices.data[i]);
    if (at < 0 || at >= total) throw new Error(`MaxUnpool index ${at} is out of range for ${total} outputs`);
    // Re-address the inferred-shape index in the (possibly larger) output.
    let dst = 0;
    for (let d = 0; d < inferred.length; d++) {
      dst += Math.floor(at / inStrides[d]) * outStrides[d];
      at %= inStrides[d];
    }
    o[dst] = s[i];
  }
  return { dtype: x.dtype, dims: [...outDims], data: out };
}

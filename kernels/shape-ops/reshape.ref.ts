// Shape arithmetic for the ops that only change dims (Reshape, Flatten, Squeeze, Unsqueeze), plus
// Shape and ConstantOfShape. Tensors are immutable, so a reshaped tensor shares its input's data.
import { allocData, type DType, sizeOf, type Tensor } from '../tensor.js';
import { normalizeAxis } from './axes.js';
import { elements } from './cast.ref.js';

/** The same data seen with other dims (no copy). */
export function withDims(x: Tensor, dims: readonly number[]): Tensor {
  if (sizeOf(dims) !== x.data.length) throw new Error(`cannot view ${x.data.length} elements as [${dims}]`);
  return { dtype: x.dtype, dims: [...dims], data: x.data };
}

/**
 * Reshape's target dims: 0 copies the input dim at that position (unless allowZero, where 0 is a
 * real zero), one -1 is inferred from the element count.
 */
export function reshapeDims(
  inDims: readonly number[],
  shape: readonly number[],
  allowZero = false,
): number[] {
  const total = sizeOf(inDims);
  let inferAt = -1;
  let known = 1;
  const out = shape.map((s, i) => {
    if (s === -1) {
      if (inferAt >= 0) throw new Error(`Reshape shape [${shape}] has more than one -1`);
      inferAt = i;
      return -1;
    }
    if (s === 0 && !allowZero) {
      if (i >= inDims.length)
        throw new Error(`Reshape shape [${shape}] copies dim ${i} of a rank-${inDims.length} input`);
      s = inDims[i];
    } else if (s < 0 || !Number.isInteger(s)) {
      throw new Error(`Reshape shape [${shape}] has an invalid dim ${s}`);
    }
    known *= s;
    return s;
  });
  if (inferAt >= 0) {
    if (known === 0 || total % known !== 0) {
      throw new Error(`Reshape cannot infer the -1 in [${shape}] for input [${inDims}]`);
    }
    out[inferAt] = total / known;
  } else if (known !== total) {
    throw new Error(`Reshape of [${inDims}] (${total} elements) to [${out}]`);
  }
  return out;
}

/** Flatten to 2-D: [prod(dims[:axis]), prod(dims[axis:])]; axis in [-rank, rank]. */
export function flattenDims(dims: readonly number[], axis: number): number[] {
  const rank = dims.length;
  if (axis < -rank || axis > rank) throw new Error(`Flatten axis ${axis} is out of range for rank ${rank}`);
  const a = axis < 0 ? axis + rank : axis;
  return [sizeOf(dims.slice(0, a)), sizeOf(dims.slice(a))];
}

/** Squeeze: drop the given axes (each must have size 1), or every size-1 axis when none given. */
export function squeezeDims(dims: readonly number[], axes?: readonly number[]): number[] {
  if (!axes) return dims.filter((d) => d !== 1);
  const drop = new Set(axes.map((a) => normalizeAxis(a, dims.length, 'Squeeze axis')));
  for (const a of drop) {
    if (dims[a] !== 1) throw new Error(`Squeeze axis ${a} has size ${dims[a]}, not 1`);
  }
  return dims.filter((_, i) => !drop.has(i));
}

/** Unsqueeze: insert size-1 axes; axes refer to the output rank. */
export function unsqueezeDims(dims: readonly number[], axes: readonly number[]): number[] {
  const rank = dims.length + axes.length;
  const ins = new Set(axes.map((a) => normalizeAxis(a, rank, 'Unsqueeze axis')));
  if (ins.size !== axes.length) throw new Error(`Unsqueeze axes [${axes}] repeat an axis`);
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(ins.has(i) ? 1 : dims[k++]);
  return out;
}

/** Shape (opset 15 start/end: negative counts from the end, both clamped to [0, rank]). */
export function shapeRef(x: Tensor, start = 0, end?: number): Tensor {
  const rank = x.dims.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const s = clamp(start);
  const e = clamp(end ?? rank);
  const dims = x.dims.slice(s, Math.max(s, e));
  const data = new BigInt64Array(dims.length);
  dims.forEach((d, i) => {
    data[i] = BigInt(d);
  });
  return { dtype: 'int64', dims: [dims.length], data };
}

/** ConstantOfShape: a tensor of the given dims filled with the one element of `value` (default float32 0). */
export function constantOfShapeRef(dims: readonly number[], value?: Tensor): Tensor {
  if (dims.some((d) => d < 0 || !Number.isInteger(d)))
    throw new Error(`ConstantOfShape with invalid dims [${dims}]`);
  const dtype: DType = value?.dtype ?? 'float32';
  if (value && value.data.length !== 1) throw new Error('ConstantOfShape value must hold one element');
  const out = allocData(dtype, sizeOf(dims));
  if (value) {
    const o = elements(out);
    const v = value.data[0];
    for (let i = 0; i < out.length; i++) o[i] = v;
  }
  return { dtype, dims: [...dims], data: out };
}

/** Size: the element count of x as an int64 scalar. */
export function sizeRef(x: Tensor): Tensor {
  return { dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(x.dims.reduce((a, b) => a * b, 1))) };
}

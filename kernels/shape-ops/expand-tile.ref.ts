// Expand and Tile as strided reads: both are written once as a domain of axes (size, source
// stride) walked in row-major order, which the reference turns into an index map and the GPU
// (copy.ts: expandCopy, tileCopy) into a copy spec. Exact for every dtype.
import { broadcastShapes, broadcastStrides } from '../broadcast/broadcast.js';
import type { Tensor } from '../tensor.js';
import { pickElements, stridesOf, stridedIndexMap } from './axes.js';

export interface StridedDomain {
  /** The output dims. */
  readonly dims: number[];
  /** The domain walked in row-major order (it covers the output contiguously). */
  readonly axes: readonly { readonly n: number; readonly srcStride: number }[];
}

/** Expand: X broadcast with `shape` (numpy rules both ways: a 1 in `shape` keeps X's dim). */
export function expandDomain(xDims: readonly number[], shape: readonly number[]): StridedDomain {
  if (shape.some((d) => d < 0 || !Number.isInteger(d)))
    throw new Error(`Expand shape [${shape}] has a negative dim`);
  const dims = broadcastShapes(xDims, shape);
  const strides = broadcastStrides(xDims, dims);
  return { dims, axes: dims.map((n, d) => ({ n, srcStride: strides[d] })) };
}

/** Tile: output dim d is xDims[d] * repeats[d]; the domain is (repeat, index) per axis. */
export function tileDomain(xDims: readonly number[], repeats: readonly number[]): StridedDomain {
  if (repeats.length !== xDims.length)
    throw new Error(`Tile repeats has ${repeats.length} values for an input of rank ${xDims.length}`);
  if (repeats.some((r) => r < 0 || !Number.isInteger(r)))
    throw new Error(`Tile repeats [${repeats}] has a negative value`);
  const strides = stridesOf(xDims);
  return {
    dims: xDims.map((d, i) => d * repeats[i]),
    axes: xDims.flatMap((d, i) => [
      { n: repeats[i], srcStride: 0 },
      { n: d, srcStride: strides[i] },
    ]),
  };
}

function gather(x: Tensor, domain: StridedDomain): Tensor {
  const map = stridedIndexMap(
    domain.axes.map((a) => a.n),
    domain.axes.map((a) => a.srcStride),
  );
  return pickElements(x, domain.dims, map);
}

export function expandRef(x: Tensor, shape: readonly number[]): Tensor {
  return gather(x, expandDomain(x.dims, shape));
}

export function tileRef(x: Tensor, repeats: readonly number[]): Tensor {
  return gather(x, tileDomain(x.dims, repeats));
}

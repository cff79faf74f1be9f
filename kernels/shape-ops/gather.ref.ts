// Gather along any axis: output dims = data[:axis] + indices.dims + data[axis+1:]. Indices may be
// int32 or int64 and negative (counted from the end); out-of-range indices throw, as in onnxruntime.
import { allocData, sizeOf, type Tensor } from '../tensor.js';
import { normalizeAxis, stridesOf } from './axes.js';
import { elements } from './cast.ref.js';

export function gatherRef(data: Tensor, indices: Tensor, axis: number): Tensor {
  if (indices.dtype !== 'int32' && indices.dtype !== 'int64') {
    throw new Error(`Gather indices must be int32 or int64, got ${indices.dtype}`);
  }
  const ax = normalizeAxis(axis, data.dims.length, 'Gather axis');
  const dim = data.dims[ax];
  const outDims = [...data.dims.slice(0, ax), ...indices.dims, ...data.dims.slice(ax + 1)];
  const outer = sizeOf(data.dims.slice(0, ax));
  const inner = sizeOf(data.dims.slice(ax + 1));
  const nIdx = indices.data.length;
  const idx = new Array<number>(nIdx);
  for (let k = 0; k < nIdx; k++) {
    let v = Number(indices.data[k]);
    if (v < -dim || v >= dim)
      throw new Error(`Gather index ${indices.data[k]} is out of range for dimension ${dim}`);
    if (v < 0) v += dim;
    idx[k] = v;
  }
  const out = allocData(data.dtype, sizeOf(outDims));
  const o = elements(out);
  const s = elements(data.data);
  let w = 0;
  for (let b = 0; b < outer; b++) {
    for (let k = 0; k < nIdx; k++) {
      const r = (b * dim + idx[k]) * inner;
      for (let j = 0; j < inner; j++) o[w++] = s[r + j];
    }
  }
  return { dtype: data.dtype, dims: outDims, data: out };
}

/**
 * GatherElements: output has the indices' dims; element i reads data at i's coordinates with the
 * `axis` coordinate replaced by indices[i] (negative counts from the end; out of range throws).
 * Indices may be smaller than data along every axis.
 */
export function gatherElementsRef(data: Tensor, indices: Tensor, axis: number): Tensor {
  if (indices.dtype !== 'int32' && indices.dtype !== 'int64') {
    throw new Error(`GatherElements indices must be int32 or int64, got ${indices.dtype}`);
  }
  const rank = data.dims.length;
  if (indices.dims.length !== rank)
    throw new Error(`GatherElements indices have rank ${indices.dims.length}, data has ${rank}`);
  const ax = normalizeAxis(axis, rank, 'GatherElements axis');
  const dim = data.dims[ax];
  const dataStrides = stridesOf(data.dims);
  const n = indices.data.length;
  const out = allocData(data.dtype, n);
  const o = elements(out);
  const s = elements(data.data);
  const coord = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let v = Number(indices.data[k]);
    if (v < -dim || v >= dim)
      throw new Error(`GatherElements index ${indices.data[k]} is out of range for dimension ${dim}`);
    if (v < 0) v += dim;
    let off = 0;
    for (let d = 0; d < rank; d++) off += (d === ax ? v : coord[d]) * dataStrides[d];
    o[k] = s[off];
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < indices.dims[d]) break;
      coord[d] = 0;
    }
  }
  return { dtype: data.dtype, dims: [...indices.dims], data: out };
}

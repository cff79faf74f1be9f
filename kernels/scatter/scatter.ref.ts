// ScatterElements (and the deprecated Scatter, its opset 9-10 name), ScatterND and GatherND.
// Scatters copy data, then write (or combine with `reduction`) each update in order, so
// duplicate indices resolve as the ONNX reference does: the last write wins for 'none', every
// update is folded in for the reductions. Indices may be negative (counted from the end); out of
// range throws, as onnxruntime does.

import { allocData, isBigIntDType, type Tensor } from '../tensor.js';
import { normalizeAxis, stridesOf } from '../shape-ops/axes.js';
import { elements } from '../shape-ops/cast.ref.js';

export type ScatterReduction = 'none' | 'add' | 'mul' | 'max' | 'min';

type Combine = (a: number | bigint, b: number | bigint) => number | bigint;

/** How an update folds into the existing element; writes through the typed array round/wrap. */
function combiner(reduction: ScatterReduction, dtype: Tensor['dtype']): Combine {
  const big = isBigIntDType(dtype);
  if (reduction !== 'none' && (dtype === 'float16' || dtype === 'bool')) {
    throw new Error(`scatter reduction '${reduction}' on ${dtype} is not supported`);
  }
  switch (reduction) {
    case 'none':
      return (_a, b) => b;
    case 'add':
      return big ? (a, b) => (a as bigint) + (b as bigint) : (a, b) => (a as number) + (b as number);
    case 'mul':
      if (big) return (a, b) => (a as bigint) * (b as bigint);
      // Integer products wrap as C's do; Math.imul keeps 32-bit products exact.
      if (dtype === 'int32' || dtype === 'uint32') return (a, b) => Math.imul(a as number, b as number);
      return (a, b) => (a as number) * (b as number);
    case 'max':
      return (a, b) => (b > a || Number.isNaN(b as number) ? b : a);
    case 'min':
      return (a, b) => (b < a || Number.isNaN(b as number) ? b : a);
  }
}

function writeValue(
  o: ReturnType<typeof elements>,
  i: number,
  v: number | bigint,
  dtype: Tensor['dtype'],
): void {
  if (dtype === 'int64') o[i] = BigInt.asIntN(64, v as bigint);
  else if (dtype === 'uint64') o[i] = BigInt.asUintN(64, v as bigint);
  else o[i] = v;
}

function indexValue(indices: Tensor, k: number, dim: number, op: string): number {
  let v = Number(indices.data[k]);
  if (v < -dim || v >= dim)
    throw new Error(`${op} index ${indices.data[k]} is out of range for dimension ${dim}`);
  if (v < 0) v += dim;
  return v;
}

function checkIndices(indices: Tensor, op: string): void {
  if (indices.dtype !== 'int32' && indices.dtype !== 'int64') {
    throw new Error(`${op} indices must be int32 or int64, got ${indices.dtype}`);
  }
}

/** ScatterElements: updates[i] goes to data at i's coordinates with `axis` replaced by indices[i]. */
export function scatterElementsRef(
  data: Tensor,
  indices: Tensor,
  updates: Tensor,
  axis: number,
  reduction: ScatterReduction = 'none',
): Tensor {
  checkIndices(indices, 'ScatterElements');
  const rank = data.dims.length;
  if (indices.dims.length !== rank || updates.dims.join() !== indices.dims.join()) {
    throw new Error(
      `ScatterElements indices [${indices.dims}] / updates [${updates.dims}] do not fit data [${data.dims}]`,
    );
  }
  const ax = normalizeAxis(axis, rank, 'ScatterElements axis');
  const strides = stridesOf(data.dims);
  const out = allocData(data.dtype, data.data.length);
  const o = elements(out);
  const s = elements(data.data);
  for (let i = 0; i < s.length; i++) o[i] = s[i];
  const u = elements(updates.data);
  const comb = combiner(reduction, data.dtype);
  const coord = new Array<number>(rank).fill(0);
  for (let k = 0; k < u.length; k++) {
    const v = indexValue(indices, k, data.dims[ax], 'ScatterElements');
    let off = 0;
    for (let d = 0; d < rank; d++) off += (d === ax ? v : coord[d]) * strides[d];
    writeValue(o, off, comb(o[off], u[k]), data.dtype);
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < indices.dims[d]) break;
      coord[d] = 0;
    }
  }
  return { dtype: data.dtype, dims: [...data.dims], data: out };
}

/**
 * ScatterND: indices [..., q] address a slice of data (its first q dims); updates has the
 * indices' leading dims followed by the slice's dims.
 */
export function scatterNDRef(
  data: Tensor,
  indices: Tensor,
  updates: Tensor,
  reduction: ScatterReduction = 'none',
): Tensor {
  checkIndices(indices, 'ScatterND');
  const q = indices.dims[indices.dims.length - 1];
  const lead = indices.dims.slice(0, -1);
  const want = [...lead, ...data.dims.slice(q)];
  if (q > data.dims.length || updates.dims.join() !== want.join()) {
    throw new Error(
      `ScatterND updates [${updates.dims}] do not fit data [${data.dims}] and indices [${indices.dims}]`,
    );
  }
  const strides = stridesOf(data.dims);
  const slice = q === data.dims.length ? 1 : strides[q - 1];
  const count = lead.reduce((a, b) => a * b, 1);
  const out = allocData(data.dtype, data.data.length);
  const o = elements(out);
  const s = elements(data.data);
  for (let i = 0; i < s.length; i++) o[i] = s[i];
  const u = elements(updates.data);
  const comb = combiner(reduction, data.dtype);
  for (let n = 0; n < count; n++) {
    let off = 0;
    for (let j = 0; j < q; j++) off += indexValue(indices, n * q + j, data.dims[j], 'ScatterND') * strides[j];
    for (let e = 0; e < slice; e++) writeValue(o, off + e, comb(o[off + e], u[n * slice + e]), data.dtype);
  }
  return { dtype: data.dtype, dims: [...data.dims], data: out };
}

/** Output dims of GatherND: batch dims, the indices' other leading dims, then the slice's dims. */
export function gatherNDDims(
  dataDims: readonly number[],
  indicesDims: readonly number[],
  batchDims: number,
): number[] {
  const q = indicesDims[indicesDims.length - 1];
  if (batchDims < 0 || batchDims >= Math.min(dataDims.length, indicesDims.length)) {
    throw new Error(`GatherND batch_dims ${batchDims} is out of range`);
  }
  if (q === undefined || q < 1 || batchDims + q > dataDims.length) {
    throw new Error(
      `GatherND indices [${indicesDims}] do not fit data [${dataDims}] with batch_dims ${batchDims}`,
    );
  }
  for (let d = 0; d < batchDims; d++) {
    if (dataDims[d] !== indicesDims[d])
      throw new Error(`GatherND batch dim ${d} differs: ${dataDims[d]} vs ${indicesDims[d]}`);
  }
  return [...indicesDims.slice(0, -1), ...dataDims.slice(batchDims + q)];
}

export function gatherNDRef(data: Tensor, indices: Tensor, batchDims = 0): Tensor {
  checkIndices(indices, 'GatherND');
  const outDims = gatherNDDims(data.dims, indices.dims, batchDims);
  const q = indices.dims[indices.dims.length - 1];
  const strides = stridesOf(data.dims);
  const batchCount = data.dims.slice(0, batchDims).reduce((a, b) => a * b, 1);
  const batchStride = batchDims === 0 ? data.data.length : strides[batchDims - 1];
  const perBatch = indices.dims.slice(batchDims, -1).reduce((a, b) => a * b, 1);
  const slice = batchDims + q === data.dims.length ? 1 : strides[batchDims + q - 1];
  const out = allocData(data.dtype, batchCount * perBatch * slice);
  const o = elements(out);
  const s = elements(data.data);
  let w = 0;
  for (let b = 0; b < batchCount; b++) {
    for (let n = 0; n < perBatch; n++) {
      let off = b * batchStride;
      const row = (b * perBatch + n) * q;
      for (let j = 0; j < q; j++) {
        const d = batchDims + j;
        off += indexValue(indices, row + j, data.dims[d], 'GatherND') * strides[d];
      }
      for (let e = 0; e < slice; e++) o[w++] = s[off + e];
    }
  }
  return { dtype: data.dtype, dims: outDims, data: out };
}

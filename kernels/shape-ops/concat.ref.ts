// Concat along one axis (negative axes count from the end). Every other dimension must agree.
import { allocData, sizeOf, type Tensor } from '../tensor.js';
import { normalizeAxis } from './axes.js';
import { elements } from './cast.ref.js';

export function concatRef(inputs: readonly Tensor[], axis: number): Tensor {
  if (inputs.length === 0) throw new Error('Concat needs at least one input');
  const first = inputs[0];
  const rank = first.dims.length;
  const ax = normalizeAxis(axis, rank, 'Concat axis');
  let axisTotal = 0;
  for (const t of inputs) {
    if (t.dtype !== first.dtype) throw new Error(`Concat inputs mix ${first.dtype} and ${t.dtype}`);
    if (t.dims.length !== rank || t.dims.some((d, i) => i !== ax && d !== first.dims[i])) {
      throw new Error(`Concat on axis ${ax}: shapes [${first.dims}] and [${t.dims}] do not match`);
    }
    axisTotal += t.dims[ax];
  }
  const outDims = first.dims.map((d, i) => (i === ax ? axisTotal : d));
  const outer = sizeOf(first.dims.slice(0, ax));
  const inner = sizeOf(first.dims.slice(ax + 1));
  const out = allocData(first.dtype, sizeOf(outDims));
  const o = elements(out);
  let w = 0;
  for (let b = 0; b < outer; b++) {
    for (const t of inputs) {
      const block = t.dims[ax] * inner;
      const s = elements(t.data);
      for (let k = 0, r = b * block; k < block; k++) o[w++] = s[r + k];
    }
  }
  return { dtype: first.dtype, dims: outDims, data: out };
}

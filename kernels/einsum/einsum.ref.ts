// Einsum (opset 12): explicit ("ij,jk->ik") and implicit ("ij,jk": the labels that appear once,
// in alphabetical order) equations, repeated labels within an operand (diagonals), summed labels,
// and "..." broadcasting (ellipsis dims aligned on the right, placed first in an implicit output).
// Products and sums in float64 (integers exactly below 2^53), rounded once to the output type.
import { floatTensor, isFloatDType, readFloats } from '../activation/float-io.js';
import { allocData, isBigIntDType, type Tensor } from '../tensor.js';

interface Term {
  /** One label per axis of the operand (ellipsis axes get the labels '0'..'9'). */
  readonly labels: string[];
}

function parseTerm(term: string, rank: number | undefined, ellipsisRank: number): Term {
  const t = term.trim();
  const parts = t.split('...');
  if (parts.length > 2) throw new Error(`Einsum term '${term}' has more than one ellipsis`);
  const letters = (s: string) => [...s.replace(/\s/g, '')];
  for (const c of letters(t.replace('...', '')))
    if (!/[a-zA-Z]/.test(c)) throw new Error(`Einsum label '${c}' is not a letter`);
  if (parts.length === 1) return { labels: letters(t) };
  const fixed = letters(parts[0]).length + letters(parts[1]).length;
  const e = rank === undefined ? ellipsisRank : rank - fixed;
  if (e < 0) throw new Error(`Einsum term '${term}' has more labels than its operand's rank ${rank}`);
  const ell = Array.from({ length: e }, (_, i) => String(ellipsisRank - e + i));
  return { labels: [...letters(parts[0]), ...ell, ...letters(parts[1])] };
}

/**
 * How an equation indexes its operands: the output labels then the summed ones (`all`, their sizes
 * in `dims`), and per operand the stride of each label of `all` (0 where broadcast or absent; a
 * label repeated in one operand, a diagonal, adds its strides). The GPU kernel
 * (kernels/einsum/einsum.ts) walks this same layout in the same order.
 */
export interface EinsumLayout {
  readonly outLabels: readonly string[];
  readonly all: readonly string[];
  readonly dims: readonly number[];
  readonly outDims: readonly number[];
  readonly outSize: number;
  readonly sumSize: number;
  readonly strides: readonly (readonly number[])[];
}

export function einsumLayout(equation: string, inputDims: readonly (readonly number[])[]): EinsumLayout {
  const inputs = inputDims.map((dims) => ({ dims }));
  const [lhs, rhs] = equation.split('->');
  const terms = lhs.split(',');
  if (terms.length !== inputs.length)
    throw new Error(`Einsum equation has ${terms.length} operands, got ${inputs.length} inputs`);
  // The ellipsis covers the most dims any operand gives it.
  const ellipsisRank = Math.max(
    0,
    ...terms.map((t, i) =>
      t.includes('...') ? inputs[i].dims.length - [...t.replace('...', '').replace(/\s/g, '')].length : 0,
    ),
  );
  const parsed = terms.map((t, i) => parseTerm(t, inputs[i].dims.length, ellipsisRank));
  parsed.forEach((p, i) => {
    if (p.labels.length !== inputs[i].dims.length)
      throw new Error(
        `Einsum term '${terms[i]}' has ${p.labels.length} labels for rank ${inputs[i].dims.length}`,
      );
  });
  const size = new Map<string, number>();
  parsed.forEach((p, i) => {
    p.labels.forEach((l, a) => {
      const d = inputs[i].dims[a];
      const old = size.get(l);
      if (old === undefined || old === 1) size.set(l, d);
      else if (d !== 1 && d !== old) throw new Error(`Einsum label '${l}' has sizes ${old} and ${d}`);
    });
  });
  let outLabels: string[];
  if (rhs !== undefined) outLabels = parseTerm(rhs, undefined, ellipsisRank).labels;
  else {
    const count = new Map<string, number>();
    for (const p of parsed) for (const l of p.labels) count.set(l, (count.get(l) ?? 0) + 1);
    const ell = Array.from({ length: ellipsisRank }, (_, i) => String(i));
    outLabels = [
      ...ell,
      ...[...count]
        .filter(([l, c]) => c === 1 && /[a-zA-Z]/.test(l))
        .map(([l]) => l)
        .sort(),
    ];
  }
  for (const l of outLabels)
    if (!size.has(l)) throw new Error(`Einsum output label '${l}' is not in any operand`);
  const summed = [...size.keys()].filter((l) => !outLabels.includes(l));
  const all = [...outLabels, ...summed];
  const dims = all.map((l) => size.get(l)!);
  const outDims = outLabels.map((l) => size.get(l)!);
  const outSize = outDims.reduce((a, b) => a * b, 1);
  const sumSize = summed.reduce((a, l) => a * size.get(l)!, 1);
  // Per operand: the stride of each label in `all` (0 where broadcast or absent).
  const strides = parsed.map((p, i) => {
    const st = all.map(() => 0);
    let s = 1;
    for (let a = p.labels.length - 1; a >= 0; a--) {
      const k = all.indexOf(p.labels[a]);
      if (inputs[i].dims[a] !== 1) st[k] += s;
      s *= inputs[i].dims[a];
    }
    return st;
  });
  return { outLabels, all, dims, outDims, outSize, sumSize, strides };
}

export function einsumRef(equation: string, inputs: readonly Tensor[]): Tensor {
  const { outLabels, all, dims, outDims, outSize, sumSize, strides } = einsumLayout(
    equation,
    inputs.map((t) => t.dims),
  );
  const values = inputs.map((t) =>
    isFloatDType(t.dtype) ? readFloats(t) : Array.from(t.data as ArrayLike<number | bigint>, Number),
  );
  const out = new Float64Array(outSize);
  const idx = new Array<number>(all.length).fill(0);
  for (let o = 0; o < outSize; o++) {
    let rest = o;
    for (let a = outLabels.length - 1; a >= 0; a--) {
      idx[a] = rest % dims[a];
      rest = Math.floor(rest / dims[a]);
    }
    let acc = 0;
    for (let s = 0; s < sumSize; s++) {
      let r = s;
      for (let a = all.length - 1; a >= outLabels.length; a--) {
        idx[a] = r % dims[a];
        r = Math.floor(r / dims[a]);
      }
      let prod = 1;
      for (let i = 0; i < inputs.length; i++) {
        let at = 0;
        for (let a = 0; a < all.length; a++) at += idx[a] * strides[i][a];
        prod *= values[i][at];
      }
      acc += prod;
    }
    out[o] = acc;
  }
  const dtype = inputs[0].dtype;
  if (isFloatDType(dtype)) return floatTensor(dtype, outDims, out);
  const data = allocData(dtype, outSize);
  for (let i = 0; i < outSize; i++)
    (data as unknown as (number | bigint)[])[i] = isBigIntDType(dtype) ? BigInt(out[i]) : out[i];
  return { dtype, dims: outDims, data };
}

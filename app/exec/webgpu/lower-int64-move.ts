// Data movement of int64 values that live on the GPU as word pairs (gpu-storage.ts): Transpose,
// Concat, Split, Slice, Expand and Tile run the strided word copies of lower-tensor.ts over the
// tensor viewed with a trailing axis of 2 words (lo, hi), which every copy leaves in place; so the
// int64 position ids and masks computed at run time stay on the GPU. Each takes over the key only
// where lower-tensor.ts declines (it stays first for 32- and 8-bit data); parameters it cannot read
// at plan time, or that the reference refuses, leave the node to the CPU op, which reports them.
import { normalizeAxis } from '../../../kernels/shape-ops/axes.js';
import {
  type CopySpec,
  concatCopies,
  prepareCopy,
  sliceCopy,
  splitCopies,
  stridedDomainCopy,
  transposeCopy,
} from '../../../kernels/shape-ops/copy.js';
import { expandDomain, tileDomain } from '../../../kernels/shape-ops/expand-tile.ref.js';
import { sliceRange } from '../../../kernels/shape-ops/slice.ref.js';
import { toNumbers } from '../../../kernels/tensor.js';
import { attrInt, attrInts } from '../../model/attributes.js';
import { inputName, type LowerContext, type Lowering } from './lowering.js';

const isInt64 = (lc: LowerContext, i: number) => {
  const name = inputName(lc, i);
  return name !== '' && lc.shape(name).dtype === 'int64';
};
const dimsOf = (lc: LowerContext, i: number) => lc.shape(inputName(lc, i)).dims;
const words = (dims: readonly number[]) => [...dims, 2];

function constInts(lc: LowerContext, i: number): number[] | undefined {
  const name = inputName(lc, i);
  const t = name ? lc.constant(name) : undefined;
  return t ? toNumbers(t) : undefined;
}

/** The input buffers, or undefined when one is host-only (int64 a CPU node made). */
function inputsOf(lc: LowerContext, indices: readonly number[]): GPUBuffer[] | undefined {
  try {
    return indices.map((i) => lc.input(i));
  } catch {
    return undefined;
  }
}

/** Word copies: `specs[k]` from input `sources[k]` into output `outs[k]`. */
async function copyWords(lc: LowerContext, specs: readonly CopySpec[], sources: number[], outs: number[]) {
  const src = inputsOf(lc, sources);
  if (!src) return undefined;
  // Ask for each output's storage once (Concat's copies share one).
  const dst = new Map<number, GPUBuffer>();
  for (const o of outs) if (!dst.has(o)) dst.set(o, lc.output(o));
  const dispatches = [];
  for (let k = 0; k < specs.length; k++)
    dispatches.push(await prepareCopy(lc.gpu, src[k], dst.get(outs[k])!, specs[k]));
  return { dispatches };
}

/** The spec from `make`, undefined when it throws (the CPU op then reports the problem). */
function tryMake<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

const transpose: Lowering = async (lc) => {
  if (!isInt64(lc, 0)) return undefined;
  const dims = dimsOf(lc, 0);
  const given = attrInts(lc.node, 'perm');
  const perm = given?.length ? [...given] : dims.map((_, d) => dims.length - 1 - d);
  const r = tryMake(() => transposeCopy(words(dims), [...perm, dims.length]));
  return r && copyWords(lc, [r.spec], [0], [0]);
};

const concat: Lowering = async (lc) => {
  const n = lc.node.inputs.length;
  if (n === 0 || lc.node.inputs.some((_, i) => !isInt64(lc, i))) return undefined;
  const dims = lc.node.inputs.map((_, i) => dimsOf(lc, i));
  const r = tryMake(() =>
    concatCopies(dims.map(words), normalizeAxis(attrInt(lc.node, 'axis'), dims[0].length)),
  );
  const all = [...Array(n).keys()];
  return (
    r &&
    copyWords(
      lc,
      r.specs,
      all,
      all.map(() => 0),
    )
  );
};

const split: Lowering = async (lc) => {
  if (!isInt64(lc, 0) || lc.node.outputs.some((o) => !o)) return undefined;
  const dims = dimsOf(lc, 0);
  const axis = tryMake(() => normalizeAxis(attrInt(lc.node, 'axis'), dims.length));
  if (axis === undefined) return undefined;
  // The inferred output dims already resolve the split sizes in every opset form.
  const sizes = lc.node.outputs.map((o) => lc.shape(o).dims[axis]);
  const specs = splitCopies(words(dims), axis, sizes);
  return copyWords(
    lc,
    specs,
    specs.map(() => 0),
    specs.map((_, k) => k),
  );
};

const slice: Lowering = async (lc) => {
  if (!isInt64(lc, 0)) return undefined;
  const dims = dimsOf(lc, 0);
  let starts: number[] | undefined;
  let ends: number[] | undefined;
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (lc.opset >= 10) {
    starts = constInts(lc, 1);
    ends = constInts(lc, 2);
    axes = constInts(lc, 3);
    steps = constInts(lc, 4);
    if (!starts || !ends || (inputName(lc, 3) && !axes) || (inputName(lc, 4) && !steps)) return undefined;
  } else {
    const s = attrInts(lc.node, 'starts');
    const e = attrInts(lc.node, 'ends');
    const a = attrInts(lc.node, 'axes');
    if (!s || !e) return undefined;
    [starts, ends, axes] = [[...s], [...e], a?.length ? [...a] : undefined];
  }
  const st = starts;
  const en = ends;
  const rangeStart = dims.map(() => 0);
  const rangeStep = dims.map(() => 1);
  const outDims = [...dims];
  const ok = tryMake(() => {
    (axes ?? st.map((_, i) => i)).forEach((a, i) => {
      const axis = normalizeAxis(a, dims.length);
      const r = sliceRange(dims[axis], st[i], en[i], steps ? steps[i] : 1);
      rangeStart[axis] = r.start;
      rangeStep[axis] = r.step;
      outDims[axis] = r.count;
    });
    return true;
  });
  if (!ok) return undefined;
  const spec = sliceCopy(words(dims), words(outDims), [...rangeStart, 0], [...rangeStep, 1]);
  return copyWords(lc, [spec], [0], [0]);
};

/** Expand / Tile with constant shape / repeats: one strided word copy over the output. */
function stridedDomain(kind: 'expand' | 'tile'): Lowering {
  return async (lc) => {
    if (!isInt64(lc, 0)) return undefined;
    const v = constInts(lc, 1);
    if (!v) return undefined;
    const dims = words(dimsOf(lc, 0));
    const domain = tryMake(() =>
      kind === 'expand' ? expandDomain(dims, [...v, 2]) : tileDomain(dims, [...v, 1]),
    );
    return domain && copyWords(lc, [stridedDomainCopy(domain)], [0], [0]);
  };
}

export const int64MoveLowerings: Readonly<Record<string, Lowering>> = {
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Expand: stridedDomain('expand'),
  Tile: stridedDomain('tile'),
};

// Lowerings of the data-movement ops: shape-only ops are views of their input's buffer; the rest
// are strided copies (kernels/shape-ops/copy.ts) whose parameters must be known at plan time.
import { normalizeAxis } from '../../../kernels/shape-ops/axes.js';
import {
  type CopySpec,
  concatCopies,
  gatherCopy,
  padCopy,
  prepareCopy,
  sliceCopy,
  splitCopies,
  stridedDomainCopy,
  transposeCopy,
} from '../../../kernels/shape-ops/copy.js';
import { expandDomain, tileDomain } from '../../../kernels/shape-ops/expand-tile.ref.js';
import { sliceRange } from '../../../kernels/shape-ops/slice.ref.js';
import { toNumbers } from '../../../kernels/tensor.js';
import { attrInt, attrInts, attrString } from '../../model/attributes.js';
import { gatherAtRunTime } from './lower-gather.js';
import { gpuElementBytes, gpuStorageBytes } from './gpu-storage.js';
import { inputName, type LowerContext, type Lowering } from './lowering.js';

/** Element size of input i on the GPU (0: not on the GPU). */
function bytesOf(lc: LowerContext, i: number): 0 | 1 | 4 {
  const name = inputName(lc, i);
  const dtype = name ? lc.shape(name).dtype : undefined;
  return dtype ? gpuElementBytes(dtype) : 0;
}

const view: Lowering = async (lc) => {
  // int64 too: a view of int64 on the GPU (input_ids reshaped before the embedding Gather) stays
  // there; int64 a CPU node made is host-only, and the planner then runs the view on the CPU.
  const name = inputName(lc, 0);
  if (!name || gpuStorageBytes(lc.shape(name).dtype) === 0) return undefined;
  // Dropout's mask output is not a view; when something reads it, leave the node to the CPU.
  if (lc.node.outputs.slice(1).some((o) => o && lc.isUsed(o))) return undefined;
  return 'view';
};

/** Constant integer input i, or undefined when omitted / not constant. */
function constInts(lc: LowerContext, i: number): number[] | undefined {
  const name = inputName(lc, i);
  const t = name ? lc.constant(name) : undefined;
  return t ? toNumbers(t) : undefined;
}

async function copies(
  lc: LowerContext,
  outputs: readonly { spec: CopySpec; out: number }[],
  sources?: number[],
) {
  const bytes = bytesOf(lc, 0) === 1;
  const dispatches = [];
  for (const [k, c] of outputs.entries()) {
    dispatches.push(await prepareCopy(lc.gpu, lc.input(sources?.[k] ?? 0), lc.output(c.out), c.spec, bytes));
  }
  return { dispatches };
}

const transpose: Lowering = async (lc) => {
  if (bytesOf(lc, 0) === 0) return undefined;
  const perm = attrInts(lc.node, 'perm');
  const { spec } = transposeCopy(lc.shape(inputName(lc, 0)).dims, perm?.length ? perm : undefined);
  return copies(lc, [{ spec, out: 0 }]);
};

const concat: Lowering = async (lc) => {
  const n = lc.node.inputs.length;
  // 8-bit copies must own whole destination words: a concat of bytes stays on the CPU.
  if ([...Array(n).keys()].some((i) => bytesOf(lc, i) !== 4)) return undefined;
  const dims = lc.node.inputs.map((name) => lc.shape(name).dims);
  const axis = normalizeAxis(attrInt(lc.node, 'axis'), dims[0].length);
  const { specs } = concatCopies(dims, axis);
  const out = lc.output(0);
  const dispatches = [];
  for (let i = 0; i < n; i++) dispatches.push(await prepareCopy(lc.gpu, lc.input(i), out, specs[i]));
  return { dispatches };
};

const split: Lowering = async (lc) => {
  if (bytesOf(lc, 0) === 0) return undefined;
  const dims = lc.shape(inputName(lc, 0)).dims;
  const axis = normalizeAxis(attrInt(lc.node, 'axis'), dims.length);
  // The inferred output dims already resolve the split sizes in every opset form.
  const sizes = lc.node.outputs.map((o) => (o ? lc.shape(o).dims[axis] : 0));
  if (lc.node.outputs.some((o) => !o)) return undefined;
  const specs = splitCopies(dims, axis, sizes);
  return copies(
    lc,
    specs.map((spec, out) => ({ spec, out })),
  );
};

const slice: Lowering = async (lc) => {
  if (bytesOf(lc, 0) === 0) return undefined;
  const dims = lc.shape(inputName(lc, 0)).dims;
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
    starts = attrInts(lc.node, 'starts') as number[] | undefined;
    ends = attrInts(lc.node, 'ends') as number[] | undefined;
    const a = attrInts(lc.node, 'axes');
    axes = a?.length ? [...a] : undefined;
    if (!starts || !ends) return undefined;
  }
  const rangeStart = dims.map(() => 0);
  const rangeStep = dims.map(() => 1);
  const outDims = [...dims];
  (axes ?? starts.map((_, i) => i)).forEach((a, i) => {
    const axis = normalizeAxis(a, dims.length);
    const r = sliceRange(dims[axis], starts[i], ends![i], steps ? steps[i] : 1);
    rangeStart[axis] = r.start;
    rangeStep[axis] = r.step;
    outDims[axis] = r.count;
  });
  return copies(lc, [{ spec: sliceCopy(dims, outDims, rangeStart, rangeStep), out: 0 }]);
};

const gather: Lowering = async (lc) => {
  const indices = lc.constant(inputName(lc, 1));
  // Indices known only at run time, or int64 data (word pairs): lower-gather.ts.
  if (!indices || bytesOf(lc, 0) === 0) return gatherAtRunTime(lc);
  const dims = lc.shape(inputName(lc, 0)).dims;
  const axis = normalizeAxis(attrInt(lc.node, 'axis'), dims.length);
  const dim = dims[axis];
  const values = toNumbers(indices);
  if (values.some((v) => v < -dim || v >= dim)) return undefined; // the CPU op reports the error
  const { spec } = gatherCopy(
    dims,
    axis,
    values.map((v) => (v < 0 ? v + dim : v)),
    indices.dims,
  );
  return copies(lc, [{ spec, out: 0 }]);
};

const pad: Lowering = async (lc) => {
  if (bytesOf(lc, 0) !== 4 || lc.opset < 11) return undefined;
  const mode = attrString(lc.node, 'mode') as 'constant' | 'edge' | 'reflect' | 'wrap';
  const pads = constInts(lc, 1);
  if (!pads || inputName(lc, 3)) return undefined;
  const valueName = inputName(lc, 2);
  const value = valueName ? lc.constant(valueName) : undefined;
  if (valueName && !value) return undefined;
  const dims = lc.shape(inputName(lc, 0)).dims;
  if (pads.length !== 2 * dims.length) return undefined;
  const bits = value?.data.length ? new Uint32Array(value.data.slice(0, 1).buffer)[0] : 0;
  const { spec } = padCopy(dims, pads, mode, bits);
  return copies(lc, [{ spec, out: 0 }]);
};

/** Expand / Tile with constant shape / repeats: one strided copy over the output. */
function stridedDomain(kind: 'expand' | 'tile'): Lowering {
  return async (lc) => {
    if (bytesOf(lc, 0) === 0) return undefined;
    const v = constInts(lc, 1);
    if (!v) return undefined;
    const dims = lc.shape(inputName(lc, 0)).dims;
    const domain = kind === 'expand' ? expandDomain(dims, v) : tileDomain(dims, v);
    return copies(lc, [{ spec: stridedDomainCopy(domain), out: 0 }]);
  };
}

export const tensorLowerings: Readonly<Record<string, Lowering>> = {
  Expand: stridedDomain('expand'),
  Tile: stridedDomain('tile'),
  Reshape: view,
  Flatten: view,
  Squeeze: view,
  Unsqueeze: view,
  Identity: view,
  Dropout: view,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  Pad: pad,
};

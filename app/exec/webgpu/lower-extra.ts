// GPU lowerings of ops that used to run as CPU fallbacks inside a WebGPU run. Exact: ReduceMean
// (f32, onnxruntime's summation order, bit-exact with reduce-mean.ref.ts through reduce.ts), ArgMax
// / ArgMin (32-bit values into int64 indices kept as two words, gpu-storage.ts) and Hardmax
// (arg-reduce.wgsl), Mod (f32: fmod on the bit patterns, fmod.wgsl; int32 / uint32 / int64:
// int-mod.wgsl),
// IsNaN / IsInf (bit tests), EyeLike (made at plan time, copied in), OneHot (f32 / i32 / int64
// indices, depth known at plan time), GatherElements (constant indices: the reference's own index
// map; indices on the GPU: gather-elements.wgsl). Within a tolerance of the float64 references:
// LpNormalization, LRN, MeanVarianceNormalization (float-norms.ts). Kernels that meet an error they
// cannot refuse while running (an index out of range, a zero divisor) fail the run after it.
// Each reads its attributes as the CPU adapter does and declines (undefined: the CPU reference
// runs it) what its kernel does not take.
import { type ClassifyOp, prepareBroadcastMap } from '../../../kernels/broadcast-ops/broadcast-ops.js';
import { prepareIntMod } from '../../../kernels/broadcast-ops/int-mod.js';
import { argReduceGpuDtype, prepareArgReduce } from '../../../kernels/reduce/arg-reduce.js';
import { prepareReduceMean } from '../../../kernels/reduce/reduce.js';
import { eyeLikeRef } from '../../../kernels/misc/movement.ref.js';
import { prepareOneHot } from '../../../kernels/misc/one-hot.js';
import { prepareLpNorm, prepareLrn, prepareMvn } from '../../../kernels/normalization/float-norms.js';
import { indexMapOf, prepareGatherMap } from '../../../kernels/resize/gather-map.js';
import { gatherElementsRef } from '../../../kernels/shape-ops/gather.ref.js';
import { prepareGatherElements } from '../../../kernels/shape-ops/gather-elements.js';
import { normalizeAxis } from '../../../kernels/shape-ops/axes.js';
import { sizeOf, toNumbers } from '../../../kernels/tensor.js';
import { attrFloat, attrInt, attrInts } from '../../model/attributes.js';
import { modName } from '../cpu/ops/broadcast.js';
import { gpuElementBytes } from './gpu-storage.js';
import { failingRun } from './lower-gather.js';
import { inputName, isFloatInput, type LowerContext, type Lowering } from './lowering.js';

const dimsOf = (lc: LowerContext, i: number) => lc.shape(inputName(lc, i)).dims;

/** ReduceMean's axes as app/exec/cpu/ops/nn.ts reads them: an attribute, from opset 18 an input. */
const reduceMean: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0)) return undefined;
  let axes: readonly number[] | undefined;
  if (lc.opset >= 18) {
    const axesName = inputName(lc, 1);
    const axesConst = axesName ? lc.constant(axesName) : undefined;
    if (axesName && !axesConst) return undefined;
    axes = axesConst ? toNumbers(axesConst) : undefined;
  } else {
    const a = attrInts(lc.node, 'axes');
    axes = a?.length ? a : undefined;
  }
  const p = {
    axes,
    keepdims: attrInt(lc.node, 'keepdims') !== 0,
    noopWithEmptyAxes: lc.opset >= 18 && attrInt(lc.node, 'noop_with_empty_axes') !== 0,
  };
  // Empty inputs take the reference's float64 path: left to the CPU, checked before output storage.
  if (sizeOf(dimsOf(lc, 0)) === 0) return undefined;
  const d = await prepareReduceMean(lc.gpu, lc.input(0), lc.output(0), dimsOf(lc, 0), p);
  return d ? { dispatches: [d] } : undefined;
};

/** ArgMax / ArgMin as app/exec/cpu/ops/reduce.ts reads them (select_last_index from opset 12). */
function argReduce(kind: 'ArgMax' | 'ArgMin'): Lowering {
  return async (lc) => {
    const x = lc.shape(inputName(lc, 0));
    if (!argReduceGpuDtype(x.dtype) || x.dims.length === 0) return undefined;
    const axis = normalizeAxis(attrInt(lc.node, 'axis'), x.dims.length);
    const selectLast = lc.opset >= 12 && attrInt(lc.node, 'select_last_index') !== 0;
    // An empty axis or input: the CPU reference reports or returns it.
    if (sizeOf(x.dims) === 0) return undefined;
    const d = await prepareArgReduce(
      lc.gpu,
      lc.input(0),
      lc.output(0),
      kind,
      x.dtype,
      x.dims,
      axis,
      selectLast,
    );
    return d ? { dispatches: [d] } : undefined;
  };
}

/**
 * Mod as the CPU adapter picks it (fmod = 1; fmod = 0 on integers, and on floats from opset 28):
 * float32 through the broadcast map (fmod.wgsl), int32 / uint32 / int64 through int-mod.wgsl, whose zero
 * divisor fails the run after it as the CPU reference fails the node.
 */
const mod: Lowering = async (lc) => {
  const dtype = lc.shape(inputName(lc, 0)).dtype;
  if (!['float32', 'int32', 'uint32', 'int64'].includes(dtype) || lc.shape(inputName(lc, 1)).dtype !== dtype)
    return undefined;
  let op: ReturnType<typeof modName>;
  try {
    op = modName(lc.node, dtype, lc.opset);
  } catch {
    return undefined; // the CPU op reports the refusal in one line
  }
  const dims: [readonly number[], readonly number[]] = [dimsOf(lc, 0), dimsOf(lc, 1)];
  if (dtype === 'float32') {
    const r = await prepareBroadcastMap(lc.gpu, [lc.input(0), lc.input(1)], lc.output(0), { op, dims });
    return { dispatches: [r.dispatch] };
  }
  if (sizeOf(lc.shape(lc.node.outputs[0]).dims) === 0) return undefined;
  const m = await prepareIntMod(
    lc.gpu,
    lc.input(0),
    lc.input(1),
    lc.output(0),
    dims,
    dtype as 'int32' | 'uint32' | 'int64',
    op,
  );
  return failingRun(lc, m, async () => ((await m.divisionByZero()) ? 'integer division by zero' : undefined));
};

/** IsNaN, and IsInf with detect_negative / detect_positive (both off: all false, left to the CPU). */
const classify: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0)) return undefined;
  let op: ClassifyOp = 'IsNaN';
  if (lc.node.opType === 'IsInf') {
    const neg = attrInt(lc.node, 'detect_negative', 1) !== 0;
    const pos = attrInt(lc.node, 'detect_positive', 1) !== 0;
    if (!neg && !pos) return undefined;
    op = neg && pos ? 'IsInf' : pos ? 'IsPosInf' : 'IsNegInf';
  }
  const r = await prepareBroadcastMap(lc.gpu, [lc.input(0)], lc.output(0), { op, dims: [dimsOf(lc, 0)] });
  return { dispatches: [r.dispatch] };
};

/** Hardmax as app/exec/cpu/ops/misc.ts reads it: before opset 13 the input is coerced to 2-D at axis. */
const hardmax: Lowering = async (lc) => {
  const x = lc.shape(inputName(lc, 0));
  if (x.dtype !== 'float32' || x.dims.length === 0 || sizeOf(x.dims) === 0) return undefined;
  const legacy = lc.opset < 13;
  const rank = x.dims.length;
  const axis = attrInt(lc.node, 'axis', legacy ? 1 : -1);
  const a = legacy && axis === rank ? rank : normalizeAxis(axis, rank);
  const dims = legacy ? [sizeOf(x.dims.slice(0, a)), sizeOf(x.dims.slice(a))] : x.dims;
  const d = await prepareArgReduce(
    lc.gpu,
    lc.input(0),
    lc.output(0),
    'Hardmax',
    'float32',
    dims,
    legacy ? 1 : a,
    false,
  );
  return d ? { dispatches: [d] } : undefined;
};

/**
 * EyeLike: the reference's matrix for the input's dims and the output's dtype, uploaded at plan
 * time and copied into the output by an identity gather (the output is a fresh value each run).
 */
const eyeLike: Lowering = async (lc) => {
  const dims = dimsOf(lc, 0);
  const out = lc.shape(lc.node.outputs[0]);
  const bytes = gpuElementBytes(out.dtype);
  if (bytes === 0 || dims.length !== 2 || sizeOf(dims) === 0) return undefined;
  const eye = eyeLikeRef(dims, out.dtype, attrInt(lc.node, 'k', 0));
  const src = lc.upload(`${lc.node.name}.eye`, eye);
  const map = Int32Array.from({ length: sizeOf(dims) }, (_, i) => i);
  return { dispatches: [await prepareGatherMap(lc.gpu, src, lc.output(0), map, bytes)] };
};

/** OneHot: depth must be known when planning (a constant, or a run's value the plan is made with). */
const oneHot: Lowering = async (lc) => {
  const indices = lc.shape(inputName(lc, 0));
  const depth = lc.constant(inputName(lc, 1));
  const values = lc.shape(inputName(lc, 2));
  if (indices.dtype !== 'float32' && indices.dtype !== 'int32' && indices.dtype !== 'int64') return undefined;
  if (depth?.data.length !== 1 || gpuElementBytes(values.dtype) !== 4) return undefined;
  if (sizeOf(values.dims) !== 2) return undefined; // the CPU reference reports it
  const d = await prepareOneHot(
    lc.gpu,
    lc.input(0),
    lc.input(2),
    lc.output(0),
    indices.dims,
    indices.dtype,
    toNumbers(depth)[0],
    attrInt(lc.node, 'axis', -1),
  );
  return d ? { dispatches: [d] } : undefined;
};

/** LpNormalization, p = 1 or 2 (other p: the CPU op refuses it). */
const lpNorm: Lowering = async (lc) => {
  const p = attrInt(lc.node, 'p');
  if (!isFloatInput(lc, 0) || (p !== 1 && p !== 2) || dimsOf(lc, 0).length === 0) return undefined;
  const d = await prepareLpNorm(
    lc.gpu,
    lc.input(0),
    lc.output(0),
    dimsOf(lc, 0),
    attrInt(lc.node, 'axis'),
    p,
  );
  return d ? { dispatches: [d] } : undefined;
};

const lrn: Lowering = async (lc) => {
  const size = attrInt(lc.node, 'size');
  if (!isFloatInput(lc, 0) || !Number.isInteger(size) || size < 1 || sizeOf(dimsOf(lc, 0)) === 0)
    return undefined;
  const d = await prepareLrn(lc.gpu, lc.input(0), lc.output(0), dimsOf(lc, 0), {
    size,
    alpha: attrFloat(lc.node, 'alpha'),
    beta: attrFloat(lc.node, 'beta'),
    bias: attrFloat(lc.node, 'bias'),
  });
  return d ? { dispatches: [d] } : undefined;
};

const mvn: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0) || sizeOf(dimsOf(lc, 0)) === 0) return undefined;
  const axes = attrInts(lc.node, 'axes') ?? [0, 2, 3];
  const d = await prepareMvn(lc.gpu, lc.input(0), lc.output(0), dimsOf(lc, 0), axes);
  return d ? { dispatches: [d] } : undefined;
};

/**
 * GatherElements with constant indices over any 8- or 32-bit data: the reference run at plan time
 * on the data's element indices gives each output's source, so the GPU copies the same elements
 * (negative indices resolved there; an out-of-range index makes the reference throw: the CPU op
 * then reports it).
 */
const gatherElements: Lowering = async (lc) => {
  const data = lc.shape(inputName(lc, 0));
  const indices = lc.constant(inputName(lc, 1));
  const bytes = gpuElementBytes(data.dtype);
  const axis = attrInt(lc.node, 'axis', 0);
  if (bytes === 0 || sizeOf(dimsOf(lc, 1)) === 0) return undefined;
  if (!indices) return gatherElementsAtRunTime(lc, bytes, axis);
  let map: Int32Array | undefined;
  try {
    map = indexMapOf(data.dims, (ids) => gatherElementsRef(ids, indices, axis));
  } catch {
    return undefined;
  }
  if (!map) return undefined;
  return { dispatches: [await prepareGatherMap(lc.gpu, lc.input(0), lc.output(0), map, bytes)] };
};

/**
 * GatherElements with int32 / int64 indices on the GPU (fed, or computed by a GPU kernel; indices a
 * CPU node made are not on the GPU, and the node then falls back). An out-of-range index fails the
 * run after it, as the CPU reference fails the node.
 */
async function gatherElementsAtRunTime(lc: LowerContext, bytes: 1 | 4, axis: number) {
  const data = lc.shape(inputName(lc, 0));
  const indices = lc.shape(inputName(lc, 1));
  if (indices.dtype !== 'int32' && indices.dtype !== 'int64') return undefined;
  if (indices.dims.length !== data.dims.length || data.dims.length === 0) return undefined;
  const g = await prepareGatherElements(
    lc.gpu,
    lc.input(0),
    lc.input(1),
    lc.output(0),
    data.dims,
    indices.dims,
    axis,
    indices.dtype === 'int64',
    bytes,
  );
  const dim = data.dims[normalizeAxis(axis, data.dims.length)];
  return failingRun(lc, g, async () =>
    (await g.outOfRange()) ? `an index is out of range for dimension ${dim}` : undefined,
  );
}

export const extraLowerings: Readonly<Record<string, Lowering>> = {
  ReduceMean: reduceMean,
  ArgMax: argReduce('ArgMax'),
  ArgMin: argReduce('ArgMin'),
  Mod: mod,
  IsNaN: classify,
  IsInf: classify,
  Hardmax: hardmax,
  EyeLike: eyeLike,
  OneHot: oneHot,
  LpNormalization: lpNorm,
  LRN: lrn,
  MeanVarianceNormalization: mvn,
  GatherElements: gatherElements,
};

// Integer element-wise ops on WebGPU (kernels/int-elementwise/int-map.ts): comparisons, Add / Sub /
// Mul / Div / Max / Min (any arity) / Neg / Abs / Sign, Clip with bounds computed at run time, Where
// over int64, Trilu of int64 / 8-bit data or with k fed at run time, integer CumSum, and (through
// lower-int64-move.ts) int64 data movement. Each op also has an earlier family (float32, bool
// logic, 32-bit copies, constant Clip bounds), which gpu-plan.ts's mergeLowerings tries first: this
// one takes only what that declines.
// int64 values on the GPU are word pairs (gpu-storage.ts); one a CPU node made is host-only and the
// node then stays a CPU fallback.
import { broadcastShapes } from '../../../kernels/broadcast/broadcast.js';
import { prepareCumSum64 } from '../../../kernels/int-elementwise/cumsum64.js';
import {
  ARITH_OPS,
  COMPARE_OPS,
  type IntMapDType,
  type IntMapOp,
  prepareIntMap,
  UNARY_INT_OPS,
} from '../../../kernels/int-elementwise/int-map.js';
import { prepareCumulative } from '../../../kernels/misc/misc.js';
import { normalizeAxis } from '../../../kernels/shape-ops/axes.js';
import { allocData, makeTensor, sizeOf, toNumbers } from '../../../kernels/tensor.js';
import { attrInt } from '../../model/attributes.js';
import { legacyB } from '../../model/shapes/elementwise.js';
import { gpuStorageBytes } from './gpu-storage.js';
import { failingRun } from './lower-gather.js';
import { int64MoveLowerings } from './lower-int64-move.js';
import { firstOf, inputName, type LowerContext, type Lowering } from './lowering.js';

const INT_DTYPES: readonly string[] = ['int32', 'uint32', 'int8', 'uint8', 'int64'];

/** The GPU buffers of the given inputs; undefined when one is host-only (int64 a CPU node made). */
function gpuInputs(lc: LowerContext, indices: readonly number[]): GPUBuffer[] | undefined {
  try {
    return indices.map((i) => lc.input(i));
  } catch {
    return undefined;
  }
}

/** The shared dtype of inputs `indices` when every one is present and it is in `allowed`. */
function commonDtype(lc: LowerContext, indices: readonly number[], allowed: readonly string[]) {
  const names = indices.map((i) => inputName(lc, i));
  if (names.some((n) => !n)) return undefined;
  const dtype = lc.shape(names[0]).dtype;
  if (!allowed.includes(dtype) || names.some((n) => lc.shape(n).dtype !== dtype)) return undefined;
  return dtype as IntMapDType;
}

/** An op on inputs 0..arity-1 of one integer dtype, broadcast (Div: fails the run on a zero divisor). */
function intMap(op: IntMapOp, arity: number, allowed: readonly string[], minOpset: number): Lowering {
  return async (lc) => {
    if (lc.opset < minOpset || lc.node.inputs.filter((n) => n).length !== arity) return undefined;
    const indices = Array.from({ length: arity }, (_, i) => i);
    const dtype = commonDtype(lc, indices, allowed);
    if (!dtype) return undefined;
    const buffers = gpuInputs(lc, indices);
    if (!buffers) return undefined;
    const dims = indices.map((i) => lc.shape(inputName(lc, i)).dims);
    // Add / Sub / Mul / Div before opset 7: B placed by the legacy broadcast / axis attributes.
    if (arity === 2 && lc.opset < 7) dims[1] = legacyB(lc.node, dims[0], dims[1]);
    const m = await prepareIntMap(lc.gpu, buffers, lc.output(0), { op, dtype, dims });
    if (m.divisionByZero && m.record && m.destroy) {
      const raised = m.divisionByZero;
      return failingRun(lc, { record: m.record, destroy: m.destroy }, async () =>
        (await raised()) ? 'integer division by zero' : undefined,
      );
    }
    return { dispatches: [m.dispatch] };
  };
}

/**
 * Clip (opset 11+) whose bounds are not both constants, or whose data is an integer: the bounds are
 * scalars (element 0, as the CPU adapter reads them), '' meaning no bound.
 */
const clip: Lowering = async (lc) => {
  if (lc.opset < 11) return undefined;
  const dtype = commonDtype(lc, [0], [...INT_DTYPES, 'float32']);
  if (!dtype) return undefined;
  const present = [1, 2].filter((i) => inputName(lc, i));
  for (const i of present) {
    const s = lc.shape(inputName(lc, i));
    if (s.dtype !== dtype || sizeOf(s.dims) === 0) return undefined;
  }
  const buffers = gpuInputs(lc, [0, ...present]);
  if (!buffers) return undefined;
  const slots: (GPUBuffer | undefined)[] = [buffers[0], undefined, undefined];
  const dims: (readonly number[] | undefined)[] = [lc.shape(inputName(lc, 0)).dims, undefined, undefined];
  present.forEach((i, k) => {
    slots[i] = buffers[k + 1];
    dims[i] = [];
  });
  const m = await prepareIntMap(lc.gpu, slots, lc.output(0), { op: 'Clip', dtype, dims });
  return { dispatches: [m.dispatch] };
};

/** Where over int64 X / Y (word pairs; 32- and 8-bit values: lower-table.ts). */
const whereInt64: Lowering = async (lc) => {
  if (commonDtype(lc, [0], ['bool']) === undefined || commonDtype(lc, [1, 2], ['int64']) === undefined)
    return undefined;
  const buffers = gpuInputs(lc, [0, 1, 2]);
  if (!buffers) return undefined;
  const dims = [0, 1, 2].map((i) => lc.shape(inputName(lc, i)).dims);
  const m = await prepareIntMap(lc.gpu, buffers, lc.output(0), { op: 'Where', dtype: 'int64', dims });
  return { dispatches: [m.dispatch] };
};

/**
 * Trilu of int64 or 8-bit data (32-bit with a constant k: lower-misc.ts), or of any GPU dtype with
 * k fed at run time: Where(mask, x, 0). The rows x cols mask is made on the host as triluRef decides
 * (upper: col - row >= k, else <= k) when k is a constant, else on the GPU by comparing a host table
 * of col - row (int64) with k.
 */
const triluMasked: Lowering = async (lc) => {
  const x = lc.shape(inputName(lc, 0));
  // An empty matrix has nothing to mask: the output is the input's (empty) storage.
  if (x.dims.length >= 2 && sizeOf(x.dims) === 0 && gpuStorageBytes(x.dtype) > 0) return 'view';
  const kName = inputName(lc, 1);
  const kConst = kName ? lc.constant(kName) : undefined;
  const allowed = kName && !kConst ? [...INT_DTYPES, 'bool', 'float32'] : ['int64', 'int8', 'uint8', 'bool'];
  const dtype = commonDtype(lc, [0], allowed);
  if (!dtype) return undefined;
  if (kName && !kConst && lc.shape(kName).dtype !== 'int64') return undefined;
  const dims = lc.shape(inputName(lc, 0)).dims;
  if (dims.length < 2 || sizeOf(dims) === 0) return undefined;
  const buffers = gpuInputs(lc, kName && !kConst ? [0, 1] : [0]);
  if (!buffers) return undefined;
  const [rows, cols] = dims.slice(-2);
  const upper = attrInt(lc.node, 'upper', 1) !== 0;
  const diff = (i: number) => (i % cols) - Math.floor(i / cols);
  const dispatches = [];
  let maskBuf: GPUBuffer;
  if (kName && !kConst) {
    const d = new BigInt64Array(rows * cols).map((_, i) => BigInt(diff(i)));
    const dBuf = lc.upload(`${lc.node.name}.diff`, { dtype: 'int64', dims: [rows, cols], data: d });
    maskBuf = lc.upload(`${lc.node.name}.mask`, makeTensor('bool', [rows, cols]));
    const cmp = await prepareIntMap(lc.gpu, [dBuf, buffers[1]], maskBuf, {
      op: upper ? 'GreaterOrEqual' : 'LessOrEqual',
      dtype: 'int64',
      dims: [[rows, cols], []],
    });
    dispatches.push(cmp.dispatch);
  } else {
    const k = kConst?.data.length ? toNumbers(kConst)[0] : 0;
    const mask = Array.from({ length: rows * cols }, (_, i) =>
      (upper ? diff(i) >= k : diff(i) <= k) ? 1 : 0,
    );
    maskBuf = lc.upload(`${lc.node.name}.mask`, makeTensor('bool', [rows, cols], mask));
  }
  const zero = lc.upload(`${lc.node.name}.zero`, { dtype, dims: [], data: allocData(dtype, 1) });
  const m = await prepareIntMap(lc.gpu, [maskBuf, buffers[0], zero], lc.output(0), {
    op: 'Where',
    dtype,
    dims: [[rows, cols], dims, []],
  });
  dispatches.push(m.dispatch);
  return { dispatches };
};

/**
 * CumSum of int32 / uint32 (cumulative.wgsl in i32: the same wrapping bits) or int64 (word pairs,
 * cumsum64.wgsl) with a constant axis; float32: lower-misc.ts.
 */
const cumSumInt: Lowering = async (lc) => {
  const dtype = commonDtype(lc, [0], ['int32', 'uint32', 'int64']);
  const axisConst = lc.constant(inputName(lc, 1));
  if (!dtype || !axisConst?.data.length) return undefined;
  const dims = lc.shape(inputName(lc, 0)).dims;
  if (dims.length === 0 || sizeOf(dims) === 0) return undefined;
  const axis = toNumbers(axisConst)[0];
  if (axis < -dims.length || axis >= dims.length) return undefined;
  const buffers = gpuInputs(lc, [0]);
  if (!buffers) return undefined;
  const a = normalizeAxis(axis, dims.length);
  const o = {
    exclusive: attrInt(lc.node, 'exclusive', 0) !== 0,
    reverse: attrInt(lc.node, 'reverse', 0) !== 0,
  };
  const dispatch =
    dtype === 'int64'
      ? await prepareCumSum64(lc.gpu, buffers[0], lc.output(0), dims, a, o)
      : await prepareCumulative(lc.gpu, buffers[0], lc.output(0), dims, a, {
          ...o,
          product: false,
          type: 'i32',
        });
  return { dispatches: [dispatch] };
};

/**
 * Max / Min of 1 or 3+ integer inputs (2: intMap): a left fold of two-input maps through scratch
 * values owned by the node, as the reference folds (exact for integers in any order); 1 input: a view.
 */
function variadicInt(op: 'Max' | 'Min'): Lowering {
  return async (lc) => {
    const n = lc.node.inputs.length;
    if (lc.opset < 8 || n === 2 || lc.node.inputs.some((name) => !name)) return undefined;
    const indices = [...Array(n).keys()];
    const dtype = commonDtype(lc, indices, INT_DTYPES);
    if (!dtype) return undefined;
    const buffers = gpuInputs(lc, indices);
    if (!buffers) return undefined;
    if (n === 1) return 'view';
    const dims = indices.map((i) => lc.shape(inputName(lc, i)).dims);
    const dispatches = [];
    let acc = buffers[0];
    let accDims: readonly number[] = dims[0];
    for (let k = 1; k < n; k++) {
      const stepDims = broadcastShapes(accDims, dims[k]);
      const dst =
        k === n - 1
          ? lc.output(0)
          : lc.upload(`${lc.node.name}.step${k}`, {
              dtype,
              dims: stepDims,
              data: allocData(dtype, sizeOf(stepDims)),
            });
      const m = await prepareIntMap(lc.gpu, [acc, buffers[k]], dst, { op, dtype, dims: [accDims, dims[k]] });
      dispatches.push(m.dispatch);
      acc = dst;
      accDims = stepDims;
    }
    return { dispatches };
  };
}

export const intLowerings: Readonly<Record<string, Lowering>> = {
  ...int64MoveLowerings,
  ...Object.fromEntries(
    COMPARE_OPS.map((op) => [op, intMap(op, 2, op === 'Equal' ? [...INT_DTYPES, 'bool'] : INT_DTYPES, 7)]),
  ),
  // Add / Sub / Mul / Div: legacy broadcasting before opset 7 (Max / Min below).
  ...Object.fromEntries(
    ARITH_OPS.filter((op) => op !== 'Max' && op !== 'Min').map((op) => [op, intMap(op, 2, INT_DTYPES, 1)]),
  ),
  ...Object.fromEntries(UNARY_INT_OPS.map((op) => [op, intMap(op, 1, INT_DTYPES, 6)])),
  Clip: clip,
  Where: whereInt64,
  Trilu: triluMasked,
  CumSum: cumSumInt,
  // Max / Min take integers from opset 8 (12 in the schema): 2 inputs one map, else a fold.
  Max: firstOf(intMap('Max', 2, INT_DTYPES, 8), variadicInt('Max')),
  Min: firstOf(intMap('Min', 2, INT_DTYPES, 8), variadicInt('Min')),
};

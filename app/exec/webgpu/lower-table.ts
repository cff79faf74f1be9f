// Lowerings of the table ops (kernels/unary, kernels/broadcast-ops): float32 tensors run the op's
// WGSL (bool for the logic ops and comparison outputs; Where over any 32-bit or 8-bit values);
// other dtypes (integer Neg/Abs/Sign/Max/Min/PRelu, Mod) stay on the CPU reference (f32 Mod: lower-extra.ts). Attributes are
// read as the CPU adapters do.
import { type ElementKind, prepareBroadcastMap } from '../../../kernels/broadcast-ops/broadcast-ops.js';
import { type BroadcastName, preluLegacySlope } from '../../../kernels/broadcast-ops/broadcast-ops.ref.js';
import { prepareBinary, prepareUnary } from '../../../kernels/elementwise/elementwise.js';
import type { PreparedDispatch } from '../../../kernels/gpu-float/float-dispatch.js';
import { prepareReduce } from '../../../kernels/reduce/reduce.js';
import { REDUCE_OPS, type ReduceName } from '../../../kernels/reduce/reduce.ref.js';
import { makeTensor, sizeOf, toNumbers } from '../../../kernels/tensor.js';
import { prepareUnaryTable } from '../../../kernels/unary/unary.js';
import { UNARY_OPS } from '../../../kernels/unary/unary.ref.js';
import { reduceParams } from '../cpu/ops/reduce.js';
import { unaryCall } from '../cpu/ops/unary.js';
import { gpuElementBytes } from './gpu-storage.js';
import { inputName, isFloatInput, type LowerContext, type Lowering } from './lowering.js';

const unaryTable: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0)) return undefined;
  const { name, a, b } = unaryCall(lc.node);
  const count = sizeOf(lc.shape(inputName(lc, 0)).dims);
  return {
    dispatches: [await prepareUnaryTable(lc.gpu, lc.input(0), lc.output(0), { op: name, count, a, b })],
  };
};

const dimsOf = (lc: LowerContext, i: number) => lc.shape(inputName(lc, i)).dims;
const dtypeOf = (lc: LowerContext, i: number) => lc.shape(inputName(lc, i)).dtype;
const allInputs = (lc: LowerContext) => lc.node.inputs.map((_, i) => i);

/** A two-input table op: f32 inputs for numeric ops and comparisons, bool for logic. */
function binaryTable(op: BroadcastName, inputType: 'float32' | 'bool'): Lowering {
  return async (lc) => {
    if (![0, 1].every((i) => inputName(lc, i) && dtypeOf(lc, i) === inputType)) return undefined;
    const r = await prepareBroadcastMap(lc.gpu, [lc.input(0), lc.input(1)], lc.output(0), {
      op,
      dims: [dimsOf(lc, 0), dimsOf(lc, 1)],
    });
    return { dispatches: [r.dispatch] };
  };
}

const prelu: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0) || !isFloatInput(lc, 1)) return undefined;
  const xDims = dimsOf(lc, 0);
  const slope = { dtype: 'float32' as const, dims: dimsOf(lc, 1), data: new Float32Array(0) };
  const slopeDims = lc.opset < 7 ? preluLegacySlope(xDims, slope).dims : slope.dims;
  const r = await prepareBroadcastMap(lc.gpu, [lc.input(0), lc.input(1)], lc.output(0), {
    op: 'PRelu',
    dims: [xDims, slopeDims],
  });
  return { dispatches: [r.dispatch] };
};

/**
 * Max / Min / Mean / Sum of N float32 inputs: a left fold of two-input dispatches through scratch
 * buffers owned by the node (Mean and Sum: f32 Adds, Mean then a division by N), as the
 * references fold (sumRef: Add after Add, so Sum is bit-exact).
 */
function variadic(op: 'Max' | 'Min' | 'Mean' | 'Sum'): Lowering {
  return async (lc) => {
    const ins = allInputs(lc).filter((i) => inputName(lc, i));
    if (!ins.every((i) => isFloatInput(lc, i))) return undefined;
    const out = lc.output(0);
    const dispatches: PreparedDispatch[] = [];
    if (ins.length === 1) {
      const count = sizeOf(dimsOf(lc, ins[0]));
      dispatches.push(await prepareUnary(lc.gpu, lc.input(ins[0]), out, { op: 'Identity', count }));
      return { dispatches };
    }
    let acc = lc.input(ins[0]);
    let accDims: readonly number[] = dimsOf(lc, ins[0]);
    const steps = ins.length - 1 + (op === 'Mean' ? 1 : 0);
    for (let k = 1; k < ins.length; k++) {
      const last = k === steps;
      const b = lc.input(ins[k]);
      const bDims = dimsOf(lc, ins[k]);
      const target = (dims: readonly number[]) =>
        last ? out : lc.upload(`${lc.node.name}.step${k}`, makeTensor('float32', dims));
      if (op === 'Mean' || op === 'Sum') {
        const dims = broadcastDims(accDims, bDims);
        const dst = target(dims);
        dispatches.push(
          (await prepareBinary(lc.gpu, acc, b, dst, { op: 'Add', aDims: accDims, bDims })).dispatch,
        );
        acc = dst;
        accDims = dims;
      } else {
        const dims = broadcastDims(accDims, bDims);
        const dst = target(dims);
        dispatches.push(
          (await prepareBroadcastMap(lc.gpu, [acc, b], dst, { op, dims: [accDims, bDims] })).dispatch,
        );
        acc = dst;
        accDims = dims;
      }
    }
    if (op === 'Mean') {
      const n = lc.upload(`${lc.node.name}.count`, makeTensor('float32', [1], [ins.length]));
      dispatches.push(
        (await prepareBinary(lc.gpu, acc, n, out, { op: 'Div', aDims: accDims, bDims: [1] })).dispatch,
      );
    }
    return { dispatches };
  };
}

function broadcastDims(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, k) => {
    const x = a[a.length - rank + k] ?? 1;
    const y = b[b.length - rank + k] ?? 1;
    return x === 1 ? y : x;
  });
}

const not: Lowering = async (lc) => {
  if (dtypeOf(lc, 0) !== 'bool') return undefined;
  const r = await prepareBroadcastMap(lc.gpu, [lc.input(0)], lc.output(0), {
    op: 'Not',
    dims: [dimsOf(lc, 0)],
  });
  return { dispatches: [r.dispatch] };
};

/** Where copies the chosen element's bits: any dtype the GPU holds (32-bit words or bytes). */
const where: Lowering = async (lc) => {
  if (dtypeOf(lc, 0) !== 'bool') return undefined;
  const bytes = gpuElementBytes(dtypeOf(lc, 1));
  if (bytes === 0 || dtypeOf(lc, 2) !== dtypeOf(lc, 1)) return undefined;
  const valueKind: ElementKind = bytes === 1 ? 'byte' : 'word';
  const r = await prepareBroadcastMap(lc.gpu, [lc.input(0), lc.input(1), lc.input(2)], lc.output(0), {
    op: 'Where',
    dims: [0, 1, 2].map((i) => dimsOf(lc, i)),
    valueKind,
  });
  return { dispatches: [r.dispatch] };
};

/** A table reduction of a float32 tensor; the axes (attribute or constant input) as the CPU reads them. */
function reduce(op: ReduceName): Lowering {
  return async (lc) => {
    if (!isFloatInput(lc, 0)) return undefined;
    const axesName = inputName(lc, 1);
    const axesConst = axesName ? lc.constant(axesName) : undefined;
    if (axesName && !axesConst) return undefined;
    const p = reduceParams(op, lc.opset, lc.node, () =>
      axesConst?.data.length ? toNumbers(axesConst) : undefined,
    );
    // Empty inputs (reductions of empty sets) stay on the CPU; checked before asking for output storage.
    if (sizeOf(dimsOf(lc, 0)) === 0) return undefined;
    const d = await prepareReduce(lc.gpu, lc.input(0), lc.output(0), op, dimsOf(lc, 0), p);
    return d ? { dispatches: [d] } : undefined;
  };
}

export const tableLowerings: Readonly<Record<string, Lowering>> = {
  ...Object.fromEntries(REDUCE_OPS.map((op) => [op, reduce(op)])),
  ...Object.fromEntries(UNARY_OPS.map((op) => [op, unaryTable])),
  PRelu: prelu,
  Max: variadic('Max'),
  Min: variadic('Min'),
  Mean: variadic('Mean'),
  Sum: variadic('Sum'),
  ...Object.fromEntries(
    (['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual'] as const).map((op) => [
      op,
      binaryTable(op, 'float32'),
    ]),
  ),
  ...Object.fromEntries((['And', 'Or', 'Xor'] as const).map((op) => [op, binaryTable(op, 'bool')])),
  Not: not,
  Where: where,
};

// The reduction table (kernels/reduce/reduce.ref.ts), ArgMax / ArgMin and LogSoftmax on the CPU:
// `axes` is an attribute before the op's axesInputSince opset and an optional input from it, where
// noop_with_empty_axes also starts to count.
import {
  argReduceRef,
  REDUCE_OPS,
  REDUCE_TABLE,
  type ReduceName,
  reduceRef,
} from '../../../../kernels/reduce/reduce.ref.js';
import { logSoftmax } from '../../../../kernels/softmax/softmax.ref.js';
import { toNumbers } from '../../../../kernels/tensor.js';
import { attrInt, attrInts, hasAttr } from '../../../model/attributes.js';
import type { CpuOp, OpContext, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';

/** The axes, keepdims and noop flag of a reduction node (shared with the GPU lowering). */
export function reduceParams(
  name: ReduceName,
  opset: number,
  node: OpContext['node'],
  axesInput: () => readonly number[] | undefined,
) {
  const fromInput = opset >= REDUCE_TABLE[name].axesInputSince;
  const attr = attrInts(node, 'axes');
  return {
    axes: fromInput ? axesInput() : attr?.length ? attr : undefined,
    keepdims: attrInt(node, 'keepdims') !== 0,
    noopWithEmptyAxes: fromInput && attrInt(node, 'noop_with_empty_axes') !== 0,
  };
}

const reduce =
  (name: ReduceName): CpuOp =>
  (ctx) => {
    const p = reduceParams(name, ctx.opset, ctx.node, () => {
      const t = optional(ctx, 1);
      return t ? toNumbers(t) : undefined;
    });
    return [reduceRef(name, required(ctx, 0), p)];
  };

const arg =
  (kind: 'ArgMax' | 'ArgMin'): CpuOp =>
  (ctx) => [
    argReduceRef(
      kind,
      required(ctx, 0),
      attrInt(ctx.node, 'axis'),
      attrInt(ctx.node, 'keepdims') !== 0,
      ctx.opset >= 12 && attrInt(ctx.node, 'select_last_index') !== 0,
    ),
  ];

const logSoftmaxOp: CpuOp = (ctx) => {
  const legacy = ctx.opset < 13;
  const axis = hasAttr(ctx.node, 'axis') ? attrInt(ctx.node, 'axis') : legacy ? 1 : -1;
  return [logSoftmax(required(ctx, 0), axis, legacy)];
};

export const reduceOps: OpTable = {
  ...Object.fromEntries(REDUCE_OPS.map((name) => [opKey('', name), reduce(name)])),
  [opKey('', 'ArgMax')]: arg('ArgMax'),
  [opKey('', 'ArgMin')]: arg('ArgMin'),
  [opKey('', 'LogSoftmax')]: logSoftmaxOp,
};

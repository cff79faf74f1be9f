// Math ops: thin adapters over kernels/elementwise/elementwise.ref.ts.
import {
  type BinaryMathOp,
  binaryMathRef,
  sqrtRef,
  sumRef,
} from '../../../../kernels/elementwise/elementwise.ref.js';
import type { Tensor } from '../../../../kernels/tensor.js';
import type { CpuOp, OpTable } from '../op-types.js';
import { opKey, required } from '../op-types.js';

const binary =
  (op: BinaryMathOp): CpuOp =>
  (ctx) => [binaryMathRef(op, required(ctx, 0), required(ctx, 1))];

const sum: CpuOp = (ctx) => {
  const inputs = ctx.inputs.filter((t): t is Tensor => t !== undefined);
  return [sumRef(inputs)];
};

export const mathOps: OpTable = {
  [opKey('', 'Add')]: binary('Add'),
  [opKey('', 'Sub')]: binary('Sub'),
  [opKey('', 'Mul')]: binary('Mul'),
  [opKey('', 'Div')]: binary('Div'),
  [opKey('', 'Pow')]: binary('Pow'),
  [opKey('', 'Sum')]: sum,
  [opKey('', 'Sqrt')]: (ctx) => [sqrtRef(required(ctx, 0))],
};

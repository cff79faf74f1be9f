// Math ops: thin adapters over kernels/elementwise/elementwise.ref.ts.
import {
  type BinaryMathOp,
  binaryMathRef,
  sqrtRef,
  sumRef,
} from '../../../../kernels/elementwise/elementwise.ref.js';
import { withDims } from '../../../../kernels/shape-ops/reshape.ref.js';
import type { Tensor } from '../../../../kernels/tensor.js';
import { legacyB } from '../../../model/shapes/elementwise.js';
import type { CpuOp, OpTable } from '../op-types.js';
import { opKey, required } from '../op-types.js';

const binary =
  (op: BinaryMathOp): CpuOp =>
  (ctx) => {
    const a = required(ctx, 0);
    let b = required(ctx, 1);
    // Opset < 7: B placed by the broadcast/axis attributes, then numpy broadcasting.
    if (ctx.opset < 7) b = withDims(b, legacyB(ctx.node, a.dims, b.dims));
    return [binaryMathRef(op, a, b)];
  };

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

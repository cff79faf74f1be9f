// Lowerings of the table ops (kernels/unary): float32 tensors run the op's WGSL, other dtypes
// (integer Neg/Abs/Sign) stay on the CPU reference. Attributes are read as the CPU adapter does.
import { sizeOf } from '../../../kernels/tensor.js';
import { prepareUnaryTable } from '../../../kernels/unary/unary.js';
import { UNARY_OPS } from '../../../kernels/unary/unary.ref.js';
import { unaryCall } from '../cpu/ops/unary.js';
import { inputName, isFloatInput, type Lowering } from './lowering.js';

const unaryTable: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0)) return undefined;
  const { name, a, b } = unaryCall(lc.node);
  const count = sizeOf(lc.shape(inputName(lc, 0)).dims);
  return {
    dispatches: [await prepareUnaryTable(lc.gpu, lc.input(0), lc.output(0), { op: name, count, a, b })],
  };
};

export const tableLowerings: Readonly<Record<string, Lowering>> = Object.fromEntries(
  UNARY_OPS.map((op) => [op, unaryTable]),
);

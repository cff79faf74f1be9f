// Einsum, the window functions, Det and DFT on the CPU: adapters over kernels/einsum and
// kernels/signal.
import { einsumRef } from '../../../../kernels/einsum/einsum.ref.js';
import { castRef } from '../../../../kernels/shape-ops/cast.ref.js';
import { detRef, dftRef, type WindowKind, windowRef } from '../../../../kernels/signal/signal.ref.js';
import { isNarrowDType, type Tensor, toNumbers } from '../../../../kernels/tensor.js';
import { attrInt, attrString, hasAttr } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import { dtypeFromOnnx } from '../../../model/tensor-proto.js';
import type { CpuOp, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';

const scalar = (ctx: Parameters<CpuOp>[0], i: number, what: string): number => {
  const t = required(ctx, i);
  if (t.data.length !== 1)
    throw new ModelError(`node '${ctx.node.name}' (${ctx.node.opType}): ${what} must have one element`);
  return toNumbers(t)[0];
};

const windowOp =
  (kind: WindowKind): CpuOp =>
  (ctx) => {
    const code = attrInt(ctx.node, 'output_datatype');
    const dtype = dtypeFromOnnx(code);
    if (!dtype)
      throw new ModelError(
        `node '${ctx.node.name}' (${ctx.node.opType}): output_datatype ${code} is not supported`,
      );
    return [windowRef(kind, scalar(ctx, 0, 'size'), attrInt(ctx.node, 'periodic') !== 0, dtype)];
  };

export const signalOps: OpTable = {
  [opKey('', 'HannWindow')]: windowOp('hann'),
  [opKey('', 'HammingWindow')]: windowOp('hamming'),
  [opKey('', 'BlackmanWindow')]: windowOp('blackman'),
  [opKey('', 'Det')]: (ctx) => [detRef(required(ctx, 0))],
  [opKey('', 'DFT')]: (ctx) => {
    // Opset 20 moved axis from an attribute (default 1) to an optional input (default -2).
    const axis =
      ctx.opset >= 20 ? (optional(ctx, 2) ? scalar(ctx, 2, 'axis') : -2) : attrInt(ctx.node, 'axis');
    const length = optional(ctx, 1) ? scalar(ctx, 1, 'dft_length') : undefined;
    return [
      dftRef(
        required(ctx, 0),
        axis,
        length,
        attrInt(ctx.node, 'inverse') !== 0,
        attrInt(ctx.node, 'onesided') !== 0,
      ),
    ];
  },
  [opKey('', 'Einsum')]: (ctx) => {
    const inputs = ctx.inputs.filter((t): t is Tensor => t !== undefined);
    const equation = attrString(ctx.node, 'equation');
    if (inputs.some((t) => isNarrowDType(t.dtype))) {
      // bfloat16 (as ml_dtypes): computed in float32, the result rounded back.
      if (!inputs.every((t) => t.dtype === 'bfloat16'))
        throw new ModelError(
          `node '${ctx.node.name}' (Einsum): ${inputs.map((t) => t.dtype).join(', ')} inputs are not supported`,
        );
      return [
        castRef(
          einsumRef(
            equation,
            inputs.map((t) => castRef(t, 'float32')),
          ),
          'bfloat16',
        ),
      ];
    }
    return [einsumRef(equation, inputs)];
  },
};

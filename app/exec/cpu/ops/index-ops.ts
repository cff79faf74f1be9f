// Range, Trilu, CumSum / CumProd, OneHot, EyeLike, Hardmax, IsInf / IsNaN and TopK on the CPU:
// thin adapters over kernels/index-ops/index-ops.ref.ts.
import {
  cumulativeRef,
  eyeLikeRef,
  hardmaxRef,
  isInfNanRef,
  oneHotRef,
  rangeRef,
  topKRef,
  triluRef,
} from '../../../../kernels/index-ops/index-ops.ref.js';
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

const cumulative =
  (product: boolean): CpuOp =>
  (ctx) => [
    cumulativeRef(
      required(ctx, 0),
      scalar(ctx, 1, 'axis'),
      attrInt(ctx.node, 'exclusive') !== 0,
      attrInt(ctx.node, 'reverse') !== 0,
      product,
    ),
  ];

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

export const indexOps: OpTable = {
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
  [opKey('', 'Range')]: (ctx) => {
    // Opset 27's stash_type (float16/bfloat16 inputs): 1, the default, accumulates in float32
    // (the reference's float16 path); 0 would accumulate in float16.
    if (
      ctx.opset >= 27 &&
      ['float16', 'bfloat16'].includes(required(ctx, 0).dtype) &&
      attrInt(ctx.node, 'stash_type') === 0
    )
      throw new ModelError(
        `node '${ctx.node.name}' (Range): stash_type 0 (float16 accumulation) is not supported`,
      );
    return [rangeRef(required(ctx, 0), required(ctx, 1), required(ctx, 2))];
  },
  [opKey('', 'Trilu')]: (ctx) => {
    const k = optional(ctx, 1);
    return [triluRef(required(ctx, 0), k ? scalar(ctx, 1, 'k') : 0, attrInt(ctx.node, 'upper') !== 0)];
  },
  [opKey('', 'CumSum')]: cumulative(false),
  [opKey('', 'CumProd')]: cumulative(true),
  [opKey('', 'OneHot')]: (ctx) => [
    oneHotRef(required(ctx, 0), scalar(ctx, 1, 'depth'), required(ctx, 2), attrInt(ctx.node, 'axis')),
  ],
  [opKey('', 'EyeLike')]: (ctx) => {
    const x = required(ctx, 0);
    const code = hasAttr(ctx.node, 'dtype') ? attrInt(ctx.node, 'dtype') : undefined;
    const dtype = code === undefined ? x.dtype : dtypeFromOnnx(code);
    if (!dtype) throw new ModelError(`node '${ctx.node.name}' (EyeLike): dtype ${code} is not supported`);
    return [eyeLikeRef(x.dims, dtype, attrInt(ctx.node, 'k'))];
  },
  [opKey('', 'Hardmax')]: (ctx) => {
    const legacy = ctx.opset < 13;
    const axis = hasAttr(ctx.node, 'axis') ? attrInt(ctx.node, 'axis') : legacy ? 1 : -1;
    return [hardmaxRef(required(ctx, 0), axis, legacy)];
  },
  [opKey('', 'IsNaN')]: (ctx) => [isInfNanRef(required(ctx, 0), 'nan')],
  [opKey('', 'IsInf')]: (ctx) => [
    isInfNanRef(required(ctx, 0), {
      positive: attrInt(ctx.node, 'detect_positive') !== 0,
      negative: attrInt(ctx.node, 'detect_negative') !== 0,
    }),
  ],
  [opKey('', 'TopK')]: (ctx) => {
    // k is an attribute before opset 10 and a 1-element input after; largest/sorted from 11.
    const k = ctx.opset >= 10 ? scalar(ctx, 1, 'K') : attrInt(ctx.node, 'k');
    const largest = ctx.opset < 11 || attrInt(ctx.node, 'largest') !== 0;
    const r = topKRef(required(ctx, 0), k, attrInt(ctx.node, 'axis'), largest);
    return [r.values, r.indices];
  },
};

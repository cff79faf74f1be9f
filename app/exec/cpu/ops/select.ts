// Compress, NonZero, Unique, NonMaxSuppression, ReverseSequence and CenterCropPad on the CPU:
// adapters over kernels/select/*.ref.ts. The first four size their outputs by the input's values,
// which the CPU interpreter allows (it runs node by node); the WebGPU planner refuses them unless
// those values are constants.
import { nonMaxSuppressionRef } from '../../../../kernels/select/nms.ref.js';
import {
  centerCropPadRef,
  compressRef,
  nonZeroRef,
  reverseSequenceRef,
  uniqueRef,
} from '../../../../kernels/select/select.ref.js';
import { toNumbers } from '../../../../kernels/tensor.js';
import { attrInt, attrInts, hasAttr } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { CpuOp, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';

const unique: CpuOp = (ctx) => {
  // float16 and the narrow floats are compared by value in uniqueRef (not by their codes).
  const x = required(ctx, 0);
  const axis = hasAttr(ctx.node, 'axis') ? attrInt(ctx.node, 'axis') : undefined;
  const r = uniqueRef(x, axis, attrInt(ctx.node, 'sorted', 1) !== 0);
  return [r.y, r.indices, r.inverse, r.counts];
};

const nms: CpuOp = (ctx) => {
  const num = (i: number) => {
    const t = optional(ctx, i);
    return t ? Number(t.data[0]) : undefined;
  };
  const centerPointBox = attrInt(ctx.node, 'center_point_box', 0);
  if (centerPointBox !== 0 && centerPointBox !== 1) {
    throw new ModelError(
      `node '${ctx.node.name}' (NonMaxSuppression): center_point_box ${centerPointBox} is not supported`,
    );
  }
  return [
    nonMaxSuppressionRef(required(ctx, 0), required(ctx, 1), {
      centerPointBox,
      maxOutputBoxesPerClass: num(2) ?? 0,
      iouThreshold: num(3) ?? 0,
      scoreThreshold: num(4),
    }),
  ];
};

export const selectOps: OpTable = {
  [opKey('', 'Compress')]: (ctx) => [
    compressRef(
      required(ctx, 0),
      required(ctx, 1),
      hasAttr(ctx.node, 'axis') ? attrInt(ctx.node, 'axis') : undefined,
    ),
  ],
  [opKey('', 'NonZero')]: (ctx) => [nonZeroRef(required(ctx, 0))],
  [opKey('', 'Unique')]: unique,
  [opKey('', 'NonMaxSuppression')]: nms,
  [opKey('', 'ReverseSequence')]: (ctx) => [
    reverseSequenceRef(
      required(ctx, 0),
      required(ctx, 1),
      attrInt(ctx.node, 'batch_axis', 1),
      attrInt(ctx.node, 'time_axis', 0),
    ),
  ],
  [opKey('', 'CenterCropPad')]: (ctx) => [
    centerCropPadRef(required(ctx, 0), toNumbers(required(ctx, 1)), attrInts(ctx.node, 'axes')),
  ],
};

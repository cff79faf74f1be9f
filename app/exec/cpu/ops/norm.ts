// Normalization ops (other than BatchNormalization): thin adapters over
// kernels/normalization/*.ref.ts that read attributes and refuse what is not implemented.
import {
  groupNormalization,
  instanceNormalization,
  lpNormalization,
  lrn,
  meanVarianceNormalization,
} from '../../../../kernels/normalization/channel-norm.ref.js';
import { layerNormalization, rmsNormalization } from '../../../../kernels/normalization/layer-norm.ref.js';
import { attrFloat, attrInt, attrInts } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { CpuOp, OpContext, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';

/** stash_type is the computation precision; only 1 (float32, which float64 math meets) is implemented. */
function checkStash(ctx: OpContext): void {
  const stash = attrInt(ctx.node, 'stash_type');
  if (stash !== 1)
    throw new ModelError(
      `node '${ctx.node.name}' (${ctx.node.opType}): stash_type ${stash} is not supported (only 1)`,
    );
}

const layerNormOp: CpuOp = (ctx) => {
  checkStash(ctx);
  const r = layerNormalization(
    required(ctx, 0),
    required(ctx, 1),
    optional(ctx, 2),
    attrInt(ctx.node, 'axis'),
    attrFloat(ctx.node, 'epsilon'),
  );
  return [r.y, r.mean, r.invStdDev].slice(0, Math.max(1, ctx.node.outputs.length));
};

const rmsNormOp: CpuOp = (ctx) => {
  checkStash(ctx);
  return [
    rmsNormalization(
      required(ctx, 0),
      required(ctx, 1),
      attrInt(ctx.node, 'axis'),
      attrFloat(ctx.node, 'epsilon'),
    ),
  ];
};

const groupNormOp: CpuOp = (ctx) => {
  if (ctx.opset >= 21) checkStash(ctx);
  return [
    groupNormalization(
      required(ctx, 0),
      required(ctx, 1),
      required(ctx, 2),
      attrInt(ctx.node, 'num_groups'),
      attrFloat(ctx.node, 'epsilon'),
      ctx.opset >= 21,
    ),
  ];
};

const lpNormOp: CpuOp = (ctx) => {
  const p = attrInt(ctx.node, 'p');
  if (p !== 1 && p !== 2)
    throw new ModelError(
      `node '${ctx.node.name}' (LpNormalization): p = ${p} is not supported (only 1 and 2)`,
    );
  return [lpNormalization(required(ctx, 0), attrInt(ctx.node, 'axis'), p)];
};

export const normOps: OpTable = {
  [opKey('', 'LayerNormalization')]: layerNormOp,
  [opKey('', 'RMSNormalization')]: rmsNormOp,
  [opKey('', 'GroupNormalization')]: groupNormOp,
  [opKey('', 'InstanceNormalization')]: (ctx) => [
    instanceNormalization(
      required(ctx, 0),
      required(ctx, 1),
      required(ctx, 2),
      attrFloat(ctx.node, 'epsilon'),
    ),
  ],
  [opKey('', 'MeanVarianceNormalization')]: (ctx) => [
    meanVarianceNormalization(required(ctx, 0), attrInts(ctx.node, 'axes') ?? [0, 2, 3]),
  ],
  [opKey('', 'LpNormalization')]: lpNormOp,
  [opKey('', 'LRN')]: (ctx) => [
    lrn(required(ctx, 0), {
      size: attrInt(ctx.node, 'size'),
      alpha: attrFloat(ctx.node, 'alpha'),
      beta: attrFloat(ctx.node, 'beta'),
      bias: attrFloat(ctx.node, 'bias'),
    }),
  ],
};

// LayerNormalization, RMSNormalization, GroupNormalization, InstanceNormalization,
// MeanVarianceNormalization, LpNormalization and LRN on the CPU: adapters over
// kernels/normalization/normalization.ref.ts.
import {
  groupNormRef,
  instanceNormRef,
  layerNormRef,
  lpNormRef,
  lrnRef,
  mvnRef,
} from '../../../../kernels/normalization/normalization.ref.js';
import { attrFloat, attrInt, attrInts } from '../../../model/attributes.js';
import type { OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';

export const normalizationOps: OpTable = {
  [opKey('', 'LayerNormalization')]: (ctx) => {
    const r = layerNormRef(
      required(ctx, 0),
      required(ctx, 1),
      optional(ctx, 2),
      attrInt(ctx.node, 'axis'),
      attrFloat(ctx.node, 'epsilon'),
    );
    return [r.y, r.mean, r.invStdDev];
  },
  [opKey('', 'RMSNormalization')]: (ctx) => [
    layerNormRef(
      required(ctx, 0),
      required(ctx, 1),
      undefined,
      attrInt(ctx.node, 'axis'),
      attrFloat(ctx.node, 'epsilon'),
      true,
    ).y,
  ],
  [opKey('', 'GroupNormalization')]: (ctx) => [
    groupNormRef(
      required(ctx, 0),
      required(ctx, 1),
      required(ctx, 2),
      attrInt(ctx.node, 'num_groups'),
      attrFloat(ctx.node, 'epsilon'),
    ),
  ],
  [opKey('', 'InstanceNormalization')]: (ctx) => [
    instanceNormRef(required(ctx, 0), required(ctx, 1), required(ctx, 2), attrFloat(ctx.node, 'epsilon')),
  ],
  [opKey('', 'MeanVarianceNormalization')]: (ctx) => [
    mvnRef(required(ctx, 0), attrInts(ctx.node, 'axes') ?? [0, 2, 3]),
  ],
  [opKey('', 'LpNormalization')]: (ctx) => [
    lpNormRef(required(ctx, 0), attrInt(ctx.node, 'axis'), attrInt(ctx.node, 'p')),
  ],
  [opKey('', 'LRN')]: (ctx) => [
    lrnRef(
      required(ctx, 0),
      attrInt(ctx.node, 'size'),
      attrFloat(ctx.node, 'alpha'),
      attrFloat(ctx.node, 'beta'),
      attrFloat(ctx.node, 'bias'),
    ),
  ],
};

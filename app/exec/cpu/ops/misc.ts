// Data movement, masks, scans, ordering and losses on the CPU: thin adapters over
// kernels/misc/*.ref.ts and kernels/loss/loss.ref.ts that pick each opset's form of the op.
import { nllLossRef, parseReduction, softmaxCrossEntropyRef } from '../../../../kernels/loss/loss.ref.js';
import {
  depthToSpaceRef,
  eyeLikeRef,
  oneHotRef,
  rangeRef,
  spaceToDepthRef,
  triluRef,
} from '../../../../kernels/misc/movement.ref.js';
import {
  cumulativeRef,
  globalMaxPoolRef,
  hardmaxRef,
  isInfRef,
  isNaNRef,
  topKRef,
} from '../../../../kernels/misc/scan.ref.js';
import { parseAutoPad } from '../../../../kernels/conv2d/conv-geometry.js';
import { lpPool } from '../../../../kernels/pool/lp-pool.ref.js';
import type { PoolParams } from '../../../../kernels/pool/pool.ref.js';
import { toNumbers } from '../../../../kernels/tensor.js';
import { attrInt, attrInts, attrString, hasAttr } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { GraphNode } from '../../../model/ir.js';
import { dtypeFromOnnx, onnxTypeName } from '../../../model/tensor-proto.js';
import type { CpuOp, OpContext, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';

function scalarOf(ctx: OpContext, i: number): number {
  return toNumbers(required(ctx, i))[0];
}

function reductionOf(ctx: OpContext) {
  const r = attrString(ctx.node, 'reduction', 'mean');
  if (r !== 'none' && r !== 'mean' && r !== 'sum')
    throw new ModelError(`node '${ctx.node.name}' (${ctx.node.opType}) reduction '${r}' is not supported`);
  return parseReduction(r);
}

function ignoreIndexOf(ctx: OpContext): number | undefined {
  return hasAttr(ctx.node, 'ignore_index') ? attrInt(ctx.node, 'ignore_index') : undefined;
}

/** DepthToSpace has `mode` from opset 11, SpaceToDepth from 28; before, the only layout was DCR. */
function blockMode(ctx: OpContext, since: number): 'DCR' | 'CRD' {
  const mode = ctx.opset >= since ? attrString(ctx.node, 'mode', 'DCR') : 'DCR';
  if (mode !== 'DCR' && mode !== 'CRD')
    throw new ModelError(`node '${ctx.node.name}' (${ctx.node.opType}) mode '${mode}' is not supported`);
  return mode;
}

const range: CpuOp = (ctx) => {
  // Opset 27's stash_type picks float16 accumulation when not 1; we compute start + i * delta
  // in float64 and round once, which is the float (1) stash only.
  const start = required(ctx, 0);
  if (start.dtype === 'float16' && ctx.opset >= 27 && attrInt(ctx.node, 'stash_type', 1) !== 1)
    throw new ModelError(`node '${ctx.node.name}' (Range) stash_type other than 1 (float) is not supported`);
  return [rangeRef(start, required(ctx, 1), required(ctx, 2))];
};

const trilu: CpuOp = (ctx) => {
  const k = optional(ctx, 1);
  return [triluRef(required(ctx, 0), attrInt(ctx.node, 'upper', 1) !== 0, k ? toNumbers(k)[0] : 0)];
};

const eyeLike: CpuOp = (ctx) => {
  const x = required(ctx, 0);
  let dtype = x.dtype;
  if (hasAttr(ctx.node, 'dtype')) {
    const code = attrInt(ctx.node, 'dtype');
    const d = dtypeFromOnnx(code);
    if (!d)
      throw new ModelError(`node '${ctx.node.name}' (EyeLike) dtype ${onnxTypeName(code)} is not supported`);
    dtype = d;
  }
  return [eyeLikeRef(x.dims, dtype, attrInt(ctx.node, 'k', 0))];
};

const oneHot: CpuOp = (ctx) => {
  const indices = required(ctx, 0);
  return [
    oneHotRef(
      toNumbers(indices),
      indices.dims,
      scalarOf(ctx, 1),
      required(ctx, 2),
      attrInt(ctx.node, 'axis', -1),
    ),
  ];
};

const cumulative =
  (product: boolean): CpuOp =>
  (ctx) => [
    cumulativeRef(
      required(ctx, 0),
      scalarOf(ctx, 1),
      attrInt(ctx.node, 'exclusive', 0) !== 0,
      attrInt(ctx.node, 'reverse', 0) !== 0,
      product,
    ),
  ];

const topK: CpuOp = (ctx) => {
  // K is an attribute before opset 10 and an input after; largest / sorted from opset 11.
  const k = ctx.opset >= 10 ? scalarOf(ctx, 1) : attrInt(ctx.node, 'k');
  const largest = ctx.opset < 11 || attrInt(ctx.node, 'largest', 1) !== 0;
  return topKRef(required(ctx, 0), k, attrInt(ctx.node, 'axis', -1), largest);
};

const hardmax: CpuOp = (ctx) => {
  const legacy = ctx.opset < 13;
  return [hardmaxRef(required(ctx, 0), attrInt(ctx.node, 'axis', legacy ? 1 : -1), legacy)];
};

const isInf: CpuOp = (ctx) => [
  isInfRef(
    required(ctx, 0),
    attrInt(ctx.node, 'detect_negative', 1) !== 0,
    attrInt(ctx.node, 'detect_positive', 1) !== 0,
  ),
];

const nll: CpuOp = (ctx) => [
  nllLossRef(required(ctx, 0), required(ctx, 1), optional(ctx, 2), reductionOf(ctx), ignoreIndexOf(ctx)),
];

const sce: CpuOp = (ctx) =>
  softmaxCrossEntropyRef(
    required(ctx, 0),
    required(ctx, 1),
    optional(ctx, 2),
    reductionOf(ctx),
    ignoreIndexOf(ctx),
  );

/**
 * LpPool's window attributes as the reference takes them (dilations and ceil_mode exist from
 * opset 18); undefined without kernel_shape. Shared with the WebGPU lowering (lower-extra2.ts).
 */
export function lpPoolParams(node: GraphNode, opset: number): PoolParams | undefined {
  const list = (name: string) => {
    const v = attrInts(node, name);
    return v?.length ? [...v] : undefined;
  };
  const kernelShape = list('kernel_shape');
  if (!kernelShape) return undefined;
  return {
    kernelShape,
    strides: list('strides'),
    pads: list('pads'),
    autoPad: parseAutoPad(attrString(node, 'auto_pad', 'NOTSET')),
    dilations: opset >= 18 ? list('dilations') : undefined,
    ceilMode: opset >= 18 && attrInt(node, 'ceil_mode', 0) !== 0,
  };
}

const lpPoolOp: CpuOp = (ctx) => {
  const params = lpPoolParams(ctx.node, ctx.opset);
  if (!params) throw new ModelError(`node '${ctx.node.name}' (LpPool) needs attribute 'kernel_shape'`);
  return [lpPool(required(ctx, 0), params, attrInt(ctx.node, 'p', 2))];
};

export const miscOps: OpTable = {
  [opKey('', 'LpPool')]: lpPoolOp,
  [opKey('', 'DepthToSpace')]: (ctx) => [
    depthToSpaceRef(required(ctx, 0), attrInt(ctx.node, 'blocksize'), blockMode(ctx, 11)),
  ],
  [opKey('', 'SpaceToDepth')]: (ctx) => [
    spaceToDepthRef(required(ctx, 0), attrInt(ctx.node, 'blocksize'), blockMode(ctx, 28)),
  ],
  [opKey('', 'Trilu')]: trilu,
  [opKey('', 'EyeLike')]: eyeLike,
  [opKey('', 'OneHot')]: oneHot,
  [opKey('', 'Range')]: range,
  [opKey('', 'CumSum')]: cumulative(false),
  [opKey('', 'CumProd')]: cumulative(true),
  [opKey('', 'TopK')]: topK,
  [opKey('', 'Hardmax')]: hardmax,
  [opKey('', 'IsInf')]: isInf,
  [opKey('', 'IsNaN')]: (ctx) => [isNaNRef(required(ctx, 0))],
  [opKey('', 'GlobalMaxPool')]: (ctx) => [globalMaxPoolRef(required(ctx, 0))],
  [opKey('', 'NegativeLogLikelihoodLoss')]: nll,
  [opKey('', 'SoftmaxCrossEntropyLoss')]: sce,
};

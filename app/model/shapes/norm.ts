// Shape functions of the normalizations in app/model/schema/norm.ts. Every output has X's dims,
// except LayerNormalization's optional Mean / InvStdDev ([...X[:axis], 1...], float32 for
// stash_type 1). Parameter shapes are checked here so a bad model fails before it runs.
import { attrInt, attrInts } from '../attributes.js';
import type { ShapeContext, ShapeFn, ShapeTable } from './types.js';
import { normalizeAxis, product } from './types.js';

/** Fails unless input `i` broadcasts unidirectionally to `x`. */
function checkBroadcastsTo(ctx: ShapeContext, i: number, x: readonly number[], what: string): void {
  const p = ctx.shape(i);
  const ok = p.length <= x.length && p.every((d, k) => d === 1 || d === x[x.length - p.length + k]);
  if (!ok) ctx.fail(`${what} [${p}] does not broadcast to X [${x}]`);
}

function stashFloat32(ctx: ShapeContext): void {
  const stash = attrInt(ctx.node, 'stash_type', 1);
  if (stash !== 1) ctx.fail(`stash_type ${stash} is not supported (only 1, float32)`);
}

const layerNormalization: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const a = normalizeAxis(ctx, attrInt(ctx.node, 'axis', -1), x.length);
  stashFloat32(ctx);
  checkBroadcastsTo(ctx, 1, x, 'Scale');
  if (ctx.has(2)) checkBroadcastsTo(ctx, 2, x, 'B');
  const stat = x.map((d, i) => (i < a ? d : 1));
  return ctx.node.outputs.map((_, i) =>
    i === 0 ? { dtype: ctx.dtype(0), dims: x } : { dtype: 'float32' as const, dims: stat },
  );
};

const rmsNormalization: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  normalizeAxis(ctx, attrInt(ctx.node, 'axis', -1), x.length);
  stashFloat32(ctx);
  checkBroadcastsTo(ctx, 1, x, 'scale');
  return [{ dtype: ctx.dtype(1), dims: x }];
};

function channelFirst(ctx: ShapeContext, minRank: number): readonly number[] {
  const x = ctx.shape(0);
  if (x.length < minRank)
    ctx.fail(`input has rank ${x.length}; expected [N, C, ...] with rank >= ${minRank}`);
  return x;
}

function checkVector(ctx: ShapeContext, i: number, n: number, what: string): void {
  const p = ctx.shape(i);
  if (product(p) !== n || p.length !== 1) ctx.fail(`${what} has shape [${p}], expected [${n}]`);
}

const groupNormalization: ShapeFn = (ctx) => {
  const x = channelFirst(ctx, 2);
  const g = attrInt(ctx.node, 'num_groups');
  if (g <= 0 || x[1] % g !== 0) ctx.fail(`${x[1]} channels do not split into num_groups = ${g}`);
  if (ctx.opset >= 21) stashFloat32(ctx);
  // Opset 18: scale and bias per group; opset 21: per channel.
  const n = ctx.opset >= 21 ? x[1] : g;
  checkVector(ctx, 1, n, 'scale');
  checkVector(ctx, 2, n, 'bias');
  return [{ dtype: ctx.dtype(0), dims: x }];
};

const instanceNormalization: ShapeFn = (ctx) => {
  const x = channelFirst(ctx, 3);
  checkVector(ctx, 1, x[1], 'scale');
  checkVector(ctx, 2, x[1], 'B');
  return [{ dtype: ctx.dtype(0), dims: x }];
};

const meanVarianceNormalization: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  for (const a of attrInts(ctx.node, 'axes') ?? [0, 2, 3]) normalizeAxis(ctx, a, x.length, 'axes entry');
  return [{ dtype: ctx.dtype(0), dims: x }];
};

const lpNormalization: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  normalizeAxis(ctx, attrInt(ctx.node, 'axis', -1), x.length);
  const p = attrInt(ctx.node, 'p', 2);
  if (p !== 1 && p !== 2) ctx.fail(`p = ${p} is not supported (only 1 and 2)`);
  return [{ dtype: ctx.dtype(0), dims: x }];
};

const lrn: ShapeFn = (ctx) => {
  const x = channelFirst(ctx, 3);
  if (attrInt(ctx.node, 'size') < 1) ctx.fail(`size must be a positive integer`);
  return [{ dtype: ctx.dtype(0), dims: x }];
};

export const normShapes: ShapeTable = {
  '::LayerNormalization': layerNormalization,
  '::RMSNormalization': rmsNormalization,
  '::GroupNormalization': groupNormalization,
  '::InstanceNormalization': instanceNormalization,
  '::MeanVarianceNormalization': meanVarianceNormalization,
  '::LpNormalization': lpNormalization,
  '::LRN': lrn,
};

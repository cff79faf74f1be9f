// Host for normalize.wgsl: f32 LayerNormalization, RMSNormalization, InstanceNormalization and
// GroupNormalization as one row-normalization kernel (one workgroup per row). Oracles:
// layer-norm.ref.ts and channel-norm.ref.ts; tests: tests/gpu/normalize.test.ts.
import { createStorageBuffer } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { linearGrid } from '../gpu/dispatch.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import { type PreparedDispatch, prepareDispatch, uniformWords } from '../gpu-float/float-dispatch.js';

const WORKGROUP_SIZE = 64;

/**
 * Rows of `len` contiguous elements; element k of row r uses scale/bias index
 * (r % pmod) * pmul + floor(k / pdiv).
 */
export interface NormalizeGpuParams {
  readonly rows: number;
  readonly len: number;
  readonly pmod: number;
  readonly pmul: number;
  readonly pdiv: number;
  readonly epsilon: number;
  /** RMSNormalization: no mean is subtracted. */
  readonly rms?: boolean;
}

/** LayerNorm / RMSNorm over [rows, cols]: scale (and bias) hold `cols` values, one per column. */
export function layerNormGeometry(
  rows: number,
  cols: number,
  epsilon: number,
  rms = false,
): NormalizeGpuParams {
  return { rows, len: cols, pmod: 1, pmul: 0, pdiv: 1, epsilon, rms };
}

/**
 * GroupNorm over X [N, C, spatial...] in `groups` groups (InstanceNorm: groups = C); parameters per
 * channel, or per group when `perGroup` (GroupNormalization-18).
 */
export function groupNormGeometry(
  dims: readonly number[],
  groups: number,
  epsilon: number,
  perGroup = false,
): NormalizeGpuParams {
  const [n, c] = dims;
  const spatial = dims.slice(2).reduce((s, v) => s * v, 1);
  const len = (c / groups) * spatial;
  return perGroup
    ? { rows: n * groups, len, pmod: groups, pmul: 1, pdiv: len, epsilon }
    : { rows: n * groups, len, pmod: groups, pmul: c / groups, pdiv: spatial, epsilon };
}

/** Buffers for each row's mean and 1 / sqrt(var + eps) (`rows` f32 each). */
export interface NormalizeStats {
  readonly mean: GPUBuffer;
  readonly invStdDev: GPUBuffer;
}

/**
 * `bias` undefined: no bias term (scale is bound in its place, unread). `stats`: also write each
 * row's mean and inverse standard deviation (LayerNormalization's optional outputs).
 */
export async function prepareNormalize(
  ctx: GpuContext,
  x: GPUBuffer,
  scale: GPUBuffer,
  bias: GPUBuffer | undefined,
  y: GPUBuffer,
  p: NormalizeGpuParams,
  stats?: NormalizeStats,
): Promise<PreparedDispatch> {
  const pipeline = await getPipeline(ctx, {
    op: 'normalize',
    params: {
      workgroupSize: WORKGROUP_SIZE,
      mode: p.rms ? 1 : 0,
      hasBias: bias ? 1 : 0,
      hasStats: stats ? 1 : 0,
    },
    build: async (q) => ({
      code: await loadWgsl(new URL('./normalize.wgsl', import.meta.url)),
      constants: {
        WORKGROUP_SIZE: q.workgroupSize,
        MODE: q.mode,
        HAS_BIAS: q.hasBias,
        HAS_STATS: q.hasStats,
      },
    }),
  });
  const [gx, gy] = linearGrid(ctx, p.rows);
  // Without stats the two writable bindings still need (distinct, unwritten) buffers.
  const dummies = stats
    ? []
    : [createStorageBuffer(ctx, 'normalize.no-mean', 4), createStorageBuffer(ctx, 'normalize.no-inv', 4)];
  const d = prepareDispatch(
    ctx,
    'normalize',
    pipeline,
    {
      buffers: [x, scale, bias ?? scale, y, stats?.mean ?? dummies[0], stats?.invStdDev ?? dummies[1]],
      uniform: uniformWords([p.rows, p.len, p.pmod, p.pmul, Math.max(p.pdiv, 1), { f: p.epsilon }, 0, 0]),
    },
    [gx, gy, 1],
  );
  return { ...d, owned: [...d.owned, ...dummies] };
}

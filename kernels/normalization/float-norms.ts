// Hosts for lp-norm.wgsl, lrn.wgsl and mvn.wgsl: the float32 normalizations of channel-norm.ref.ts
// that are not row normalizations (normalize.ts): LpNormalization, LRN, MeanVarianceNormalization.
// Each sums in f32 in its own order: tested within a tolerance of the float64 references
// (tests/gpu/extra-ops-math.test.ts).
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { reduceAxesTable, reduceAxesWgsl } from '../reduce/reduce.js';
import { normalizeAxis } from '../shape-ops/axes.js';

const WORKGROUP_SIZE = 64;
const size = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

async function pipeline(ctx: GpuContext, file: 'lp-norm' | 'lrn' | 'mvn'): Promise<GPUComputePipeline> {
  return getPipeline(ctx, {
    op: `float-norm.${file}`,
    params: { file, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code:
        q.file === 'mvn'
          ? await reduceAxesWgsl(new URL('./mvn.wgsl', import.meta.url))
          : await loadWgsl(new URL(`./${q.file}.wgsl`, import.meta.url)),
      entryPoint: 'main',
      constants: { WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
}

/** LpNormalization of f32 x (dims) along `axis`, p = 1 or 2; undefined for an empty tensor. */
export async function prepareLpNorm(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  dims: readonly number[],
  axis: number,
  p: 1 | 2,
): Promise<PreparedDispatch | undefined> {
  const a = normalizeAxis(axis, dims.length);
  const lines = size(dims) / (dims[a] || 1);
  if (size(dims) === 0) return undefined;
  return prepareDispatch(
    ctx,
    'lp-norm',
    await pipeline(ctx, 'lp-norm'),
    { buffers: [x, y], uniform: uniformWords([lines, dims[a], size(dims.slice(a + 1)), p]) },
    elementGrid(ctx, lines, WORKGROUP_SIZE),
  );
}

export interface LrnGpuParams {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly bias: number;
}

/** LRN of f32 x ([N, C, spatial...]); undefined for an empty tensor. */
export async function prepareLrn(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  dims: readonly number[],
  p: LrnGpuParams,
): Promise<PreparedDispatch | undefined> {
  const count = size(dims);
  if (count === 0 || dims.length < 3) return undefined;
  const lo = Math.floor((p.size - 1) / 2);
  const hi = Math.ceil((p.size - 1) / 2);
  return prepareDispatch(
    ctx,
    'lrn',
    await pipeline(ctx, 'lrn'),
    {
      buffers: [x, y],
      uniform: uniformWords([
        count,
        dims[1],
        size(dims.slice(2)),
        lo,
        hi,
        { f: p.alpha / p.size },
        { f: p.beta },
        { f: p.bias },
      ]),
    },
    elementGrid(ctx, count, WORKGROUP_SIZE),
  );
}

/** MeanVarianceNormalization of f32 x (dims) over `axes`; undefined for an empty tensor. */
export async function prepareMvn(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  dims: readonly number[],
  axes: readonly number[],
): Promise<PreparedDispatch | undefined> {
  const reduced = dims.map(() => false);
  for (const axis of axes) reduced[normalizeAxis(axis, dims.length)] = true;
  const count = dims.reduce((s, d, i) => (reduced[i] ? s * d : s), 1);
  const groups = dims.reduce((s, d, i) => (reduced[i] ? s : s * d), 1);
  if (count === 0 || groups === 0) return undefined;
  const table = Int32Array.from(reduceAxesTable(dims, reduced));
  return prepareDispatch(
    ctx,
    'mvn',
    await pipeline(ctx, 'mvn'),
    { buffers: [x, y], uniform: uniformWords([groups, count, dims.length, 0]), table },
    elementGrid(ctx, groups, WORKGROUP_SIZE),
  );
}

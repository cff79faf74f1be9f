// Hosts for trilu.wgsl and cumulative.wgsl (CumSum and CumProd), and the copy specs of
// DepthToSpace / SpaceToDepth (a transpose of a 6-D view of the input, run by copy.wgsl). Oracles:
// movement.ref.ts, scan.ref.ts; tests: tests/gpu/misc-ops.test.ts, tests/gpu/cumprod.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { filePipeline, getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { type CopySpec, transposeCopy } from '../shape-ops/copy.js';

const WORKGROUP_SIZE = 64;

/**
 * DepthToSpace as a copy: DCR views [N, C, H, W] as [N, b, b, C', H, W] and writes
 * [N, C', H, b, W, b]; CRD views it as [N, C', b, b, H, W].
 */
export function depthToSpaceCopy(dims: readonly number[], b: number, mode: 'DCR' | 'CRD'): CopySpec {
  const [n, c, h, w] = dims;
  const co = c / (b * b);
  return mode === 'DCR'
    ? transposeCopy([n, b, b, co, h, w], [0, 3, 4, 1, 5, 2]).spec
    : transposeCopy([n, co, b, b, h, w], [0, 1, 4, 2, 5, 3]).spec;
}

/** SpaceToDepth as a copy: [N, C, H', b, W', b] to [N, b, b, C, H', W'] (DCR) or [N, C, b, b, H', W'] (CRD). */
export function spaceToDepthCopy(dims: readonly number[], b: number, mode: 'DCR' | 'CRD'): CopySpec {
  const [n, c, h, w] = dims;
  const view = [n, c, h / b, b, w / b, b];
  return transposeCopy(view, mode === 'DCR' ? [0, 3, 5, 1, 2, 4] : [0, 1, 3, 5, 2, 4]).spec;
}

/** Trilu of a 32-bit tensor of `dims` (rank >= 2). */
export async function prepareTrilu(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  dims: readonly number[],
  upper: boolean,
  k: number,
): Promise<PreparedDispatch> {
  const count = dims.reduce((p, d) => p * d, 1);
  const rows = dims[dims.length - 2];
  const cols = dims[dims.length - 1];
  // k beyond +-(rows + cols) keeps or clears everything; clamping keeps it inside i32.
  const kk = Math.max(-(rows + cols), Math.min(rows + cols, k));
  return prepareDispatch(
    ctx,
    'trilu',
    await filePipeline(ctx, 'trilu', new URL('./trilu.wgsl', import.meta.url), WORKGROUP_SIZE),
    { buffers: [x, y], uniform: uniformWords([count, rows, cols, upper ? 1 : 0, kk, 0, 0, 0]) },
    elementGrid(ctx, count, WORKGROUP_SIZE),
  );
}

/** A running sum or product (cumulative.wgsl) of `x` (`dims`, of `type`) along axis `a` (normalized). */
export async function prepareCumulative(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  dims: readonly number[],
  a: number,
  o: { exclusive: boolean; reverse: boolean; product: boolean; type: 'f32' | 'i32' },
): Promise<PreparedDispatch> {
  const outer = dims.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = dims.slice(a + 1).reduce((p, d) => p * d, 1);
  const pipeline = await getPipeline(ctx, {
    op: 'cumulative',
    params: { workgroupSize: WORKGROUP_SIZE, product: o.product, type: o.type },
    build: async (q) => ({
      code: (await loadWgsl(new URL('./cumulative.wgsl', import.meta.url))).replace(
        'alias T = f32;',
        `alias T = ${q.type};`,
      ),
      constants: { PRODUCT: q.product ? 1 : 0, WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
  return prepareDispatch(
    ctx,
    o.product ? 'cumprod' : 'cumsum',
    pipeline,
    {
      buffers: [x, y],
      uniform: uniformWords([outer, dims[a], inner, o.exclusive ? 1 : 0, o.reverse ? 1 : 0, 0, 0, 0]),
    },
    elementGrid(ctx, outer * inner, WORKGROUP_SIZE),
  );
}

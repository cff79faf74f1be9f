// Host for softmax.wgsl: f32 Softmax and LogSoftmax, opset 13 (one axis) or opsets 1-12 (flattened to 2-D at
// `axis`). Oracle: softmax.ref.ts; tests: tests/gpu/float-pool-softmax.test.ts.

import type { GpuContext } from '../gpu/device.js';
import { linearGrid } from '../gpu/dispatch.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import { type PreparedDispatch, prepareDispatch, uniformWords } from '../gpu-float/float-dispatch.js';
import { normalizeAxis } from './softmax.ref.js';

const WORKGROUP_SIZE = 64;

export interface SoftmaxGpuParams {
  readonly dims: readonly number[];
  readonly axis: number;
  /** Opsets < 13: everything from `axis` on is one row. */
  readonly coerceTo2d?: boolean;
  /** LogSoftmax: x - max - log(sum(exp(x - max))). */
  readonly log?: boolean;
}

export async function prepareSoftmax(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  p: SoftmaxGpuParams,
): Promise<PreparedDispatch> {
  const rank = p.dims.length;
  const a = p.coerceTo2d && p.axis === rank ? rank : normalizeAxis(p.axis, rank);
  const prod = (d: readonly number[]) => d.reduce((s, v) => s * v, 1);
  const outer = prod(p.dims.slice(0, a));
  const len = p.coerceTo2d ? prod(p.dims.slice(a)) : p.dims[a];
  const inner = p.coerceTo2d ? 1 : prod(p.dims.slice(a + 1));
  const rows = outer * inner;
  const pipeline = await getPipeline(ctx, {
    op: 'softmax',
    params: { workgroupSize: WORKGROUP_SIZE, log: p.log ?? false },
    build: async (q) => ({
      code: await loadWgsl(new URL('./softmax.wgsl', import.meta.url)),
      constants: { WORKGROUP_SIZE: q.workgroupSize, LOG: q.log ? 1 : 0 },
    }),
  });
  const [gx, gy] = linearGrid(ctx, rows);
  return prepareDispatch(
    ctx,
    'softmax',
    pipeline,
    { buffers: [x, y], uniform: uniformWords([rows, len, inner, 0]) },
    [gx, gy, 1],
  );
}

// Host for pool.wgsl: f32 MaxPool / AveragePool / GlobalAveragePool on 1-D (as H = 1) and 2-D
// NCHW inputs. Oracle: pool.ref.ts; tests: tests/gpu/float-pool-softmax.test.ts.

import { type AutoPad, resolveConvGeometry } from '../conv2d/conv-geometry.js';
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';

export type PoolKind = 'max' | 'average' | 'global-average';

export interface PoolGpuParams {
  readonly kind: PoolKind;
  /** [N, C, H, W] or [N, C, W] */
  readonly xDims: readonly number[];
  /** Not used by global-average. */
  readonly kernelShape?: readonly number[];
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly autoPad?: AutoPad;
  readonly ceilMode?: boolean;
  readonly countIncludePad?: boolean;
}

const WORKGROUP_SIZE = 64;

/** Runs y = pool(x); returns the output dims too. */
export async function preparePool(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  p: PoolGpuParams,
): Promise<{ dispatch: PreparedDispatch; dims: number[] }> {
  const rank = p.xDims.length;
  if (rank !== 3 && rank !== 4)
    throw new Error(`pooling on the GPU takes 1-D or 2-D inputs, got [${p.xDims}]`);
  const spatial = p.xDims.slice(2);
  const global = p.kind === 'global-average';
  const kernel = global ? spatial : (p.kernelShape ?? []);
  const geo = resolveConvGeometry({
    inputSpatial: spatial,
    kernelSpatial: kernel,
    strides: global ? undefined : p.strides,
    dilations: global ? undefined : p.dilations,
    pads: global ? undefined : p.pads,
    autoPad: global ? undefined : p.autoPad,
    ceilMode: global ? false : p.ceilMode,
  });
  const lift = (v: readonly number[], one: number) => (rank === 3 ? [one, v[0]] : [v[0], v[1]]);
  const [H, W] = lift(spatial, 1);
  const [KH, KW] = lift(kernel, 1);
  const [sh, sw] = lift(geo.strides, 1);
  const [dh, dw] = lift(geo.dilations, 1);
  const n = spatial.length;
  const [pt, pl] = lift(geo.pads.slice(0, n), 0);
  const [pb, pr] = lift(geo.pads.slice(n), 0);
  const [OH, OW] = lift(geo.outputSpatial, 1);
  const dims = [p.xDims[0], p.xDims[1], ...geo.outputSpatial];
  const total = dims.reduce((a, b) => a * b, 1);
  const mode = p.kind === 'max' ? 0 : p.countIncludePad ? 2 : 1;
  const pipeline = await getPipeline(ctx, {
    op: 'pool',
    params: { mode, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code: await loadWgsl(new URL('./pool.wgsl', import.meta.url)),
      constants: { MODE: q.mode, WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
  // One invocation per 4 adjacent outputs of a row (see pool.wgsl).
  const quadsW = Math.ceil(OW / 4);
  const invocations = (total / Math.max(OW, 1)) * quadsW;
  const uniform = uniformWords([H, W, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl, pb, pr, invocations, quadsW]);
  const dispatch = prepareDispatch(
    ctx,
    `pool.${p.kind}`,
    pipeline,
    { buffers: [x, y], uniform },
    elementGrid(ctx, invocations, WORKGROUP_SIZE),
  );
  return { dispatch, dims };
}

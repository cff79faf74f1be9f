// Host for qpool8.wgsl: MaxPool on int8/uint8 (NCHW, 1-D or 2-D) and com.microsoft
// QLinearGlobalAveragePool (NCHW or channels_last), on packed 8-bit buffers.
// Oracles: pool.ref.ts maxPool, qlinear-pool.ref.ts qlinearGlobalAveragePool.
// Tests: tests/gpu/qpool8.test.ts.
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
import { globalPoolScale } from './qlinear-pool.ref.js';

const WORKGROUP_SIZE = 64;

export type Int8Dtype = 'int8' | 'uint8';

export interface MaxPool8Params {
  readonly dtype: Int8Dtype;
  /** [N, C, H, W] or [N, C, W] */
  readonly xDims: readonly number[];
  readonly kernelShape: readonly number[];
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly autoPad?: AutoPad;
  readonly ceilMode?: boolean;
}

export interface GlobalAveragePool8Params {
  readonly dtype: Int8Dtype;
  /** [N, C, ...spatial], or [N, ...spatial, C] when channelsLast. */
  readonly xDims: readonly number[];
  readonly channelsLast?: boolean;
  readonly xScale: number;
  readonly xZeroPoint: number;
  readonly yScale: number;
  readonly yZeroPoint: number;
}

async function pipelineFor(ctx: GpuContext, mode: number, signed: boolean) {
  return getPipeline(ctx, {
    op: 'qpool8',
    params: { mode, signed, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code: await loadWgsl(new URL('./qpool8.wgsl', import.meta.url)),
      constants: { MODE: q.mode, SIGNED: q.signed ? 1 : 0, WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
}

interface Fields {
  geo?: number[];
  total: number;
  channels?: number;
  size?: number;
  cStride?: number;
  pStride?: number;
  zx?: number;
  zy?: number;
  scale?: number;
  qmin?: number;
  qmax?: number;
}

function params(f: Fields): Uint32Array {
  const words = Math.ceil(f.total / 4);
  return uniformWords([
    ...(f.geo ?? new Array<number>(12).fill(0)),
    f.total,
    words,
    f.channels ?? 0,
    f.size ?? 0,
    f.cStride ?? 0,
    f.pStride ?? 0,
    f.zx ?? 0,
    f.zy ?? 0,
    { f: f.scale ?? 0 },
    f.qmin ?? 0,
    f.qmax ?? 0,
    0,
  ]);
}

/** y = MaxPool(x) on 8-bit values; returns the output dims too. */
export async function prepareMaxPool8(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  p: MaxPool8Params,
): Promise<{ dispatch: PreparedDispatch; dims: number[] }> {
  const rank = p.xDims.length;
  if (rank !== 3 && rank !== 4)
    throw new Error(`8-bit MaxPool on the GPU takes 1-D or 2-D inputs, got [${p.xDims}]`);
  const spatial = p.xDims.slice(2);
  const geo = resolveConvGeometry({
    inputSpatial: spatial,
    kernelSpatial: p.kernelShape,
    strides: p.strides,
    dilations: p.dilations,
    pads: p.pads,
    autoPad: p.autoPad,
    ceilMode: p.ceilMode,
  });
  const lift = (v: readonly number[], one: number) => (rank === 3 ? [one, v[0]] : [v[0], v[1]]);
  const n = spatial.length;
  const geoWords = [
    ...lift(spatial, 1),
    ...lift(geo.outputSpatial, 1),
    ...lift(p.kernelShape, 1),
    ...lift(geo.strides, 1),
    ...lift(geo.dilations, 1),
    ...lift(geo.pads.slice(0, n), 0),
  ];
  const dims = [p.xDims[0], p.xDims[1], ...geo.outputSpatial];
  const total = dims.reduce((a, b) => a * b, 1);
  const pipeline = await pipelineFor(ctx, 0, p.dtype === 'int8');
  const dispatch = prepareDispatch(
    ctx,
    'qpool8.max',
    pipeline,
    { buffers: [x, y], uniform: params({ geo: geoWords, total }) },
    elementGrid(ctx, Math.ceil(total / 4), WORKGROUP_SIZE),
  );
  return { dispatch, dims };
}

/** y = QLinearGlobalAveragePool(x); throws (like the reference) on an out-of-range scale. */
export async function prepareQLinearGlobalAveragePool8(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  p: GlobalAveragePool8Params,
): Promise<{ dispatch: PreparedDispatch; dims: number[] }> {
  if (p.xDims.length < 3) throw new Error(`pool input needs rank >= 3, got [${p.xDims}]`);
  const last = p.channelsLast ?? false;
  const n = p.xDims[0];
  const c = last ? p.xDims[p.xDims.length - 1] : p.xDims[1];
  const spatial = last ? p.xDims.slice(1, -1) : p.xDims.slice(2);
  const size = spatial.reduce((a, b) => a * b, 1);
  const scale = globalPoolScale(p.xScale, p.yScale, size);
  const [qmin, qmax] = p.dtype === 'int8' ? [-128, 127] : [0, 255];
  const total = n * c;
  const pipeline = await pipelineFor(ctx, 1, p.dtype === 'int8');
  const uniform = params({
    total,
    channels: c,
    size,
    cStride: last ? 1 : size,
    pStride: last ? c : 1,
    zx: p.xZeroPoint,
    zy: p.yZeroPoint,
    scale,
    qmin,
    qmax,
  });
  const dispatch = prepareDispatch(
    ctx,
    'qpool8.global-average',
    pipeline,
    { buffers: [x, y], uniform },
    elementGrid(ctx, Math.ceil(total / 4), WORKGROUP_SIZE),
  );
  const ones = spatial.map(() => 1);
  return { dispatch, dims: last ? [n, ...ones, c] : [n, c, ...ones] };
}

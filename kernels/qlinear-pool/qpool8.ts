// Host for qpool8.wgsl: MaxPool on int8/uint8 (NCHW, 1-D or 2-D) and com.microsoft
// QLinearGlobalAveragePool (NCHW or channels_last) and QLinearAveragePool (NCHW, 1-D or 2-D), on
// packed 8-bit buffers.
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
import { globalPoolScale, type QLinearAveragePoolParams } from './qlinear-pool.ref.js';

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
      code:
        (await loadWgsl(new URL('../gpu/wgsl/div-nearest.wgsl', import.meta.url))) +
        (await loadWgsl(new URL('./qpool8.wgsl', import.meta.url))),
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
  yScale?: number;
  includePad?: boolean;
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
    { f: f.yScale ?? 0 },
    f.includePad ? 1 : 0,
    0,
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

/**
 * Whether QLinearAveragePool with these parameters runs on the GPU exactly: NCHW 1-D or 2-D, no
 * window wholly in padding, xs >= 2^-100 (no subnormal partial sums), normal ys, a scale the
 * reference accepts. Returns the resolved geometry, or undefined.
 */
export function averagePool8Geometry(p: Omit<QLinearAveragePoolParams, 'x'>) {
  const rank = p.xDims.length;
  if ((rank !== 3 && rank !== 4) || p.channelsLast || p.kernelShape.length !== rank - 2) return undefined;
  if (!(Math.abs(Math.fround(p.xScale)) >= 2 ** -100) || !(Math.abs(Math.fround(p.yScale)) >= 2 ** -126))
    return undefined;
  if (!Number.isFinite(p.xScale) || !Number.isFinite(p.yScale)) return undefined;
  const pads = p.pads ?? [];
  if (pads.some((v, i) => v >= p.kernelShape[i % (rank - 2)])) return undefined;
  const spatial = p.xDims.slice(2);
  const geo = resolveConvGeometry({
    inputSpatial: spatial,
    kernelSpatial: p.kernelShape,
    strides: p.strides,
    pads: p.pads,
    autoPad: p.autoPad,
    ceilMode: p.ceilMode,
  });
  // Every window must hold at least one input position on every axis.
  for (let a = 0; a < spatial.length; a++)
    for (let o = 0; o < geo.outputSpatial[a]; o++) {
      const s = o * geo.strides[a] - geo.pads[a];
      if (Math.min(s + p.kernelShape[a], spatial[a]) <= Math.max(s, 0)) return undefined;
    }
  const global = spatial.every((s, i) => s === p.kernelShape[i]) && geo.pads.every((v) => v === 0);
  return { geo, global };
}

/** y = QLinearAveragePool(x) (the global kernel when the window covers the input, as onnxruntime). */
export async function prepareQLinearAveragePool8(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  p: Omit<QLinearAveragePoolParams, 'x'> & { readonly dtype: Int8Dtype },
): Promise<{ dispatch: PreparedDispatch; dims: number[] }> {
  const g = averagePool8Geometry(p);
  if (!g) throw new Error('QLinearAveragePool: parameters outside the GPU kernel');
  if (g.global) return prepareQLinearGlobalAveragePool8(ctx, x, y, p);
  const rank = p.xDims.length;
  const lift = (v: readonly number[], one: number) => (rank === 3 ? [one, v[0]] : [v[0], v[1]]);
  const n = rank - 2;
  const { geo } = g;
  const geoWords = [
    ...lift(p.xDims.slice(2), 1),
    ...lift(geo.outputSpatial, 1),
    ...lift(p.kernelShape, 1),
    ...lift(geo.strides, 1),
    1,
    1,
    ...lift(geo.pads.slice(0, n), 0),
  ];
  const dims = [p.xDims[0], p.xDims[1], ...geo.outputSpatial];
  const total = dims.reduce((a, b) => a * b, 1);
  const [qmin, qmax] = p.dtype === 'int8' ? [-128, 127] : [0, 255];
  const pipeline = await pipelineFor(ctx, 2, p.dtype === 'int8');
  const uniform = params({
    geo: geoWords,
    total,
    zx: p.xZeroPoint,
    zy: p.yZeroPoint,
    scale: p.xScale,
    qmin,
    qmax,
    yScale: p.yScale,
    includePad: p.countIncludePad,
  });
  const dispatch = prepareDispatch(
    ctx,
    'qpool8.average',
    pipeline,
    { buffers: [x, y], uniform },
    elementGrid(ctx, Math.ceil(total / 4), WORKGROUP_SIZE),
  );
  return { dispatch, dims };
}

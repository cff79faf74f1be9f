// Host for conv2d.wgsl: f32 Conv (1-D as H = 1, and 2-D; NCHW) with groups, strides, dilations,
// pads / auto_pad, fused bias and Relu / Clip. Picks the blocked entry point (4 pixels x 8 output
// channels per invocation on repacked weights; a flat-plane one for unpadded 1x1 convs), or the direct
// one when each group has few output channels (depthwise). Oracle: conv2d.ref.ts; tests:
// tests/gpu/float-conv2d.test.ts.

import type { GpuContext } from '../gpu/device.js';
import { createStorageBuffer, uploadUniform } from '../gpu/buffers.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  destroyDispatches,
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  recordDispatches,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { ACTIVATION_CODE, type FusedFloatActivation } from '../matmul/matmul.js';
import { type AutoPad, resolveConvGeometry } from './conv-geometry.js';

/** Invocations per workgroup (SwiftShader runs them 4 at a time per SIMD lane group). */
const WG = 64;
/** Output channels per invocation in the blocked entry points (two vec4 accumulators per pixel). */
const OC_BLOCK = 8;
/** Groups with at most this many output channels use the direct kernel (a block is 8 wide). */
const DIRECT_MAX_CHANNELS_PER_GROUP = 4;

export interface Conv2dGpuParams {
  /** [N, C, H, W] or [N, C, W] */
  readonly xDims: readonly number[];
  /** [M, C/group, kH, kW] or [M, C/group, kW] */
  readonly wDims: readonly number[];
  readonly group?: number;
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly autoPad?: AutoPad;
  readonly activation?: FusedFloatActivation;
  /** Force an entry point (tests); default picks by channels per group. */
  readonly algorithm?: 'gemm' | 'direct';
  /** w is rewritten between runs (not a constant): repack it in every run. */
  readonly weightsVary?: boolean;
}

/** Output dims of the conv (throws on an unsupported rank or inconsistent channels). */
export function conv2dOutputDims(p: Conv2dGpuParams): number[] {
  return conv2dLayout(p).dims;
}

function conv2dLayout(p: Conv2dGpuParams) {
  const rank = p.xDims.length;
  if ((rank !== 3 && rank !== 4) || p.wDims.length !== rank)
    throw new Error(`conv2d on the GPU takes 1-D or 2-D convs, got X [${p.xDims}], W [${p.wDims}]`);
  const is1d = rank === 3;
  const geo = resolveConvGeometry({
    inputSpatial: p.xDims.slice(2),
    kernelSpatial: p.wDims.slice(2),
    strides: p.strides,
    dilations: p.dilations,
    pads: p.pads,
    autoPad: p.autoPad,
  });
  const [N, C] = p.xDims;
  const [M, Cg] = p.wDims;
  const group = p.group ?? 1;
  if (C % group !== 0 || M % group !== 0 || Cg !== C / group)
    throw new Error(`Conv channels: X has ${C}, W [${p.wDims}], group ${group}`);
  const lift = (v: number[], one: number) => (is1d ? [one, v[0]] : v);
  const [H, W] = lift(p.xDims.slice(2), 1);
  const [KH, KW] = lift(p.wDims.slice(2), 1);
  const [sh, sw] = lift(geo.strides, 1);
  const [dh, dw] = lift(geo.dilations, 1);
  const [pt, pl] = is1d ? [0, geo.pads[0]] : [geo.pads[0], geo.pads[1]];
  const [OH, OW] = lift(geo.outputSpatial, 1);
  const dims = [N, M, ...geo.outputSpatial];
  return { N, C, H, W, M, Cg, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, group, dims };
}

/** The 8-channel-block entry points read w repacked (repack_weights) into this many f32. */
function packedWeightCount(l: ReturnType<typeof conv2dLayout>): number {
  return l.group * Math.ceil(l.M / l.group / OC_BLOCK) * OC_BLOCK * l.Cg * l.KH * l.KW;
}

export interface PreparedConv2d {
  /** The conv alone: enough when w held its values when prepareConv2d ran (the default). */
  readonly dispatch: PreparedDispatch;
  /** What to record each run: the weight repack first when `weightsVary`, then the conv. */
  readonly dispatches: PreparedDispatch[];
  readonly dims: number[];
}

/**
 * y = act(conv(x, w) + bias); `bias` may be undefined. The blocked entry points read a repacked
 * copy of w (owned by the dispatch): it is made once here, by a submit, from w's current contents,
 * unless `weightsVary` (w written per run), where the repack is recorded before the conv each run.
 */
export async function prepareConv2d(
  ctx: GpuContext,
  x: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | undefined,
  y: GPUBuffer,
  p: Conv2dGpuParams,
): Promise<PreparedConv2d> {
  const l = conv2dLayout(p);
  const act = p.activation ?? { kind: 'none' };
  const Mg = l.M / l.group;
  const P = l.OH * l.OW;
  const direct = (p.algorithm ?? (Mg <= DIRECT_MAX_CHANNELS_PER_GROUP ? 'direct' : 'gemm')) === 'direct';
  const pointwise =
    !direct &&
    l.KH === 1 &&
    l.KW === 1 &&
    l.sh === 1 &&
    l.sw === 1 &&
    l.pt === 0 &&
    l.pl === 0 &&
    l.OH === l.H &&
    l.OW === l.W;
  const entry = direct ? 'conv_direct' : pointwise ? 'conv_pointwise' : 'conv_tile';
  const ocBlocks = Math.ceil(Mg / OC_BLOCK);
  // Pixels per invocation along a row: 8 in conv_tile, 4 in conv_direct (the uniform's quads_w).
  const quadsW = Math.ceil(l.OW / (entry === 'conv_tile' ? 8 : 4));
  const words = (total: number) =>
    uniformWords([
      l.C,
      l.H,
      l.W,
      l.Cg,
      l.KH,
      l.KW,
      l.sh,
      l.sw,
      l.dh,
      l.dw,
      l.pt,
      l.pl,
      l.OH,
      l.OW,
      Mg,
      l.group,
      l.M,
      bias ? 1 : 0,
      total,
      quadsW,
      { f: act.kind === 'clip' ? act.min : 0 },
      { f: act.kind === 'clip' ? act.max : 0 },
      ocBlocks,
      0,
    ]);
  const invocations = pointwise ? Math.ceil(P / 8) : l.OH * quadsW;
  const grid: [number, number, number] = [
    Math.ceil(invocations / WG),
    direct ? l.M : ocBlocks,
    direct ? l.N : l.N * l.group,
  ];
  const maxDim = ctx.limits.maxComputeWorkgroupsPerDimension;
  if (grid.some((d) => d > maxDim)) throw new Error(`conv2d: grid [${grid}] exceeds the dispatch limit`);
  const pipeline = await convPipeline(ctx, entry, ACTIVATION_CODE[act.kind]);
  if (direct) {
    const dispatch = prepareDispatch(
      ctx,
      `conv2d.${entry}`,
      pipeline,
      { buffers: [x, w, bias ?? w, y], uniform: words(0) },
      grid,
    );
    return { dispatch, dispatches: [dispatch], dims: l.dims };
  }
  const packedCount = packedWeightCount(l);
  const packed = createStorageBuffer(ctx, 'conv2d.packed-w', packedCount * 4);
  const repack = await prepareRepack(ctx, w, packed, words(packedCount), packedCount);
  const conv = prepareDispatch(
    ctx,
    `conv2d.${entry}`,
    pipeline,
    { buffers: [x, packed, bias ?? w, y], uniform: words(0) },
    grid,
  );
  const dispatch = { ...conv, owned: [...conv.owned, packed] };
  if (p.weightsVary) return { dispatch, dispatches: [repack, dispatch], dims: l.dims };
  const encoder = ctx.device.createCommandEncoder({ label: 'conv2d.repack-encoder' });
  recordDispatches(encoder, [repack], 'conv2d.repack');
  ctx.device.queue.submit([encoder.finish()]);
  await ctx.device.queue.onSubmittedWorkDone();
  destroyDispatches([repack]);
  return { dispatch, dispatches: [dispatch], dims: l.dims };
}

function convPipeline(ctx: GpuContext, entry: string, act: number): Promise<GPUComputePipeline> {
  return getPipeline(ctx, {
    op: `conv2d.${entry}`,
    params: { entry, wg: WG, act },
    build: async (q) => ({
      code: await loadWgsl(new URL('./conv2d.wgsl', import.meta.url)),
      entryPoint: q.entry,
      constants: { WG: q.wg, ACT: q.act },
    }),
  });
}

/** repack_weights binds only w (1), the packed copy (3) and the params (4). */
async function prepareRepack(
  ctx: GpuContext,
  w: GPUBuffer,
  packed: GPUBuffer,
  uniform: Uint32Array,
  count: number,
): Promise<PreparedDispatch> {
  const pipeline = await convPipeline(ctx, 'repack_weights', 0);
  const params = uploadUniform(ctx, 'conv2d.repack.params', uniform);
  const bindGroup = ctx.device.createBindGroup({
    label: 'conv2d.repack.bind-group',
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 1, resource: { buffer: w } },
      { binding: 3, resource: { buffer: packed } },
      { binding: 4, resource: { buffer: params } },
    ],
  });
  const workgroups = elementGrid(ctx, count, WG);
  return { label: 'conv2d.repack', pipeline, bindGroup, workgroups, owned: [params] };
}

// Host for conv2d.wgsl: f32 Conv (1-D as H = 1, and 2-D; NCHW) with groups, strides, dilations,
// pads / auto_pad, fused bias and Relu / Clip. Picks the implicit-GEMM entry point, or the direct
// one when each group has few output channels (depthwise). Oracle: conv2d.ref.ts; tests:
// tests/gpu/float-conv2d.test.ts.

import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { ACTIVATION_CODE, type FusedFloatActivation } from '../matmul/matmul.js';
import { type AutoPad, resolveConvGeometry } from './conv-geometry.js';

const WG = 16;
const TILE = 4 * WG;
/** Groups with at most this many output channels use the direct kernel (a GEMM tile is 64 wide). */
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

/** y = act(conv(x, w) + bias); `bias` may be undefined. Returns the output dims too. */
export async function prepareConv2d(
  ctx: GpuContext,
  x: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | undefined,
  y: GPUBuffer,
  p: Conv2dGpuParams,
): Promise<{ dispatch: PreparedDispatch; dims: number[] }> {
  const l = conv2dLayout(p);
  const act = p.activation ?? { kind: 'none' };
  const Mg = l.M / l.group;
  const direct = (p.algorithm ?? (Mg <= DIRECT_MAX_CHANNELS_PER_GROUP ? 'direct' : 'gemm')) === 'direct';
  const entry = direct ? 'conv_direct' : 'conv_gemm';
  const pipeline = await getPipeline(ctx, {
    op: `conv2d.${entry}`,
    params: { entry, wg: WG, tileK: 16, act: ACTIVATION_CODE[act.kind] },
    build: async (q) => ({
      code: await loadWgsl(new URL('./conv2d.wgsl', import.meta.url)),
      entryPoint: q.entry,
      constants: { WG_X: q.wg, WG_Y: q.wg, TILE_K: q.tileK, ACT: q.act },
    }),
  });
  const total = l.N * l.M * l.OH * l.OW;
  const uniform = uniformWords([
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
    0,
    { f: act.kind === 'clip' ? act.min : 0 },
    { f: act.kind === 'clip' ? act.max : 0 },
    0,
    0,
  ]);
  const batches = l.N * l.group;
  if (!direct && batches > ctx.limits.maxComputeWorkgroupsPerDimension)
    throw new Error(`conv2d: ${batches} image groups exceed the dispatch limit`);
  const grid: [number, number, number] = direct
    ? elementGrid(ctx, total, WG * WG)
    : [Math.ceil((l.OH * l.OW) / TILE), Math.ceil(Mg / TILE), batches];
  const dispatch = prepareDispatch(
    ctx,
    `conv2d.${entry}`,
    pipeline,
    { buffers: [x, w, bias ?? w, y], uniform },
    grid,
  );
  return { dispatch, dims: l.dims };
}

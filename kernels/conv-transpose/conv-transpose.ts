// Host for conv-transpose.wgsl: f32 ConvTranspose, 1-D (as H = 1) and 2-D, NCHW, with groups
// (depthwise included), strides, dilations, pads / auto_pad / output_padding / output_shape (resolved
// by the reference's resolveConvTransposeGeometry, so both paths agree), an optional bias and a fused
// Relu / Clip. Oracle: conv-transpose.ref.ts; tests: tests/gpu/conv-transpose.test.ts.

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
import { type ConvTransposeParams, resolveConvTransposeGeometry } from './conv-transpose.ref.js';

const WG = 64;

export interface ConvTransposeGpuParams extends ConvTransposeParams {
  /** [N, C, H, W] or [N, C, W] */
  readonly xDims: readonly number[];
  /** [C, M/group, kH, kW] or [C, M/group, kW] */
  readonly wDims: readonly number[];
  readonly activation?: FusedFloatActivation;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The kernel's geometry, or a thrown Error (rank other than 1-D / 2-D, inconsistent channels, a
 * grid past the device limits). Callers that must not fail late (the lowering) call it first.
 */
export function convTransposeLayout(ctx: GpuContext, p: ConvTransposeGpuParams) {
  const rank = p.xDims.length;
  if ((rank !== 3 && rank !== 4) || p.wDims.length !== rank)
    throw new Error(`ConvTranspose on the GPU takes 1-D or 2-D, got X [${p.xDims}], W [${p.wDims}]`);
  const is1d = rank === 3;
  const kernelSpatial = p.wDims.slice(2);
  if (p.kernelShape?.length && p.kernelShape.join() !== kernelSpatial.join())
    throw new Error(`kernel_shape [${p.kernelShape}] differs from W spatial dims [${kernelSpatial}]`);
  const geo = resolveConvTransposeGeometry(p.xDims.slice(2), kernelSpatial, p);
  const [N, C] = p.xDims;
  const [wc, Mg] = p.wDims;
  const group = p.group ?? 1;
  if (wc !== C || C % group !== 0)
    throw new Error(`ConvTranspose channels: X has ${C}, W [${p.wDims}], group ${group}`);
  const n = rank - 2;
  const strides = p.strides?.length ? p.strides : new Array<number>(n).fill(1);
  const dilations = p.dilations?.length ? p.dilations : new Array<number>(n).fill(1);
  const lift = (v: readonly number[], one: number) => (is1d ? [one, v[0]] : [v[0], v[1]]);
  const [H, W] = lift(p.xDims.slice(2), 1);
  const [KH, KW] = lift(kernelSpatial, 1);
  const [sh, sw] = lift(strides, 1);
  const [dh, dw] = lift(dilations, 1);
  const [pt, pl] = is1d ? [0, geo.pads[0]] : [geo.pads[0], geo.pads[1]];
  const [OH, OW] = lift(geo.outputSpatial, 1);
  const ocb = Mg >= 4 ? 4 : 1;
  const ob = Math.ceil(Mg / ocb);
  // Invocations per (row, column residue): each computes 4 pixels of that residue.
  const qw = Math.ceil(Math.ceil(OW / sw) / 4);
  const z = N * group * ob;
  const maxDim = ctx.limits.maxComputeWorkgroupsPerDimension;
  if (z > maxDim) throw new Error(`ConvTranspose: ${z} channel blocks exceed the dispatch limit`);
  const grid = elementGrid(ctx, OH * sw * qw, WG);
  const dims = [N, Mg * group, ...geo.outputSpatial];
  return {
    C,
    H,
    W,
    Cg: C / group,
    KH,
    KW,
    sh,
    sw,
    dh,
    dw,
    pt,
    pl,
    OH,
    OW,
    Mg,
    group,
    ocb,
    ob,
    qw,
    z,
    grid,
    dims,
  };
}

/** Output dims (throws as convTransposeLayout does). */
export function convTransposeOutputDims(ctx: GpuContext, p: ConvTransposeGpuParams): number[] {
  return convTransposeLayout(ctx, p).dims;
}

/** First tap k in [0, K) with k d = r (mod s), for each residue r; K when none. */
function firstTaps(K: number, d: number, s: number): number[] {
  const first = new Array<number>(s).fill(K);
  for (let k = K - 1; k >= 0; k--) first[(k * d) % s] = k;
  return first;
}

/** y = act(convTranspose(x, w) + bias); `bias` may be undefined. w is read as stored (no repack). */
export async function prepareConvTranspose(
  ctx: GpuContext,
  x: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | undefined,
  y: GPUBuffer,
  p: ConvTransposeGpuParams,
): Promise<PreparedDispatch> {
  const l = convTransposeLayout(ctx, p);
  const act = p.activation ?? { kind: 'none' };
  const pipeline = await getPipeline(ctx, {
    op: 'conv-transpose',
    params: { wg: WG, act: ACTIVATION_CODE[act.kind], ocb: l.ocb },
    build: async (q) => ({
      code: await loadWgsl(new URL('./conv-transpose.wgsl', import.meta.url)),
      constants: { WG: q.wg, ACT: q.act, OCB: q.ocb },
    }),
  });
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
    l.Mg,
    l.Mg * l.group,
    bias ? 1 : 0,
    l.qw,
    l.sh / gcd(l.sh, l.dh),
    l.sw / gcd(l.sw, l.dw),
    { f: act.kind === 'clip' ? act.min : 0 },
    { f: act.kind === 'clip' ? act.max : 0 },
    l.ob,
    l.group,
  ]);
  const table = Int32Array.from([...firstTaps(l.KH, l.dh, l.sh), ...firstTaps(l.KW, l.dw, l.sw)]);
  return prepareDispatch(ctx, 'conv-transpose', pipeline, { buffers: [x, w, bias ?? w, y], uniform, table }, [
    l.grid[0],
    l.grid[1],
    l.z,
  ]);
}

// Host for conv3d.wgsl: f32 Conv of [N, C, D, H, W] inputs (groups, strides, dilations, pads /
// auto_pad, bias) on the GPU, within 1e-5 relative of conv2d.ref.ts (which replays MLAS's SGEMM
// order; this kernel sums each output's taps in weight order). Tests: tests/gpu/pool-conv-3d.test.ts.
import { type AutoPad, resolveConvGeometry } from '../conv2d/conv-geometry.js';
import { createStorageBuffer } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';

export interface Conv3dParams {
  readonly xDims: readonly number[];
  readonly wDims: readonly number[];
  readonly group?: number;
  readonly kernelShape?: readonly number[];
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly autoPad?: AutoPad;
  readonly hasBias?: boolean;
}

const WORKGROUP_SIZE = 64;

/** Why the kernel does not take these shapes (the reference's own checks), or undefined. */
export function conv3dRefusal(p: Conv3dParams, biasDims?: readonly number[]): string | undefined {
  const { xDims, wDims } = p;
  const group = p.group ?? 1;
  if (xDims.length !== 5 || wDims.length !== 5) return 'Conv: not 3-D';
  if (!(group >= 1) || xDims[1] !== wDims[1] * group || wDims[0] % group !== 0)
    return 'Conv: channels do not match group';
  if (p.kernelShape && p.kernelShape.join() !== wDims.slice(2).join()) return 'Conv: kernel_shape';
  if (p.hasBias && (biasDims?.length !== 1 || biasDims[0] !== wDims[0])) return 'Conv: bias shape';
  try {
    const geo = resolveConvGeometry({ inputSpatial: xDims.slice(2), kernelSpatial: wDims.slice(2), ...p });
    const total = xDims[0] * wDims[0] * geo.outputSpatial.reduce((a, b) => a * b, 1);
    if (total >= 2 ** 31 || xDims.reduce((a, b) => a * b, 1) >= 2 ** 31) return 'Conv: 2^31 elements or more';
    if (geo.pads.some((v) => v < 0)) return 'Conv: negative pads';
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

/** y = conv(x, w) + bias; returns the dispatch and the output dims. */
export async function prepareConv3d(
  ctx: GpuContext,
  x: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | undefined,
  y: GPUBuffer,
  p: Conv3dParams,
): Promise<{ dispatch: PreparedDispatch; dims: number[] }> {
  const { xDims, wDims } = p;
  const group = p.group ?? 1;
  const geo = resolveConvGeometry({ inputSpatial: xDims.slice(2), kernelSpatial: wDims.slice(2), ...p });
  const [n, c] = xDims;
  const m = wDims[0];
  const dims = [n, m, ...geo.outputSpatial];
  const total = dims.reduce((a, b) => a * b, 1);
  const pipeline = await getPipeline(ctx, {
    op: 'conv3d',
    params: { hasBias: bias !== undefined, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code: await loadWgsl(new URL('./conv3d.wgsl', import.meta.url)),
      constants: { WORKGROUP_SIZE: q.workgroupSize, HAS_BIAS: q.hasBias ? 1 : 0 },
    }),
  });
  const [D, H, W] = xDims.slice(2);
  const [OD, OH, OW] = geo.outputSpatial;
  const [KD, KH, KW] = wDims.slice(2);
  const uniform = uniformWords([
    D,
    H,
    W,
    c / group,
    OD,
    OH,
    OW,
    m / group,
    KD,
    KH,
    KW,
    m,
    ...geo.strides,
    total,
    ...geo.dilations,
    group,
    ...geo.pads.slice(0, 3),
    0,
  ]);
  const dummy = bias ? undefined : createStorageBuffer(ctx, 'conv3d.no-bias', 4);
  const d = prepareDispatch(
    ctx,
    'conv3d',
    pipeline,
    { buffers: [x, w, bias ?? dummy!, y], uniform },
    elementGrid(ctx, total, WORKGROUP_SIZE),
  );
  return { dispatch: dummy ? { ...d, owned: [...d.owned, dummy] } : d, dims };
}

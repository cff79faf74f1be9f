// Host for the f32 Conv of [N, C, D, H, W] inputs (groups, strides, dilations, pads / auto_pad,
// bias) on the GPU. conv3d-exact.wgsl is bit-exact with conv2d.ref.ts (MLAS's im2col + SGEMM order,
// planned by conv3d-mlas-plan.ts) where the device's f32 arithmetic can replay it (the
// ConvTranspose exact kernel's probe) and MlasGemm splits into at most two tiles; elsewhere
// conv3d.wgsl sums each output's taps in weight order, within 1e-5 relative.
// Tests: tests/gpu/pool-conv-3d.test.ts.
import { type AutoPad, resolveConvGeometry } from '../conv2d/conv-geometry.js';
import { probeF32Arithmetic } from '../conv-transpose/conv-transpose-exact.js';
import { createStorageBuffer } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import { convMlasPlan } from './conv3d-mlas-plan.js';
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
): Promise<{ dispatch: PreparedDispatch; dims: number[]; exact: boolean }> {
  const { xDims, wDims } = p;
  const group = p.group ?? 1;
  const geo = resolveConvGeometry({ inputSpatial: xDims.slice(2), kernelSpatial: wDims.slice(2), ...p });
  const [n, c] = xDims;
  const m = wDims[0];
  const dims = [n, m, ...geo.outputSpatial];
  const total = dims.reduce((a, b) => a * b, 1);
  const [D, H, W] = xDims.slice(2);
  const [KD, KH, KW] = wDims.slice(2);
  const kSize = KD * KH * KW;
  const outSize = total / (n * m);
  const direct = geo.strides.every((v) => v === 1) && geo.pads.every((v) => v === 0) && kSize === 1;
  const arith = await probeF32Arithmetic(ctx);
  const plan = convMlasPlan(n, group, c / group, m / group, kSize, outSize, direct);
  // Kinds 1 and 2 (the M1 kernels) round each product: the compiler must not fuse a * b + c there.
  const exact =
    typeof plan !== 'string' &&
    arith.fma !== undefined &&
    (arith.unfused || plan.table.subarray(plan.opsBase).every((v, i) => i % 4 !== 2 || v === 0));
  const pipeline = await getPipeline(ctx, {
    op: exact ? 'conv3d-exact' : 'conv3d',
    params: {
      hasBias: bias !== undefined,
      workgroupSize: WORKGROUP_SIZE,
      fma: exact && arith.fma === 'native' ? 0 : 1,
    },
    build: async (q) => ({
      code: exact
        ? (await loadWgsl(new URL('../gpu/wgsl/exact-fma.wgsl', import.meta.url))) +
          (await loadWgsl(new URL('./conv3d-exact.wgsl', import.meta.url)))
        : await loadWgsl(new URL('./conv3d.wgsl', import.meta.url)),
      constants: {
        WORKGROUP_SIZE: q.workgroupSize,
        HAS_BIAS: q.hasBias ? 1 : 0,
        ...(exact ? { FMA: q.fma } : {}),
      },
    }),
  });
  const [OD, OH, OW] = geo.outputSpatial;
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
    ...(exact ? [plan.mSplit, plan.seqStartBase, plan.opsBase, 0, 0] : [0]),
  ]);
  const dummy = bias ? undefined : createStorageBuffer(ctx, 'conv3d.no-bias', 4);
  const d = prepareDispatch(
    ctx,
    'conv3d',
    pipeline,
    { buffers: [x, w, bias ?? dummy!, y], uniform, table: exact ? plan.table : undefined },
    elementGrid(ctx, total, WORKGROUP_SIZE),
  );
  return { dispatch: dummy ? { ...d, owned: [...d.owned, dummy] } : d, dims, exact };
}

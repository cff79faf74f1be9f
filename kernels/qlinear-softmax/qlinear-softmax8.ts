// Host for qlinear-softmax8.wgsl: com.microsoft QLinearSoftmax on int8/uint8, bit-exact with
// qlinear-softmax.ref.ts where the host can guarantee the kernel's preconditions (see the WGSL);
// elsewhere (y_scale below 2^-24) qlinearSoftmax8Applies says no and the caller keeps the CPU
// reference. Tests: tests/gpu/qlinear-softmax8.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { softmaxExpTable } from './qlinear-softmax.ref.js';

const WORKGROUP_SIZE = 64;

export interface QLinearSoftmax8Params {
  readonly dtype: 'int8' | 'uint8';
  readonly dims: readonly number[];
  /** Normalized to [0, rank). */
  readonly axis: number;
  readonly opset: number;
  readonly xScale: number;
  readonly yScale: number;
  readonly yZeroPoint: number;
}

/**
 * Bits of the largest positive f32 e with f32(e * y) finite (positive f32 order = bit order). The
 * product of two 24-bit significands is exact in a double, so fround rounds it as the GPU does.
 */
function largestFiniteFactor(y: number): number {
  const f = new Float32Array(1);
  const bits = new Uint32Array(f.buffer);
  let lo = 0;
  let hi = 0x7f7fffff;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    bits[0] = mid;
    if (Number.isFinite(Math.fround(f[0] * y))) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Whether the kernel is exact for these parameters (y_scale >= 2^-24, a non-empty axis). */
export function qlinearSoftmax8Applies(p: QLinearSoftmax8Params): boolean {
  return layoutOf(p) !== undefined && tableOf(p).logical[255] >= 1 && yIntOf(p) < 2 ** 24;
}

function layoutOf(p: QLinearSoftmax8Params) {
  const coerced = p.opset < 13;
  const length = coerced ? p.dims.slice(p.axis).reduce((a, b) => a * b, 1) : p.dims[p.axis];
  const inner = coerced ? 1 : p.dims.slice(p.axis + 1).reduce((a, b) => a * b, 1);
  const outer = p.dims.slice(0, p.axis).reduce((a, b) => a * b, 1);
  return length === 0 || outer * inner === 0 ? undefined : { length, inner, rows: outer * inner };
}

/** onnxruntime's table in logical order: L[i] = exp((i - 255 + shift) * xs), however it stores it. */
function tableOf(p: QLinearSoftmax8Params) {
  const signed = p.dtype === 'int8';
  const length = layoutOf(p)?.length ?? 1;
  const stored = softmaxExpTable(p.xScale, length, signed);
  const logical = new Float32Array(256);
  for (let i = 0; i < 256; i++) logical[i] = stored[signed ? (i - 128) & 255 : i];
  return { signed, logical };
}

function yIntOf(p: QLinearSoftmax8Params): number {
  return Math.floor(Math.fround(1 / Math.fround(p.yScale)));
}

/** The dispatch; the output must be cleared before it runs. Check qlinearSoftmax8Applies first. */
export async function prepareQLinearSoftmax8(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  p: QLinearSoftmax8Params,
): Promise<PreparedDispatch> {
  const layout = layoutOf(p);
  if (!layout || !qlinearSoftmax8Applies(p))
    throw new Error('QLinearSoftmax: parameters outside the GPU kernel');
  const { rows, length, inner } = layout;
  const { signed, logical } = tableOf(p);
  const yInt = yIntOf(p);
  const eMaxBits = largestFiniteFactor(yInt);
  const pipeline = await getPipeline(ctx, {
    op: 'qlinear-softmax8',
    params: { signed, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code:
        (await loadWgsl(new URL('../gpu/wgsl/div-nearest.wgsl', import.meta.url))) +
        (await loadWgsl(new URL('./qlinear-softmax8.wgsl', import.meta.url))),
      constants: { SIGNED: q.signed ? 1 : 0, WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
  return prepareDispatch(
    ctx,
    'qlinear-softmax8',
    pipeline,
    {
      buffers: [x, y],
      uniform: uniformWords([rows, length, inner, p.yZeroPoint, { f: yInt }, eMaxBits, 0, 0]),
      table: new Int32Array(logical.buffer),
    },
    elementGrid(ctx, rows, WORKGROUP_SIZE),
  );
}

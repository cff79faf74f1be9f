// GPU QuantizeLinear / DequantizeLinear / fake quantization (kernels/quantize/quantize.wgsl),
// per tensor or per axis, bit-exact with kernels/quant-math (and so with onnxruntime).
//
// Two levels: `recordQuantize` encodes the work on caller-owned buffers (for the graph executor);
// `quantizeGpu` / `dequantizeGpu` / `fakeQuantizeGpu` upload typed arrays, run, and read back.

import { createStorageBuffer, readBuffer, uploadBuffer, uploadUniform } from '../gpu/buffers.js';
import { type GpuContext, withValidation } from '../gpu/device.js';
import { elementChunks, linearGrid, maxBindingBytes, type SplitLimits } from '../gpu/dispatch.js';
import { f32Bits, packInt8 } from '../gpu/int8-packing.js';
import { getPipeline, type PipelineParams } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';

/** quantize.wgsl with the exact integer f32 helpers (split_f32, divide_round) it calls prepended. */
export const quantizeWgsl = async (): Promise<string> =>
  `${await loadWgsl(new URL('../gpu/wgsl/f32-exact.wgsl', import.meta.url))}\n${await loadWgsl(
    new URL('./quantize.wgsl', import.meta.url),
  )}`;

export type QuantizeMode = 'quantize' | 'dequantize' | 'fake';

const MODE_CODE: Record<QuantizeMode, number> = { quantize: 0, dequantize: 1, fake: 2 };
const WORKGROUP_SIZE = 64;

/** Quantization parameters of one tensor: per tensor (one scale) or per channel along `axis`. */
export interface QuantParamsGpu {
  /** Tensor shape (row-major). */
  readonly dims: readonly number[];
  /** One scale per tensor, or one per index of `axis`. */
  readonly scale: ArrayLike<number>;
  /** Same length as `scale`. */
  readonly zeroPoint: ArrayLike<number>;
  /** The channel axis when `scale` has more than one value (negative counts from the end). */
  readonly axis?: number;
  /** Integer range, e.g. int8 [-128, 127], uint8 [0, 255]. Values are stored as 8 bits. */
  readonly qmin: number;
  readonly qmax: number;
}

interface QuantizeKernelParams extends PipelineParams {
  readonly mode: number;
  readonly signed: boolean;
  readonly workgroupSize: number;
}

function pipelineFor(ctx: GpuContext, params: QuantizeKernelParams) {
  return getPipeline(ctx, {
    op: 'quantize',
    params,
    build: async (p) => ({
      code: await quantizeWgsl(),
      constants: { MODE: p.mode, SIGNED: p.signed ? 1 : 0, WORKGROUP_SIZE: p.workgroupSize },
    }),
  });
}

/** Elements per channel step and channel count, validated. */
function channelLayout(q: QuantParamsGpu): { inner: number; channels: number } {
  const channels = q.scale.length;
  if (q.zeroPoint.length !== channels)
    throw new Error(`quantize: ${channels} scales but ${q.zeroPoint.length} zero points`);
  if (channels === 1) return { inner: 1, channels: 1 };
  const rank = q.dims.length;
  const axis = (q.axis ?? 1) < 0 ? (q.axis ?? 1) + rank : (q.axis ?? 1);
  if (axis < 0 || axis >= rank) throw new Error(`quantize: axis ${q.axis} out of range for rank ${rank}`);
  if (q.dims[axis] !== channels)
    throw new Error(`quantize: axis ${axis} has ${q.dims[axis]} entries, ${channels} scales`);
  let inner = 1;
  for (let i = axis + 1; i < rank; i++) inner *= q.dims[i];
  return { inner, channels };
}

/**
 * Encodes `mode` on buffers: `src` holds f32 (quantize/fake) or packed 8-bit values (dequantize),
 * `dst` receives packed 8-bit (quantize) or f32 values. Work above the binding limit is split.
 */
export async function recordQuantize(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  mode: QuantizeMode,
  src: GPUBuffer,
  dst: GPUBuffer,
  q: QuantParamsGpu,
  limits?: SplitLimits,
): Promise<void> {
  const { inner, channels } = channelLayout(q);
  const count = q.dims.reduce((a, b) => a * b, 1);
  const signed = q.qmin < 0;
  const pipeline = await pipelineFor(ctx, { mode: MODE_CODE[mode], signed, workgroupSize: WORKGROUP_SIZE });
  const { device } = ctx;
  const scales = uploadBuffer(ctx, 'quantize.scales', f32Bits(q.scale));
  const zps = uploadBuffer(ctx, 'quantize.zero-points', Int32Array.from(q.zeroPoint));
  const srcBytes = mode === 'dequantize' ? 1 : 4;
  const dstBytes = mode === 'quantize' ? 1 : 4;
  const align = Math.max(256, ctx.limits.minStorageBufferOffsetAlignment);
  const maxElements = Math.floor(maxBindingBytes(ctx, limits) / 4);
  for (const [start, n] of elementChunks(count, maxElements, align)) {
    if (n === 0) continue;
    const uniform = uploadUniform(
      ctx,
      'quantize.params',
      new Int32Array([n, start, inner, channels, q.qmin, q.qmax]),
    );
    const bindGroup = device.createBindGroup({
      label: 'quantize.bind-group',
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: src, offset: start * srcBytes, size: bindingSize(n, srcBytes) } },
        { binding: 1, resource: { buffer: dst, offset: start * dstBytes, size: bindingSize(n, dstBytes) } },
        { binding: 2, resource: { buffer: scales } },
        { binding: 3, resource: { buffer: zps } },
        { binding: 4, resource: { buffer: uniform } },
      ],
    });
    const pass = encoder.beginComputePass({ label: `quantize.${mode}-pass` });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    const [x, y] = linearGrid(ctx, Math.ceil(n / 4 / WORKGROUP_SIZE));
    pass.dispatchWorkgroups(x, y);
    pass.end();
  }
}

/** Bytes bound for `n` elements of `bytes` each: packed 8-bit data rounds up to whole words. */
function bindingSize(n: number, bytes: number): number {
  return bytes === 1 ? Math.ceil(n / 4) * 4 : n * 4;
}

async function run(
  ctx: GpuContext,
  mode: QuantizeMode,
  input: ArrayBufferView,
  outBytes: number,
  q: QuantParamsGpu,
  limits?: SplitLimits,
): Promise<ArrayBuffer> {
  const src = uploadBuffer(ctx, 'quantize.input', input);
  const dst = createStorageBuffer(ctx, 'quantize.output', outBytes);
  const encoder = ctx.device.createCommandEncoder({ label: 'quantize.encoder' });
  await recordQuantize(ctx, encoder, mode, src, dst, q, limits);
  await withValidation(ctx, `quantize.${mode}`, () => ctx.device.queue.submit([encoder.finish()]));
  const out = await readBuffer(ctx, dst, outBytes);
  src.destroy();
  dst.destroy();
  return out;
}

/** QuantizeLinear on the GPU: int8 result if qmin < 0, else uint8. */
export async function quantizeGpu(
  ctx: GpuContext,
  x: Float32Array,
  q: QuantParamsGpu,
  limits?: SplitLimits,
): Promise<Int8Array | Uint8Array> {
  const out = await run(ctx, 'quantize', x, x.length, q, limits);
  return q.qmin < 0 ? new Int8Array(out) : new Uint8Array(out);
}

/** DequantizeLinear on the GPU (int8 input if qmin < 0, else uint8). */
export async function dequantizeGpu(
  ctx: GpuContext,
  values: Int8Array | Uint8Array,
  q: QuantParamsGpu,
  limits?: SplitLimits,
): Promise<Float32Array> {
  return new Float32Array(await run(ctx, 'dequantize', packInt8(values), values.length * 4, q, limits));
}

/** Quantize then dequantize on the GPU (the value a simulated graph carries). */
export async function fakeQuantizeGpu(
  ctx: GpuContext,
  x: Float32Array,
  q: QuantParamsGpu,
  limits?: SplitLimits,
): Promise<Float32Array> {
  return new Float32Array(await run(ctx, 'fake', x, x.length * 4, q, limits));
}

// GPU quantization whose parameters are GPU values (run-time scales / zero points): the
// DynamicQuantizeLinear parameter pass, 8-bit -> i32 widening of zero points, and quantize.wgsl
// recorded on caller-owned parameter buffers. Bit-exact with kernels/quantize/quantize.ref.ts.
import { uploadUniform } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { elementChunks, linearGrid, maxBindingBytes } from '../gpu/dispatch.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import { quantizeWgsl } from '../quantize/quantize.js';

const PARAMS_WORKGROUP = 256;
const QUANTIZE_WORKGROUP = 64;

function pass(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  label: string,
  pipeline: GPUComputePipeline,
  buffers: readonly (GPUBuffer | { buffer: GPUBuffer; offset: number; size: number })[],
  grid: [number, number],
): void {
  const bindGroup = ctx.device.createBindGroup({
    label: `${label}.bind-group`,
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((b, binding) => ({ binding, resource: 'buffer' in b ? b : { buffer: b } })),
  });
  const p = encoder.beginComputePass({ label: `${label}.pass` });
  p.setPipeline(pipeline);
  p.setBindGroup(0, bindGroup);
  p.dispatchWorkgroups(grid[0], grid[1]);
  p.end();
}

/** Whether `count` f32 elements fit one binding (the parameter pass binds x whole). */
export function fitsOneBinding(ctx: GpuContext, count: number): boolean {
  return count * 4 <= maxBindingBytes(ctx);
}

/**
 * DynamicQuantizeLinear's scale (f32) and zero point (uint8 in one word) from `count` f32 values,
 * and in `zq` (one i32 word) the zero point the quantize pass is to read.
 */
export async function recordDynamicQuantizeParams(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  x: GPUBuffer,
  count: number,
  scale: GPUBuffer,
  zeroPoint: GPUBuffer,
  zq: GPUBuffer,
): Promise<void> {
  const pipeline = await getPipeline(ctx, {
    op: 'dynamic-quantize-params',
    params: { workgroupSize: PARAMS_WORKGROUP },
    build: async (p) => ({
      code: `${await loadWgsl(new URL('../gpu/wgsl/f32-exact.wgsl', import.meta.url))}\n${await loadWgsl(
        new URL('./dynamic-quantize-params.wgsl', import.meta.url),
      )}`,
      constants: { WORKGROUP_SIZE: p.workgroupSize },
    }),
  });
  const uniform = uploadUniform(ctx, 'dynamic-quantize.params', new Uint32Array([count]));
  const xBinding = { buffer: x, offset: 0, size: Math.max(4, count * 4) };
  pass(ctx, encoder, 'dynamic-quantize-params', pipeline, [xBinding, scale, zeroPoint, uniform, zq], [1, 1]);
}

/** `count` packed 8-bit values -> i32 words in `dst` (sign-extended when `signed`). */
export async function recordWiden8(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  src: GPUBuffer,
  dst: GPUBuffer,
  count: number,
  signed: boolean,
): Promise<void> {
  const pipeline = await getPipeline(ctx, {
    op: 'widen8',
    params: {},
    build: async () => ({ code: await loadWgsl(new URL('./widen8.wgsl', import.meta.url)) }),
  });
  const uniform = uploadUniform(ctx, 'widen8.params', new Uint32Array([count, signed ? 1 : 0]));
  pass(ctx, encoder, 'widen8', pipeline, [src, dst, uniform], [Math.ceil(count / 64), 1]);
}

/** quantize.wgsl's layout of one run: `channels` parameters along an axis of `inner` stride. */
export interface RuntimeQuantLayout {
  readonly count: number;
  readonly inner: number;
  readonly channels: number;
  readonly qmin: number;
  readonly qmax: number;
}

/**
 * QuantizeLinear (mode 'quantize': f32 -> packed 8-bit) or DequantizeLinear ('dequantize') with the
 * scales (f32 bits) and zero points (i32 words) already in GPU buffers.
 */
export async function recordQuantizeWithBuffers(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  mode: 'quantize' | 'dequantize',
  src: GPUBuffer,
  dst: GPUBuffer,
  scales: GPUBuffer,
  zeroPoints: GPUBuffer,
  q: RuntimeQuantLayout,
): Promise<void> {
  const signed = q.qmin < 0;
  const modeCode = mode === 'quantize' ? 0 : 1;
  const pipeline = await getPipeline(ctx, {
    op: 'quantize',
    params: { mode: modeCode, signed, workgroupSize: QUANTIZE_WORKGROUP },
    build: async (p) => ({
      code: await quantizeWgsl(),
      constants: { MODE: p.mode, SIGNED: p.signed ? 1 : 0, WORKGROUP_SIZE: p.workgroupSize },
    }),
  });
  const srcBytes = mode === 'dequantize' ? 1 : 4;
  const dstBytes = mode === 'quantize' ? 1 : 4;
  const align = Math.max(256, ctx.limits.minStorageBufferOffsetAlignment);
  const maxElements = Math.floor(maxBindingBytes(ctx) / 4);
  const bytes = (n: number, b: number) => (b === 1 ? Math.ceil(n / 4) * 4 : n * 4);
  for (const [start, n] of elementChunks(q.count, maxElements, align)) {
    if (n === 0) continue;
    const uniform = uploadUniform(
      ctx,
      'quantize.params',
      new Int32Array([n, start, q.inner, q.channels, q.qmin, q.qmax]),
    );
    const buffers = [
      { buffer: src, offset: start * srcBytes, size: bytes(n, srcBytes) },
      { buffer: dst, offset: start * dstBytes, size: bytes(n, dstBytes) },
      scales,
      zeroPoints,
      uniform,
    ];
    pass(
      ctx,
      encoder,
      `quantize.${mode}`,
      pipeline,
      buffers,
      linearGrid(ctx, Math.ceil(n / 4 / QUANTIZE_WORKGROUP)),
    );
  }
}

/** MatMulInteger with zero points in GPU buffers (int-matmul-runtime.wgsl). */
export interface IntMatMulRuntimeSpec {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly batches: number;
  readonly aSigned: boolean;
  readonly bSigned: boolean;
  /** 0: absent, 1: one value, else one per row of A (m) / column of B (n). */
  readonly zaCount: number;
  readonly zbCount: number;
  /** int32 (exact, wrapping) or onnxruntime's x86 pairwise int16 sums. */
  readonly pairwise: boolean;
}

export interface IntMatMulRuntimeBuffers {
  readonly a: GPUBuffer;
  readonly b: GPUBuffer;
  /** Packed 8-bit zero points; any buffer when the count is 0. */
  readonly za: GPUBuffer;
  readonly zb: GPUBuffer;
  /** [a batch, b batch] per output batch, u32. */
  readonly batchMap: GPUBuffer;
  readonly y: GPUBuffer;
}

export async function recordIntMatMulRuntime(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  s: IntMatMulRuntimeSpec,
  bufs: IntMatMulRuntimeBuffers,
): Promise<void> {
  const pipeline = await getPipeline(ctx, {
    op: 'int-matmul-runtime',
    params: { pairwise: s.pairwise },
    build: async (p) => ({
      code: await loadWgsl(new URL('./int-matmul-runtime.wgsl', import.meta.url)),
      constants: { ACC_MODE: p.pairwise ? 1 : 0 },
    }),
  });
  const words = [s.m, s.k, s.n, s.batches, +s.aSigned, +s.bSigned];
  words.push(s.zaCount > 1 ? 1 : 0, s.zbCount > 1 ? 1 : 0, s.zaCount > 0 ? 1 : 0, s.zbCount > 0 ? 1 : 0);
  const uniform = uploadUniform(ctx, 'int-matmul-runtime.params', new Uint32Array(words));
  const count = s.m * s.n * s.batches;
  const { a, b, za, zb, batchMap, y } = bufs;
  pass(
    ctx,
    encoder,
    'int-matmul-runtime',
    pipeline,
    [a, b, za, zb, batchMap, y, uniform],
    linearGrid(ctx, Math.ceil(count / 64)),
  );
}

/** ConvInteger (2-D; 1-D as H = 1) with zero points in GPU buffers (int-conv-runtime.wgsl). */
export interface IntConvRuntimeSpec {
  /** [N, C, H, W], [M, C / group, KH, KW], [N, M, OH, OW]. */
  readonly xDims: readonly number[];
  readonly wDims: readonly number[];
  readonly yDims: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** [top, left, bottom, right]. */
  readonly pads: readonly number[];
  readonly group: number;
  readonly xSigned: boolean;
  readonly wSigned: boolean;
  /** 0 absent, 1 one value, M one per output channel (w only). */
  readonly zxCount: number;
  readonly zwCount: number;
}

export async function recordIntConvRuntime(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  s: IntConvRuntimeSpec,
  bufs: { x: GPUBuffer; w: GPUBuffer; zx: GPUBuffer; zw: GPUBuffer; y: GPUBuffer; bias?: GPUBuffer },
): Promise<void> {
  const pipeline = await getPipeline(ctx, {
    op: 'int-conv-runtime',
    params: {},
    build: async () => ({ code: await loadWgsl(new URL('./int-conv-runtime.wgsl', import.meta.url)) }),
  });
  const [n, c, h, w] = s.xDims;
  const [m, cg, kh, kw] = s.wDims;
  const [, , oh, ow] = s.yDims;
  const words = new Int32Array([
    n,
    c,
    h,
    w,
    m,
    cg,
    kh,
    kw,
    oh,
    ow,
    s.strides[0],
    s.strides[1],
    s.dilations[0],
    s.dilations[1],
    s.pads[0],
    s.pads[1],
    s.group,
    +s.xSigned,
    +s.wSigned,
    s.zxCount,
    s.zwCount,
    bufs.bias ? 1 : 0,
    0,
    0,
  ]);
  const uniform = uploadUniform(ctx, 'int-conv-runtime.params', words);
  const count = n * m * oh * ow;
  pass(
    ctx,
    encoder,
    'int-conv-runtime',
    pipeline,
    [bufs.x, bufs.w, bufs.zx, bufs.zw, bufs.y, uniform, bufs.bias ?? bufs.x],
    linearGrid(ctx, Math.ceil(count / 64)),
  );
}

/** The output side of QLinearMatMul / QLinearConv: onnxruntime's requantization of int32 sums. */
export interface RequantizeRuntimeSpec {
  readonly count: number;
  /** Elements per step of the channel axis; `channels` weight scales (1: per tensor). */
  readonly inner: number;
  readonly channels: number;
  readonly qmin: number;
  readonly qmax: number;
}

/**
 * y = clamp(roundHalfEven(f32(f32(acc) * M[c])) + zy, qmin, qmax), M = f32(f32(sx * sw[c]) / sy)
 * computed per element from the scales' GPU buffers (requantize-runtime.wgsl).
 */
export async function recordRequantizeRuntime(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  s: RequantizeRuntimeSpec,
  bufs: { acc: GPUBuffer; y: GPUBuffer; sx: GPUBuffer; sw: GPUBuffer; sy: GPUBuffer; zy: GPUBuffer },
): Promise<void> {
  const pipeline = await getPipeline(ctx, {
    op: 'requantize-runtime',
    params: {},
    build: async () => ({
      code: `${await loadWgsl(new URL('../gpu/wgsl/f32-exact.wgsl', import.meta.url))}\n${await loadWgsl(
        new URL('./requantize-runtime.wgsl', import.meta.url),
      )}`,
    }),
  });
  const words = new Int32Array([s.count, s.inner, s.channels, s.qmin < 0 ? 1 : 0, s.qmin, s.qmax]);
  const uniform = uploadUniform(ctx, 'requantize-runtime.params', words);
  const { acc, y, sx, sw, sy, zy } = bufs;
  pass(
    ctx,
    encoder,
    'requantize-runtime',
    pipeline,
    [acc, y, sx, sw, sy, zy, uniform],
    linearGrid(ctx, Math.ceil(s.count / 4 / 64)),
  );
}

/** y[row, col] -= za[row or 0] * colsum[col] in place (zero-point-correction.wgsl). */
export async function recordZeroPointCorrection(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  s: { count: number; m: number; n: number; zaPerRow: boolean; aSigned: boolean },
  bufs: { y: GPUBuffer; colsum: GPUBuffer; za: GPUBuffer },
): Promise<void> {
  const pipeline = await getPipeline(ctx, {
    op: 'zero-point-correction',
    params: {},
    build: async () => ({ code: await loadWgsl(new URL('./zero-point-correction.wgsl', import.meta.url)) }),
  });
  const words = new Uint32Array([s.count, s.m, s.n, +s.zaPerRow, +s.aSigned]);
  const uniform = uploadUniform(ctx, 'zero-point-correction.params', words);
  pass(
    ctx,
    encoder,
    'zero-point-correction',
    pipeline,
    [bufs.y, bufs.colsum, bufs.za, uniform],
    linearGrid(ctx, Math.ceil(s.count / 64)),
  );
}

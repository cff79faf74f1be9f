// GPU buffer helpers: upload, read back, and a small size-bucketed pool for reuse.
// Every buffer carries a `<op>.<role>` label so validation errors and captures say what it is.

import type { GpuContext } from './device.js';

// GPUBufferUsage is a global only once WebGPU is set up (Node: after acquireGpu), so the spec's
// numeric flag values are used.

/** Storage buffer that kernels read and write and that can be copied in and out:
 *  STORAGE 0x80 | COPY_SRC 0x04 | COPY_DST 0x08. */
export const STORAGE_USAGE = 0x80 | 0x04 | 0x08;

/** Storage the kernels write and that is cleared, never read back: STORAGE 0x80 | COPY_DST 0x08. */
export const SCRATCH_USAGE = 0x80 | 0x08;

/** Staging buffer for a read back: MAP_READ 0x01 | COPY_DST 0x08. */
export const READBACK_USAGE = 0x01 | 0x08;

/** Uniform buffer usage: UNIFORM 0x40 | COPY_DST 0x08. */
export const UNIFORM_USAGE = 0x40 | 0x08;

function alignTo4(n: number): number {
  return Math.max(4, Math.ceil(n / 4) * 4);
}

/** A new buffer holding `data` (padded with zeros to a multiple of 4 bytes). */
export function uploadBuffer(
  ctx: GpuContext,
  label: string,
  data: ArrayBufferView,
  usage: number = STORAGE_USAGE,
): GPUBuffer {
  const size = alignTo4(data.byteLength);
  const buffer = ctx.device.createBuffer({ label, size, usage, mappedAtCreation: true });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  buffer.unmap();
  return buffer;
}

/** A zero-filled storage buffer of at least `byteLength` bytes. */
export function createStorageBuffer(ctx: GpuContext, label: string, byteLength: number): GPUBuffer {
  return ctx.device.createBuffer({ label, size: alignTo4(byteLength), usage: STORAGE_USAGE });
}

/** A uniform buffer from 32-bit words (u32/i32 share the bits; f32 by bit pattern). */
export function uploadUniform(ctx: GpuContext, label: string, words: Uint32Array | Int32Array): GPUBuffer {
  // Uniform structs are 16-byte aligned in size.
  const padded = new Uint32Array(Math.max(4, Math.ceil(words.length / 4) * 4));
  padded.set(new Uint32Array(words.buffer, words.byteOffset, words.length));
  return uploadBuffer(ctx, label, padded, UNIFORM_USAGE);
}

/** Copies `byteLength` bytes from `source` (at `offset`) back to the CPU. */
export async function readBuffer(
  ctx: GpuContext,
  source: GPUBuffer,
  byteLength: number,
  offset = 0,
): Promise<ArrayBuffer> {
  const size = alignTo4(byteLength);
  const staging = ctx.device.createBuffer({
    label: `${source.label}.readback`,
    size,
    usage: READBACK_USAGE,
  });
  const encoder = ctx.device.createCommandEncoder({ label: `${source.label}.readback-encoder` });
  encoder.copyBufferToBuffer(source, offset, staging, 0, size);
  ctx.device.queue.submit([encoder.finish()]);
  await staging.mapAsync(0x0001); // GPUMapMode.READ
  const copy = staging.getMappedRange().slice(0, byteLength);
  staging.unmap();
  staging.destroy();
  return copy;
}

/**
 * Reuses storage buffers by size bucket (powers of two from 256 bytes), so an executor that runs
 * the same graph repeatedly stops allocating. Buffers keep the label of their first use.
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  constructor(private readonly ctx: GpuContext) {}

  static bucketSize(byteLength: number): number {
    let size = 256;
    while (size < byteLength) size *= 2;
    return size;
  }

  /** A storage buffer of at least `byteLength` bytes; contents are undefined. */
  acquire(label: string, byteLength: number): GPUBuffer {
    const size = BufferPool.bucketSize(byteLength);
    const reused = this.free.get(size)?.pop();
    if (reused) return reused;
    return this.ctx.device.createBuffer({ label, size, usage: STORAGE_USAGE });
  }

  /** Returns a buffer from `acquire` for reuse (after the work using it has been submitted). */
  release(buffer: GPUBuffer): void {
    const list = this.free.get(buffer.size) ?? [];
    list.push(buffer);
    this.free.set(buffer.size, list);
  }

  /** Destroys every pooled buffer. */
  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}

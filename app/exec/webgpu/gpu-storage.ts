// Where the WebGPU executor keeps tensors: which dtypes live on the GPU and in what layout, and a
// plan-time arena that gives every value a buffer and hands buffers back for reuse when the last
// reader has run (liveness). The arena is planned once; runs reuse the same buffers.
import { BufferPool } from '../../../kernels/gpu/buffers.js';
import type { GpuContext } from '../../../kernels/gpu/device.js';
import { allocData, type DType, sizeOf, type Tensor } from '../../../kernels/tensor.js';

/** Bytes per element on the GPU: 4 (f32/i32/u32 words), 1 (8-bit, packed 4 per word), or 0 (host only). */
export function gpuElementBytes(dtype: DType): 0 | 1 | 4 {
  if (dtype === 'float32' || dtype === 'int32' || dtype === 'uint32') return 4;
  if (dtype === 'int8' || dtype === 'uint8' || dtype === 'bool') return 1;
  return 0;
}

/**
 * Bytes per element of a value's GPU storage: gpuElementBytes, and 8 for int64 (two u32 words,
 * little endian). int64 graph inputs and the outputs of kernels that write indices (ArgMax / ArgMin)
 * live there; kernels that read indices (Gather / GatherND / GatherElements, OneHot, int64 Mod) and
 * the integer lowerings (lower-int.ts: arithmetic, comparisons, Where, Clip, Trilu, word-pair copies)
 * read them, the views (Reshape, ...) alias them; every other lowering sees gpuElementBytes = 0 and
 * declines. CPU results of int64 stay host-only.
 */
export function gpuStorageBytes(dtype: DType): 0 | 1 | 4 | 8 {
  return dtype === 'int64' ? 8 : gpuElementBytes(dtype);
}

export function gpuByteLength(dtype: DType, dims: readonly number[]): number {
  return Math.max(4, Math.ceil((sizeOf(dims) * gpuStorageBytes(dtype)) / 4) * 4);
}

/** The bytes of a tensor as the GPU holds them (little-endian host: the typed array's bytes). */
export function tensorBytes(t: Tensor): Uint8Array {
  const d = t.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** A tensor from bytes read back from the GPU. */
export function tensorFromBytes(dtype: DType, dims: readonly number[], bytes: ArrayBuffer): Tensor {
  const n = sizeOf(dims);
  const data = allocData(dtype, n);
  new Uint8Array(data.buffer).set(new Uint8Array(bytes, 0, data.byteLength));
  return { dtype, dims: [...dims], data };
}

/** One GPU allocation shared by a value and its views. */
interface Slot {
  readonly buffer: GPUBuffer;
  live: number;
}

/** Plan-time buffer assignment with reuse by size bucket once a slot has no live value left. */
export class StorageArena {
  private readonly pool: BufferPool;
  private readonly slots = new Map<string, Slot>();
  private readonly all = new Set<GPUBuffer>();
  /** Values given storage and their bytes in total (what no reuse would allocate). */
  valueCount = 0;
  valueBytes = 0;
  constructor(ctx: GpuContext) {
    this.pool = new BufferPool(ctx);
  }

  /** A buffer for a new value of `bytes` bytes. */
  allocate(name: string, bytes: number): GPUBuffer {
    const buffer = this.pool.acquire(`webgpu.${name}`, bytes);
    this.valueCount++;
    this.valueBytes += bytes;
    this.all.add(buffer);
    this.slots.set(name, { buffer, live: 1 });
    return buffer;
  }

  /** `view` shares `source`'s buffer (Reshape and friends, fused outputs). */
  alias(view: string, source: string): GPUBuffer {
    const slot = this.slots.get(source);
    if (!slot) throw new Error(`no GPU storage for '${source}'`);
    slot.live++;
    this.slots.set(view, slot);
    return slot.buffer;
  }

  has(name: string): boolean {
    return this.slots.has(name);
  }

  buffer(name: string): GPUBuffer {
    const slot = this.slots.get(name);
    if (!slot) throw new Error(`no GPU storage for '${name}'`);
    return slot.buffer;
  }

  /** The value is dead: its buffer returns to the pool once no view of it is live. */
  release(name: string): void {
    const slot = this.slots.get(name);
    if (!slot) return;
    slot.live--;
    if (slot.live === 0) this.pool.release(slot.buffer);
  }

  /** How many distinct buffers the plan uses (tests check that reuse happens). */
  get bufferCount(): number {
    return this.all.size;
  }

  /** Bytes of the distinct buffers (pool buckets round sizes up to powers of two). */
  get bufferBytes(): number {
    let total = 0;
    for (const b of this.all) total += b.size;
    return total;
  }

  destroy(): void {
    for (const b of this.all) b.destroy();
    this.all.clear();
  }
}

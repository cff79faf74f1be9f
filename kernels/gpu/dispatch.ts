// Splitting work to fit the device limits: dispatch grids above maxComputeWorkgroupsPerDimension
// and buffers above maxStorageBufferBindingSize.

import type { GpuContext } from './device.js';

/**
 * A 2-D grid of at least `workgroups` workgroups that respects the per-dimension limit. Kernels
 * recover the linear index as `wid.y * num_workgroups.x + wid.x` and skip indices past the end.
 */
export function linearGrid(ctx: GpuContext, workgroups: number, limits?: SplitLimits): [number, number] {
  const maxDim = maxWorkgroupsPerDimension(ctx, limits);
  if (workgroups <= maxDim) return [Math.max(1, workgroups), 1];
  const y = Math.ceil(workgroups / maxDim);
  if (y > maxDim) throw new Error(`dispatch of ${workgroups} workgroups exceeds the device limits`);
  return [Math.ceil(workgroups / y), y];
}

export interface SplitLimits {
  /** Largest bytes one storage binding may cover (default: the device's limit). */
  readonly maxBindingBytes?: number;
  /** Largest workgroup count per grid dimension (default: the device's limit). */
  readonly maxWorkgroupsPerDimension?: number;
}

/** Workgroups one grid dimension may have: the device limit, or a smaller test override. */
export function maxWorkgroupsPerDimension(ctx: GpuContext, limits?: SplitLimits): number {
  const device = ctx.limits.maxComputeWorkgroupsPerDimension;
  return Math.min(device, limits?.maxWorkgroupsPerDimension ?? device);
}

/** Bytes one binding may cover: the device limit, or a smaller test override. */
export function maxBindingBytes(ctx: GpuContext, limits?: SplitLimits): number {
  const device = ctx.limits.maxStorageBufferBindingSize;
  return Math.min(device, limits?.maxBindingBytes ?? device);
}

/**
 * Splits `count` elements into chunks whose bindings fit: each chunk's start is a multiple of
 * `startMultiple` elements (so byte offsets meet minStorageBufferOffsetAlignment) and each chunk
 * has at most `maxElements`.
 */
export function elementChunks(count: number, maxElements: number, startMultiple: number): [number, number][] {
  const step = Math.floor(maxElements / startMultiple) * startMultiple;
  if (step <= 0)
    throw new Error(`binding limit of ${maxElements} elements is below the alignment ${startMultiple}`);
  const chunks: [number, number][] = [];
  for (let start = 0; start < count; start += step) chunks.push([start, Math.min(step, count - start)]);
  if (chunks.length === 0) chunks.push([0, 0]);
  return chunks;
}

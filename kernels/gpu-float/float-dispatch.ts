// What the float WGSL hosts (conv2d, matmul, elementwise, pool, softmax, copy) hand to a caller:
// prepared dispatches (pipeline + bind group + grid) built once on caller-owned buffers, so the
// graph executor plans every node once and only records passes per run. Small per-dispatch
// buffers (uniforms, index tables) are owned by the dispatch and freed with `destroyDispatches`.
//
// Tensors travel as 32-bit words (f32 / i32 bit patterns) or packed bytes (int8/uint8, 4 per u32,
// little endian, see kernels/gpu/int8-packing.ts). A binding is a whole GPUBuffer: the executor
// gives every tensor its own (pooled) buffer, views share their source's buffer.

import { uploadBuffer, uploadUniform } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { linearGrid } from '../gpu/dispatch.js';

export interface PreparedDispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number, number];
  /** Buffers created for this dispatch only (uniforms, tables). */
  readonly owned: readonly GPUBuffer[];
}

/** Records the dispatches in one compute pass (WebGPU orders dispatches within a pass). */
export function recordDispatches(
  encoder: GPUCommandEncoder,
  dispatches: readonly PreparedDispatch[],
  label = 'float.pass',
): void {
  if (dispatches.length === 0) return;
  const pass = encoder.beginComputePass({ label });
  for (const d of dispatches) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
  }
  pass.end();
}

export function destroyDispatches(dispatches: readonly PreparedDispatch[]): void {
  for (const d of dispatches) for (const b of d.owned) b.destroy();
}

/** One binding per buffer, in binding order; uniform words and i32 tables are uploaded here. */
export interface BindingSpec {
  readonly buffers: readonly GPUBuffer[];
  /** Uniform words appended as the next binding (f32 values by bit pattern). */
  readonly uniform?: Uint32Array;
  /** An i32 storage table appended after the uniform (shapes, strides, index maps). */
  readonly table?: Int32Array;
}

export function prepareDispatch(
  ctx: GpuContext,
  label: string,
  pipeline: GPUComputePipeline,
  spec: BindingSpec,
  workgroups: readonly [number, number, number],
): PreparedDispatch {
  const owned: GPUBuffer[] = [];
  const all = [...spec.buffers];
  if (spec.uniform) {
    const u = uploadUniform(ctx, `${label}.params`, spec.uniform);
    owned.push(u);
    all.push(u);
  }
  if (spec.table) {
    const t = uploadBuffer(ctx, `${label}.table`, spec.table.length ? spec.table : new Int32Array(1));
    owned.push(t);
    all.push(t);
  }
  const bindGroup = ctx.device.createBindGroup({
    label: `${label}.bind-group`,
    layout: pipeline.getBindGroupLayout(0),
    entries: all.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  return { label, pipeline, bindGroup, workgroups, owned };
}

/** A grid for `threads` one-per-element threads in workgroups of `size` (2-D past the limit). */
export function elementGrid(ctx: GpuContext, threads: number, size: number): [number, number, number] {
  const [x, y] = linearGrid(ctx, Math.ceil(Math.max(threads, 1) / size));
  return [x, y, 1];
}

/** Words of a uniform from mixed u32 / f32 fields: numbers are u32 (or i32), {f} entries f32. */
export function uniformWords(fields: readonly (number | { f: number })[]): Uint32Array {
  const words = new Uint32Array(fields.length);
  const f32 = new Float32Array(words.buffer);
  const i32 = new Int32Array(words.buffer);
  fields.forEach((v, i) => {
    if (typeof v === 'number') i32[i] = v;
    else f32[i] = v.f;
  });
  return words;
}

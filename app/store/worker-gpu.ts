// The run worker's WebGPU side: the real WebGpuExecutor, plus a count of the command buffers a
// run submits (compute vs. readback copies) for the page's "where did it run" line. The executor
// does not report submits, so the shared device's createCommandEncoder is wrapped once per device:
// every encoder the executor or the kernels create is finished and submitted once, and readBuffer
// (kernels/gpu/buffers.ts) labels its copies '<buffer>.readback-encoder'.
import { acquireGpu } from '../../kernels/gpu/device.js';
import { WebGpuExecutor } from '../exec/webgpu/webgpu-executor.js';
import type { Model } from '../model/ir.js';
import type { GpuBackendFactory, GpuWorkCount } from './run-engine.js';

const instrumented = new WeakSet<GPUDevice>();
let submits = 0;
let readbacks = 0;

function instrument(device: GPUDevice): void {
  if (instrumented.has(device)) return;
  instrumented.add(device);
  const create = device.createCommandEncoder.bind(device);
  device.createCommandEncoder = (descriptor?: GPUCommandEncoderDescriptor) => {
    if (descriptor?.label?.endsWith('.readback-encoder')) readbacks++;
    else submits++;
    return create(descriptor);
  };
}

export const webGpuFactory: GpuBackendFactory = {
  create: (model: Model) => WebGpuExecutor.create(model),
  async counting<T>(during: () => Promise<T>): Promise<{ result: T; count: GpuWorkCount }> {
    const ctx = await acquireGpu();
    instrument(ctx.device);
    const before = { submits, readbacks };
    const result = await during();
    const count: GpuWorkCount = {
      adapter: ctx.adapterDescription,
      submits: submits - before.submits,
      readbacks: readbacks - before.readbacks,
    };
    return { result, count };
  },
};

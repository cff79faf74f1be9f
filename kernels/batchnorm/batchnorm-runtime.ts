// Host of batchnorm-runtime.wgsl: inference BatchNormalization with its parameters in GPU buffers.
import { uploadUniform } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { linearGrid } from '../gpu/dispatch.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';

export interface BatchNormRuntimeSpec {
  readonly count: number;
  /** Elements of one sample (C * spatial). */
  readonly perBatch: number;
  /** Elements sharing one parameter within a sample (spatial; 1 for opset 6-8 spatial = 0). */
  readonly spread: number;
  readonly epsilon: number;
}

export async function recordBatchNormRuntime(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  s: BatchNormRuntimeSpec,
  bufs: readonly GPUBuffer[], // x, scale, B, mean, var, y
): Promise<void> {
  const pipeline = await getPipeline(ctx, {
    op: 'batchnorm-runtime',
    params: {},
    build: async () => ({ code: await loadWgsl(new URL('./batchnorm-runtime.wgsl', import.meta.url)) }),
  });
  const words = new Uint32Array([s.count, s.perBatch, s.spread, 0]);
  new Float32Array(words.buffer, 12, 1)[0] = s.epsilon;
  const uniform = uploadUniform(ctx, 'batchnorm-runtime.params', words);
  const bindGroup = ctx.device.createBindGroup({
    label: 'batchnorm-runtime.bind-group',
    layout: pipeline.getBindGroupLayout(0),
    entries: [...bufs, uniform].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const pass = encoder.beginComputePass({ label: 'batchnorm-runtime.pass' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  const [gx, gy] = linearGrid(ctx, Math.ceil(s.count / 64));
  pass.dispatchWorkgroups(gx, gy);
  pass.end();
}

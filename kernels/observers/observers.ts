// GPU calibration observers (observers.wgsl): min/max and histograms, per tensor or per channel.
// Their meaning (which values count, the bin rule) is observers.ref.ts; the kernels equal it.

import { readBuffer, uploadBuffer, uploadUniform } from '../gpu/buffers.js';
import { type GpuContext, withValidation } from '../gpu/device.js';
import {
  elementChunks,
  linearGrid,
  maxBindingBytes,
  maxWorkgroupsPerDimension,
  type SplitLimits,
} from '../gpu/dispatch.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import { binEstimateScale, channelLayout, histogramEdges, type ObserverLayout } from './observers.ref.js';

const RUN = 64;
const WORKGROUP_SIZE = 64;
export const DEFAULT_HISTOGRAM_BINS = 2048;

export type { ObserverLayout } from './observers.ref.js';

async function runObserver(
  ctx: GpuContext,
  entryPoint: 'minmax_main' | 'histogram_main',
  x: Float32Array,
  l: ObserverLayout,
  outInit: Uint32Array,
  ranges: Uint32Array,
  bins: number,
  limits?: SplitLimits,
  abs = false,
): Promise<Uint32Array> {
  const { count, inner, channels } = channelLayout(l);
  if (x.length !== count) throw new Error(`observer: ${x.length} values for dims [${l.dims}]`);
  const pipeline = await getPipeline(ctx, {
    op: 'observers',
    params: { entryPoint, run: RUN, workgroupSize: WORKGROUP_SIZE, bins, abs },
    build: async (p) => ({
      code: await loadWgsl(new URL('./observers.wgsl', import.meta.url)),
      entryPoint: p.entryPoint,
      constants: { RUN: p.run, WORKGROUP_SIZE: p.workgroupSize, BINS: p.bins, ABS: p.abs ? 1 : 0 },
    }),
  });
  const op = entryPoint === 'minmax_main' ? 'observers.minmax' : 'observers.histogram';
  const input = uploadBuffer(ctx, `${op}.input`, x);
  const output = uploadBuffer(ctx, `${op}.output`, outInit);
  const rangeBuffer = uploadBuffer(ctx, `${op}.ranges`, ranges);
  const uniforms: GPUBuffer[] = [];
  await withValidation(ctx, op, () => {
    // The min/max entry point does not use the ranges (binding 2), so its 'auto' layout lacks it.
    const layoutOf = pipeline.getBindGroupLayout(0);
    const encoder = ctx.device.createCommandEncoder({ label: `${op}.encoder` });
    // Inputs above the binding limit: one dispatch per window (starts stay offset-aligned; the
    // atomics merge the partial results), each also bounded by the per-dimension grid limit.
    const align = Math.max(256, ctx.limits.minStorageBufferOffsetAlignment) / 4;
    const maxElements = Math.min(
      Math.floor(maxBindingBytes(ctx, limits) / 4),
      RUN * WORKGROUP_SIZE * maxWorkgroupsPerDimension(ctx, limits) ** 2,
    );
    for (const [start, n] of elementChunks(count, maxElements, align)) {
      if (n === 0) continue;
      const uniform = uploadUniform(ctx, `${op}.params`, Uint32Array.from([n, inner, channels, start]));
      uniforms.push(uniform);
      const resources: Record<number, GPUBufferBinding> = {
        0: { buffer: input, offset: start * 4, size: n * 4 },
        1: { buffer: output },
        2: { buffer: rangeBuffer },
        3: { buffer: uniform },
      };
      const used = entryPoint === 'minmax_main' ? [0, 1, 3] : [0, 1, 2, 3];
      const bindGroup = ctx.device.createBindGroup({
        label: `${op}.bind-group`,
        layout: layoutOf,
        entries: used.map((binding) => ({ binding, resource: resources[binding] })),
      });
      const pass = encoder.beginComputePass({ label: `${op}.pass` });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(...linearGrid(ctx, Math.ceil(n / RUN / WORKGROUP_SIZE), limits));
      pass.end();
    }
    ctx.device.queue.submit([encoder.finish()]);
  });
  const out = new Uint32Array(await readBuffer(ctx, output, outInit.byteLength));
  for (const b of [input, output, rangeBuffer, ...uniforms]) b.destroy();
  return out;
}

function keyToF32(key: number): number {
  const bits = key & 0x80000000 ? key & 0x7fffffff : ~key >>> 0;
  return new Float32Array(Uint32Array.of(bits).buffer)[0];
}

/** Min and max per channel (one pair per tensor without `axis`), as minMaxRef. */
export async function minMaxGpu(
  ctx: GpuContext,
  x: Float32Array,
  l: ObserverLayout,
  limits?: SplitLimits,
  abs = false,
): Promise<{ min: Float32Array; max: Float32Array; found: Uint8Array }> {
  const { channels } = channelLayout(l);
  const init = new Uint32Array(2 * channels);
  for (let c = 0; c < channels; c++) init[2 * c] = 0xffffffff;
  const keys = await runObserver(
    ctx,
    'minmax_main',
    x,
    l,
    init,
    new Uint32Array(1),
    DEFAULT_HISTOGRAM_BINS,
    limits,
    abs,
  );
  const min = new Float32Array(channels);
  const max = new Float32Array(channels);
  const found = new Uint8Array(channels);
  for (let c = 0; c < channels; c++) {
    if (keys[2 * c] === 0xffffffff) continue; // no finite value
    found[c] = 1;
    min[c] = keyToF32(keys[2 * c]);
    max[c] = keyToF32(keys[2 * c + 1]);
  }
  return { min, max, found };
}

/**
 * Histograms of `bins` bins over [lo[c], hi[c]] per channel (one range per tensor without `axis`),
 * as histogramRef; returns channels * bins counts, channel-major.
 */
export async function histogramGpu(
  ctx: GpuContext,
  x: Float32Array,
  l: ObserverLayout,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  bins = DEFAULT_HISTOGRAM_BINS,
  limits?: SplitLimits,
  abs = false,
): Promise<Uint32Array> {
  const { channels } = channelLayout(l);
  if (lo.length !== channels || hi.length !== channels) throw new Error(`histogram: need ${channels} ranges`);
  // Per channel: the estimate's scale, then after all scales the channel's bins + 1 f32 edges.
  const ranges = new Float32Array(channels + channels * (bins + 1));
  for (let c = 0; c < channels; c++) {
    const edges = histogramEdges(lo[c], hi[c], bins);
    ranges[c] = binEstimateScale(edges);
    ranges.set(edges, channels + c * (bins + 1));
  }
  const rangeBits = new Uint32Array(ranges.buffer);
  return runObserver(
    ctx,
    'histogram_main',
    x,
    l,
    new Uint32Array(channels * bins),
    rangeBits,
    bins,
    limits,
    abs,
  );
}

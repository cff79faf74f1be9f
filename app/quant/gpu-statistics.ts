// Calibration statistics gathered by the GPU observers (kernels/observers): per-sample min/max,
// min/max of |x|, and the histograms a built-in observer reads, computed by WGSL kernels; the
// observer's strategy then chooses the range from them. The GPU observers equal their reference
// (kernels/observers/observers.ref.ts), which the CPU statistics are built on too, so a
// calibration gathers the same statistics and chooses the same ranges on either side.
//
// What stays on the host: counting the finite values (no observer reads the count) and
// concatenating the samples into one upload.
import type { GpuContext } from '../../kernels/gpu/device.js';
import { histogramGpu, minMaxGpu } from '../../kernels/observers/observers.js';
import { counts } from '../../kernels/observers/observers.ref.js';
import { concatFloat32 } from '../../kernels/tensor.js';
import type { AsyncRangeChooser } from './calibrate.js';
import { histogramEdges } from './range-observers.js';
import {
  BUILTIN_STRATEGIES,
  chooserInput,
  EMPTY,
  type Measured,
  type Part,
  type StatisticsInput,
  statisticsFrom,
  type TensorStatistics,
} from './strategy.js';

async function minMaxOf(ctx: GpuContext, x: Float32Array, abs = false): Promise<[number, number] | null> {
  if (x.length === 0) return null;
  const r = await minMaxGpu(ctx, x, { dims: [x.length] }, undefined, abs);
  return r.found[0] ? [r.min[0], r.max[0]] : null;
}

async function histogramOf(
  ctx: GpuContext,
  x: Float32Array,
  lo: number,
  hi: number,
  bins: number,
  abs = false,
) {
  const edges = histogramEdges(lo, hi, bins);
  // An empty tensor has an empty histogram (nothing to upload), as on the CPU.
  if (x.length === 0) return { counts: new Float64Array(bins), edges };
  const raw = await histogramGpu(ctx, x, { dims: [x.length] }, [lo], [hi], bins, undefined, abs);
  return { counts: Float64Array.from(raw), edges };
}

/** The statistics of one tensor measured on the GPU (only the histograms in `parts`). */
export async function gatherStatisticsGpu(
  ctx: GpuContext,
  input: StatisticsInput,
  parts: readonly Part[],
): Promise<TensorStatistics> {
  const samples = input.values.map((v) => (v instanceof Float32Array ? v : Float32Array.from(v)));
  const sampleRanges = await Promise.all(samples.map((v) => minMaxOf(ctx, v)));
  const found = sampleRanges.filter((r): r is [number, number] => r !== null);
  const min = found.length ? Math.min(...found.map((r) => r[0])) : 0;
  const max = found.length ? Math.max(...found.map((r) => r[1])) : 0;
  const all = concatFloat32(samples);
  let count = 0;
  for (let i = 0; i < all.length; i++) if (counts(all[i])) count++;
  const { bins } = input.config.activations;
  const want = new Set(parts);
  const m: Measured = {
    count,
    min,
    max,
    sampleRanges,
    histogram: want.has('histogram') ? await histogramOf(ctx, all, min, max, bins) : EMPTY,
    absHistogram: EMPTY,
    centredHistogram: EMPTY,
  };
  if (want.has('absHistogram')) {
    const [lo, hi] = (await minMaxOf(ctx, all, true)) ?? [0, 0];
    Object.assign(m, { absHistogram: await histogramOf(ctx, all, lo, hi, bins, true) });
  }
  if (want.has('centredHistogram')) {
    const t = Math.fround(Math.max(Math.abs(min), Math.abs(max)));
    Object.assign(m, { centredHistogram: await histogramOf(ctx, all, -t, t, bins) });
  }
  return statisticsFrom(input, m);
}

/** A calibration range chooser whose statistics come from the GPU observers. */
export function gpuRangeChooser(ctx: GpuContext): AsyncRangeChooser {
  return async (values, observer, q, config) => {
    const b = BUILTIN_STRATEGIES[observer];
    const r = b.run(await gatherStatisticsGpu(ctx, chooserInput(values, q, config), b.reads));
    return [r.min, r.max];
  };
}

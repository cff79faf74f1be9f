// Turning the engine's results into the page's plain views: a tensor's histogram, its parameters
// and the range each observer would choose; the metrics as table rows; the per-layer metrics as
// Google Model Explorer node data. Pure functions of engine values (no store, no worker).
import { concatFloat32, type Tensor, toFloat32 } from '../../kernels/tensor.js';
import type { ActivationResult } from '../quant/calibrate.js';
import { argmaxRows, ErrorAccumulator } from '../quant/compare.js';
import type { QuantConfig } from '../quant/config.js';
import type { QuantMetrics } from '../quant/metrics.js';
import { effectiveRole, fakeQuantize, type QParams, roleRange } from '../quant/params.js';
import { gatherStatistics } from '../quant/strategy.js';
import type {
  CandidateRange,
  HistogramView,
  LayerRow,
  MetricsView,
  OutputView,
  StrategyInput,
  TensorDetail,
  TensorKind,
} from './quant-types.js';

export const HISTOGRAM_BINS = 80;
/** Values handed to a user strategy per tensor (evenly sampled beyond this). */
export const STRATEGY_VALUES = 65_536;

/** Concatenates the float values of several tensors. */
export function concatValues(tensors: readonly Tensor[]): Float32Array {
  return concatFloat32(tensors.map((t) => toFloat32(t)));
}

export function finiteExtent(values: Float32Array): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo > hi ? [0, 0] : [lo, hi];
}

/** Counts over `bins` equal bins spanning [lo, hi] (widened a little when lo == hi). */
export function histogram(
  values: Float32Array,
  lo: number,
  hi: number,
  bins = HISTOGRAM_BINS,
): HistogramView {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.05 : 1;
    lo -= pad;
    hi += pad;
  }
  const counts = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (const v of values) {
    if (!Number.isFinite(v) || v < lo || v > hi) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / w))]++;
  }
  return { lo, hi, counts };
}

/** SQNR (dB) of values against their quantize-dequantize under p. */
export function sqnrUnder(values: Float32Array, dims: readonly number[], p: QParams): number {
  const acc = new ErrorAccumulator();
  acc.add(values, fakeQuantize(values, dims, p));
  return acc.sqnr();
}

/** The range every observer would choose for an activation's per-sample values, and its SQNR. */
export function candidateRanges(
  perSample: readonly Float32Array[],
  config: QuantConfig,
  tensor: string,
): CandidateRange[] {
  const role = effectiveRole(config.activations, config.overrides[tensor]);
  const { qmin, qmax } = roleRange(role);
  const stats = gatherStatistics(
    {
      name: tensor,
      role: 'activation',
      dtype: role.dtype,
      qmin,
      qmax,
      symmetric: role.symmetric,
      values: perSample,
      config,
    },
    { candidates: true },
  );
  return stats.candidates.map((c) => ({ observer: c.observer, range: c.range, sqnr: c.sqnr, note: null }));
}

/** Per-channel lo/hi of a weight along its axis. */
function channelExtents(values: Float32Array, dims: readonly number[], axis: number) {
  const channels = dims[axis];
  let inner = 1;
  for (let d = axis + 1; d < dims.length; d++) inner *= dims[d];
  const lo = new Array<number>(channels).fill(0);
  const hi = new Array<number>(channels).fill(0);
  for (let i = 0; i < values.length; i++) {
    const c = Math.floor(i / inner) % channels;
    if (values[i] < lo[c]) lo[c] = values[i];
    if (values[i] > hi[c]) hi[c] = values[i];
  }
  return { lo, hi };
}

export interface DetailInput {
  readonly name: string;
  readonly kind: TensorKind;
  readonly params: QParams;
  readonly values: Float32Array;
  readonly dims: readonly number[];
  readonly perSample: readonly Float32Array[];
  readonly result?: ActivationResult;
  readonly source: string;
  readonly passthrough: boolean;
  readonly config: QuantConfig;
}

export function tensorDetail(d: DetailInput): TensorDetail {
  const { params: p, values } = d;
  const [vmin, vmax] = finiteExtent(values);
  const perTensor = p.axis === undefined;
  const range: [number, number] | null = d.result
    ? [d.result.range[0], d.result.range[1]]
    : perTensor
      ? [(p.qmin - p.zeroPoint[0]) * p.scale[0], (p.qmax - p.zeroPoint[0]) * p.scale[0]]
      : null;
  const lo = Math.min(vmin, range?.[0] ?? vmin);
  const hi = Math.max(vmax, range?.[1] ?? vmax);
  const override = d.config.overrides[d.name];
  const manual =
    (override?.min !== undefined && override.max !== undefined) ||
    (override?.scale !== undefined && override.zeroPoint !== undefined);
  const channels =
    p.axis !== undefined ? { scale: [...p.scale], ...channelExtents(values, d.dims, p.axis) } : null;
  return {
    name: d.name,
    kind: d.kind,
    dtype: p.dtype,
    scale: [...p.scale],
    zeroPoint: [...p.zeroPoint],
    axis: p.axis ?? null,
    qmin: p.qmin,
    qmax: p.qmax,
    range,
    source: manual ? 'manual' : d.source,
    passthrough: d.passthrough,
    manual,
    histogram: histogram(values, lo, hi),
    valueMin: vmin,
    valueMax: vmax,
    count: values.length,
    sqnr: values.length > 0 ? sqnrUnder(values, d.kind === 'weight' ? d.dims : [], p) : null,
    candidates: d.kind === 'activation' ? candidateRanges(d.perSample, d.config, d.name) : [],
    channels,
  };
}

/** At most `limit` values, evenly sampled (the strategy worker gets a bounded message). */
export function sampleValues(values: Float32Array, limit = STRATEGY_VALUES): Float32Array {
  if (values.length <= limit) return values;
  const out = new Float32Array(limit);
  const step = values.length / limit;
  for (let i = 0; i < limit; i++) out[i] = values[Math.floor(i * step)];
  return out;
}

/** A tensor as a typed strategy sees it: its statistics (candidates' SQNR on the sampled values). */
export function strategyInput(
  name: string,
  kind: TensorKind,
  params: QParams,
  symmetric: boolean,
  perSample: readonly Float32Array[],
  config: QuantConfig,
): StrategyInput {
  const values = sampleValues(perSample.length === 1 ? perSample[0] : concatFloat32(perSample));
  const stats = gatherStatistics(
    {
      name,
      role: kind === 'weight' ? 'weight' : 'activation',
      dtype: params.dtype,
      qmin: params.qmin,
      qmax: params.qmax,
      symmetric,
      values: perSample,
      config,
    },
    { candidates: true, sqnrValues: [values] },
  );
  return { ...stats, kind, values };
}

const TOP_K = 5;

/** The first sample's output float against quantized: top-k for a classifier, else the first values. */
export function outputTop(
  float: Float32Array,
  quant: Float32Array,
  classes: number,
  classifier: boolean,
): OutputView['top'] {
  const n = classifier ? Math.min(classes, float.length) : Math.min(16, float.length);
  const idx = Array.from({ length: n }, (_, i) => i);
  if (classifier) idx.sort((a, b) => float[b] - float[a]);
  return idx
    .slice(0, classifier ? TOP_K : n)
    .map((index) => ({ index, float: float[index], quantized: quant[index] }));
}

export function outputViews(
  metrics: QuantMetrics['outputs'],
  floatFirst: ReadonlyMap<string, Tensor>,
  quantFirst: ReadonlyMap<string, Float32Array | undefined>,
): OutputView[] {
  return metrics.map((o) => {
    const f = floatFirst.get(o.name);
    const q = quantFirst.get(o.name);
    const classes = f ? (f.dims[f.dims.length - 1] ?? 1) : 1;
    const classifier = o.top1Agreement !== undefined;
    const fv = f ? toFloat32(f) : new Float32Array(0);
    return {
      name: o.name,
      sqnr: o.sqnr,
      top1Agreement: o.top1Agreement ?? null,
      top: q && q.length === fv.length ? outputTop(fv, q, classes, classifier) : [],
      classifier,
    };
  });
}

export function layerRows(m: QuantMetrics): LayerRow[] {
  return m.layers.map((l) => ({
    node: l.node,
    opType: l.opType,
    tensor: l.tensor,
    sqnrLocal: l.sqnr.local,
    sqnrCumulative: l.sqnr.cumulative,
    cosine: l.cosine,
    maxAbsError: l.maxAbsError,
    clipRate: l.clipRate,
    overflows: l.overflows,
    accumulator: l.accumulator ? { ...l.accumulator } : null,
    preview: l.preview
      ? {
          x86Pairwise: { ...l.preview.x86Pairwise },
          otherWeightRange: { ...l.preview.otherWeightRange },
        }
      : null,
  }));
}

export { argmaxRows };

/** Per-layer metrics as Google Model Explorer node data (SQNR in dB; lower is worse: red). */
export function modelExplorerNodeData(metrics: MetricsView, kind: 'local' | 'cumulative'): object {
  const results: Record<string, { value: number }> = {};
  for (const l of metrics.layers) {
    const v = kind === 'local' ? l.sqnrLocal : l.sqnrCumulative;
    // Model Explorer wants finite numbers; an exact layer is shown as 99 dB.
    results[l.node] = { value: Number.isFinite(v) ? Math.round(v * 100) / 100 : v > 0 ? 99 : -99 };
  }
  return {
    results,
    thresholds: [
      { value: 10, bgColor: '#d73027', textColor: '#ffffff' },
      { value: 20, bgColor: '#fc8d59' },
      { value: 30, bgColor: '#fee08b' },
      { value: 40, bgColor: '#d9ef8b' },
      { value: 1000, bgColor: '#1a9850', textColor: '#ffffff' },
    ],
  };
}

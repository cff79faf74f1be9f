// The calibration observers' meaning, written once: min/max and histograms of a tensor, per
// tensor or per channel. The GPU kernels (observers.wgsl) are tested against these functions, and
// the quantization engine's observers (app/quant/range-observers.ts) are built on them.
//
// - Values that count: finite ones. NaN and ±Infinity are left out of every statistic (a range
//   must be finite to give a scale). A channel with no finite value has min = max = 0.
// - Histogram: `bins` equal bins over [lo, hi] by numpy.histogram's rule. The edges are float32
//   values, edges[k] = f32(lo + k * ((hi - lo) / bins)) computed in f64 as numpy's linspace does,
//   and edges[bins] = f32(hi); a zero-width range is widened to [lo - 0.5, hi + 0.5] as numpy does.
//   A value x with edges[0] <= x <= edges[bins] goes to the bin k with edges[k] <= x < edges[k+1];
//   the last bin also holds edges[bins]. Values outside are not counted.
// - `abs`: the statistics of |x| instead of x (onnxruntime's symmetric percentile histogram).

/** Channel layout of a tensor: per tensor (axis undefined) or per index of `axis`. */
export interface ObserverLayout {
  readonly dims: readonly number[];
  readonly axis?: number;
}

export function channelLayout(l: ObserverLayout): { count: number; inner: number; channels: number } {
  const count = l.dims.reduce((a, b) => a * b, 1);
  if (l.axis === undefined) return { count, inner: 1, channels: 1 };
  const axis = l.axis < 0 ? l.axis + l.dims.length : l.axis;
  if (axis < 0 || axis >= l.dims.length) throw new Error(`observer axis ${l.axis} out of range`);
  let inner = 1;
  for (let i = axis + 1; i < l.dims.length; i++) inner *= l.dims[i];
  return { count, inner, channels: l.dims[axis] };
}

/** Whether a value counts in the statistics (finite). */
export function counts(x: number): boolean {
  return x - x === 0;
}

/** Min and max per channel (one pair without `axis`); [0, 0] for a channel with no finite value. */
export function minMaxRef(
  x: ArrayLike<number>,
  l: ObserverLayout,
  abs = false,
): { min: Float32Array; max: Float32Array } {
  const { count, inner, channels } = channelLayout(l);
  if (x.length !== count) throw new Error(`observer: ${x.length} values for dims [${l.dims}]`);
  const min = new Float32Array(channels).fill(Number.POSITIVE_INFINITY);
  const max = new Float32Array(channels).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < count; i++) {
    const v = abs ? Math.abs(x[i]) : x[i];
    if (!counts(v)) continue;
    const c = Math.floor(i / inner) % channels;
    if (v < min[c]) min[c] = v;
    if (v > max[c]) max[c] = v;
  }
  for (let c = 0; c < channels; c++) if (min[c] > max[c]) min[c] = max[c] = 0;
  return { min, max };
}

/** numpy's equal bin edges over [lo, hi] in float32. */
export function histogramEdges(lo: number, hi: number, bins: number): Float64Array {
  let a = lo;
  let b = hi;
  if (a === b) [a, b] = [a - 0.5, b + 0.5];
  const step = (b - a) / bins;
  const edges = new Float64Array(bins + 1);
  for (let k = 0; k < bins; k++) edges[k] = Math.fround(a + k * step);
  edges[bins] = Math.fround(b);
  return edges;
}

/** The f32 multiplier of the first bin estimate: f32(bins / (edges[bins] - edges[0])). */
export function binEstimateScale(edges: ArrayLike<number>): number {
  const bins = edges.length - 1;
  return Math.fround(bins / (edges[bins] - edges[0]));
}

/**
 * The bin of x on the edges, or -1 when x is not counted (not finite, or outside). The estimate
 * floor(f32(f32(x - lo) * scale)) is corrected against the edges, so the edges alone decide.
 */
export function binOf(x: number, edges: ArrayLike<number>, scale = binEstimateScale(edges)): number {
  const bins = edges.length - 1;
  const lo = edges[0];
  if (!(x >= lo && x <= edges[bins])) return -1;
  let k = Math.min(Math.floor(Math.fround(Math.fround(x - lo) * scale)), bins - 1);
  while (k > 0 && x < edges[k]) k--;
  while (k < bins - 1 && x >= edges[k + 1]) k++;
  return k;
}

/** Histograms of `bins` bins over [lo[c], hi[c]] per channel; channels * bins counts, channel-major. */
export function histogramRef(
  x: ArrayLike<number>,
  l: ObserverLayout,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  bins: number,
  abs = false,
): Uint32Array {
  const { count, inner, channels } = channelLayout(l);
  if (x.length !== count) throw new Error(`observer: ${x.length} values for dims [${l.dims}]`);
  if (lo.length !== channels || hi.length !== channels) throw new Error(`histogram: need ${channels} ranges`);
  const edges = Array.from({ length: channels }, (_, c) => histogramEdges(lo[c], hi[c], bins));
  const scales = edges.map(binEstimateScale);
  const out = new Uint32Array(channels * bins);
  for (let i = 0; i < count; i++) {
    const c = Math.floor(i / inner) % channels;
    const k = binOf(abs ? Math.abs(x[i]) : x[i], edges[c], scales[c]);
    if (k >= 0) out[c * bins + k]++;
  }
  return out;
}

// The histogram observers' algorithms, each as its reference framework computes it, on a histogram
// (so they can be checked on a given histogram, as onnxruntime's calibrator is):
// - percentile: onnxruntime HistogramCalibrater 'percentile' (compute_percentile): the cdf of the
//   histogram cut at the percentile, at bin edges (np.searchsorted, side 'left'); symmetric cuts
//   a histogram of |x| once, asymmetric a histogram over [-max|x|, max|x|] on both tails; then
//   clamped to the data's min/max;
// - entropy: onnxruntime get_entropy_threshold: on a histogram over [-max|x|, max|x|], windows
//   growing from the zero bin by one bin per side, KL(p || q) of each window against its
//   requantization to `quantizedBins` bins (q as onnxruntime's int64 arrays: shares truncated;
//   smooth_distribution eps 1e-4; divergences compared in float32 as onnxruntime stores them);
//   the first window with the least divergence, its edges unclamped;
// - mse: PyTorch HistogramObserver._non_linear_param_search on a [min, max] histogram: shrink from
//   the side holding less mass, in 1e-5 cdf steps, while the L2 quantization error estimated over
//   `dstBins` destination bins does not grow.
// Which values count (finite ones) and the histogram's bin rule (numpy.histogram on float32
// edges) are the observers' reference, kernels/observers/observers.ref.ts, which the GPU
// observers equal too.
import { binEstimateScale, binOf, counts, histogramEdges } from '../../kernels/observers/observers.ref.js';

export { histogramEdges };

export interface Histogram {
  /** Counts per bin. */
  readonly counts: Float64Array;
  /** bins + 1 edges, float32 values, ascending. */
  readonly edges: Float64Array;
}

/** The finite min and max of the values (NaN and ±Infinity left out); [0, 0] when there is none. */
export function finiteMinMax(values: readonly ArrayLike<number>[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values)
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (!counts(x)) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  return lo > hi ? [0, 0] : [lo, hi];
}

/** The finite min and max of |x|; [0, 0] when there is none. */
export function finiteAbsMinMax(values: readonly ArrayLike<number>[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const v of values)
    for (let i = 0; i < v.length; i++) {
      const a = Math.abs(v[i]);
      if (a < lo) lo = a;
      if (a > hi && a !== Number.POSITIVE_INFINITY) hi = a;
    }
  return lo === Number.POSITIVE_INFINITY ? [0, 0] : [lo, hi];
}

/** A histogram of the values (or of |x| with `abs`) on the given edges; values outside are left out. */
export function histogramOn(
  values: readonly ArrayLike<number>[],
  edges: Float64Array,
  abs = false,
): Histogram {
  const bins = edges.length - 1;
  const hist = new Float64Array(bins);
  const scale = binEstimateScale(edges);
  for (const v of values)
    for (let i = 0; i < v.length; i++) {
      const k = binOf(abs ? Math.abs(v[i]) : v[i], edges, scale);
      if (k >= 0) hist[k]++;
    }
  return { counts: hist, edges };
}

export function histogram(
  values: readonly ArrayLike<number>[],
  lo: number,
  hi: number,
  bins: number,
  abs = false,
): Histogram {
  return histogramOn(values, histogramEdges(lo, hi, bins), abs);
}

/** The histogram over [-max|x|, max|x|] (onnxruntime collect_value). */
export function centredHistogram(values: readonly ArrayLike<number>[], bins: number): Histogram {
  const t = Math.fround(finiteAbsMinMax(values)[1]);
  return histogram(values, -t, t, bins);
}

function total(h: Histogram): number {
  let s = 0;
  for (const c of h.counts) s += c;
  return s;
}

/** First index whose value is >= v (numpy searchsorted, side 'left'). */
function searchSorted(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** onnxruntime compute_percentile on its histogram, clamped to the data's [min, max]. */
export function percentileFromHistogram(
  h: Histogram,
  percentile: number,
  symmetric: boolean,
  min: number,
  max: number,
): [number, number] {
  const n = total(h);
  if (n === 0) return [0, 0];
  const cdf = new Float64Array(h.counts.length);
  let run = 0;
  for (let k = 0; k < cdf.length; k++) {
    run += h.counts[k] / n;
    cdf[k] = run;
  }
  // searchsorted can return bins (past the last cdf entry): that is the last edge.
  const at = (p: number) => h.edges[Math.min(searchSorted(cdf, p), h.edges.length - 1)];
  let lo: number;
  let hi: number;
  if (symmetric) {
    const t = at(percentile / 100);
    [lo, hi] = [-t, t];
  } else {
    const cut = (100 - percentile) / 200;
    [lo, hi] = [at(cut), at(1 - cut)];
  }
  return [Math.max(lo, min), Math.min(hi, max)];
}

/** onnxruntime's smooth_distribution (float32 results); undefined when every bin is zero. */
function smooth(p: Float64Array, eps = 0.0001): Float64Array | undefined {
  let zeros = 0;
  for (const v of p) if (v === 0) zeros++;
  const nonzeros = p.length - zeros;
  if (nonzeros === 0) return undefined;
  const eps1 = (eps * zeros) / nonzeros;
  return Float64Array.from(p, (v) => Math.fround(v + (v === 0 ? eps : -eps1)));
}

/** scipy.stats.entropy(p, q): both normalised, sum p log(p / q). */
function klDivergence(p: Float64Array, q: Float64Array): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) [sp, sq] = [sp + p[i], sq + q[i]];
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp;
    if (a > 0) kl += a * Math.log(a / (q[i] / sq));
  }
  return kl;
}

/** KL(p || q) of one entropy window (onnxruntime's loop body); Infinity when p or q is all zero. */
export function entropyWindowDivergence(
  hist: Float64Array,
  start: number,
  end: number,
  quantizedBins: number,
): number {
  const sliced = hist.slice(start, end);
  const p = sliced.slice();
  for (let k = 0; k < start; k++) p[0] += hist[k];
  for (let k = end; k < hist.length; k++) p[p.length - 1] += hist[k];
  const merged = Math.floor(sliced.length / quantizedBins);
  const quantized = new Float64Array(quantizedBins);
  for (let b = 0; b < quantizedBins; b++)
    for (let k = b * merged; k < (b + 1) * merged; k++) quantized[b] += sliced[k];
  for (let k = quantizedBins * merged; k < sliced.length; k++) quantized[quantizedBins - 1] += sliced[k];
  const q = new Float64Array(p.length);
  for (let b = 0; b < quantizedBins; b++) {
    let norm = 0;
    for (let k = b * merged; k < (b + 1) * merged; k++) if (p[k] !== 0) norm++;
    // onnxruntime's q is an int64 array: the share is truncated.
    if (norm !== 0)
      for (let k = b * merged; k < (b + 1) * merged; k++) q[k] = Math.trunc(quantized[b] / norm);
  }
  const ps = smooth(p);
  const qs = smooth(q);
  return ps && qs ? klDivergence(ps, qs) : Number.POSITIVE_INFINITY;
}

/** onnxruntime get_entropy_threshold on a histogram over [-t, t]: the window edges. */
export function entropyFromHistogram(h: Histogram, quantizedBins = 128): [number, number] {
  const bins = h.counts.length;
  const zero = Math.floor(bins / 2);
  const half = Math.floor(quantizedBins / 2);
  let best = Number.POSITIVE_INFINITY;
  let range: [number, number] = [h.edges[0], h.edges[bins]];
  for (let i = half; i <= zero; i++) {
    const start = zero - i;
    const end = Math.min(zero + i + 1, bins);
    const kl = Math.fround(entropyWindowDivergence(h.counts, start, end, quantizedBins));
    // np.argmin: the first of equal minima.
    if (kl < best) {
      best = kl;
      range = [h.edges[start], h.edges[end]];
    }
  }
  return range;
}

/** PyTorch HistogramObserver's L2 error of quantizing bins [start, end] into dstBins bins. */
export function quantizationError(h: Histogram, start: number, end: number, dstBins: number): number {
  const bins = h.counts.length;
  const binWidth = (h.edges[bins] - h.edges[0]) / bins;
  const dstWidth = (binWidth * (end - start + 1)) / dstBins;
  if (dstWidth === 0) return 0;
  const norm3 = (a: number, b: number) => (b * b * b - a * a * a) / 3;
  let sum = 0;
  for (let k = 0; k < bins; k++) {
    const density = h.counts[k] / binWidth;
    if (density === 0) continue;
    const begin = (k - start) * binWidth;
    const finish = begin + binWidth;
    const dBegin = Math.min(Math.max(Math.floor(begin / dstWidth), 0), dstBins - 1);
    const dEnd = Math.min(Math.max(Math.floor(finish / dstWidth), 0), dstBins - 1);
    let n = norm3(begin - (dBegin + 0.5) * dstWidth, dstWidth / 2);
    n += (dEnd - dBegin - 1) * norm3(-dstWidth / 2, dstWidth / 2);
    n += norm3(-dstWidth / 2, finish - (dEnd * dstWidth + dstWidth / 2));
    sum += density * n;
  }
  return sum;
}

/** PyTorch _non_linear_param_search on a [min, max] histogram: the chosen [min, max]. */
export function mseFromHistogram(h: Histogram, dstBins: number): [number, number] {
  const bins = h.counts.length;
  const min = h.edges[0];
  const max = h.edges[bins];
  const n = total(h);
  if (n === 0) return [min, max];
  const cSum = new Float64Array(bins);
  let run = 0;
  for (let k = 0; k < bins; k++) cSum[k] = run += h.counts[k];
  const step = 1e-5;
  let alpha = 0;
  let beta = 1;
  let startBin = 0;
  let endBin = bins - 1;
  let normMin = Number.POSITIVE_INFINITY;
  while (alpha < beta) {
    const nextAlpha = alpha + step;
    const nextBeta = beta - step;
    let l = startBin;
    let r = endBin;
    while (l < endBin && cSum[l] < nextAlpha * n) l++;
    while (r > startBin && cSum[r] > nextBeta * n) r--;
    let nextStart = startBin;
    let nextEnd = endBin;
    if (l - startBin > endBin - r) {
      nextStart = l;
      alpha = nextAlpha;
    } else {
      nextEnd = r;
      beta = nextBeta;
    }
    if (nextStart === startBin && nextEnd === endBin) continue;
    const norm = quantizationError(h, nextStart, nextEnd, dstBins);
    if (norm > normMin) break;
    normMin = norm;
    startBin = nextStart;
    endBin = nextEnd;
  }
  const width = (max - min) / bins;
  return [min + width * startBin, min + width * (endBin + 1)];
}

/** PyTorch MovingAverageMinMaxObserver over per-sample [min, max]: the first sample sets it. */
export function movingAverageFromRanges(
  ranges: readonly (readonly [number, number] | null)[],
  c: number,
): [number, number] {
  let lo = 0;
  let hi = 0;
  let first = true;
  for (const r of ranges) {
    if (!r) continue;
    if (first) [lo, hi, first] = [r[0], r[1], false];
    else [lo, hi] = [lo + c * (r[0] - lo), hi + c * (r[1] - hi)];
  }
  return [lo, hi];
}

function hasFinite(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (counts(v[i])) return true;
  return false;
}

/** Per-sample finite [min, max]; null for a sample with no finite value. */
export function sampleRanges(values: readonly ArrayLike<number>[]): ([number, number] | null)[] {
  return values.map((v) => (hasFinite(v) ? finiteMinMax([v]) : null));
}

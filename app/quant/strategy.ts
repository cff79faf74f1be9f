// Range strategies: a function from one tensor's statistics to its quantization parameters. The
// statistics are plain data (numbers, arrays, typed arrays: structured-cloneable), so a strategy
// typed by a person can run in a Web Worker that sees nothing else. The built-in observers are
// such strategies; the calibration's default range chooser runs them, gathering only the
// statistics each one reads (a 2048-bin histogram of a 25M-value activation is not free).
import { counts } from '../../kernels/observers/observers.ref.js';
import { computeScaleZeroPoint } from '../../kernels/quant-math/quant-math.js';
import { ErrorAccumulator } from './compare.js';
import type { ObserverName, QuantConfig, QuantizedDType } from './config.js';
import { OBSERVER_NAMES } from './config.js';
import { fakeQuantize, type QParams } from './params.js';
import {
  centredHistogram,
  entropyFromHistogram,
  finiteAbsMinMax,
  finiteMinMax,
  type Histogram,
  histogram,
  movingAverageFromRanges,
  mseFromHistogram,
  percentileFromHistogram,
  sampleRanges,
} from './range-observers.js';

/** onnxruntime's entropy calibrator requantizes each window to this many bins. */
export const ENTROPY_QUANTIZED_BINS = 128;

/** The percentiles listed in the statistics (percent), read from the [min, max] histogram. */
export const LISTED_PERCENTILES = [0.001, 0.01, 0.1, 1, 5, 25, 50, 75, 95, 99, 99.9, 99.99, 99.999] as const;

/** What a strategy sees of one tensor. */
export interface TensorStatistics {
  readonly name: string;
  readonly role: 'activation' | 'weight';
  readonly dtype: QuantizedDType;
  /** The integer range of the tensor's dtype and range mode. */
  readonly qmin: number;
  readonly qmax: number;
  readonly symmetric: boolean;
  /** Finite values seen (NaN and ±Infinity are left out of every statistic). */
  readonly count: number;
  readonly min: number;
  readonly max: number;
  /** [min, max] of each calibration sample (null: no finite value). */
  readonly sampleRanges: readonly (readonly [number, number] | null)[];
  /** `bins` equal bins over [min, max] (numpy.histogram's rule, float32 edges). */
  readonly histogram: Histogram;
  /** Of |x| over [min|x|, max|x|]: onnxruntime's symmetric percentile histogram. */
  readonly absHistogram: Histogram;
  /** Over [-max|x|, max|x|]: onnxruntime's entropy (and asymmetric percentile) histogram. */
  readonly centredHistogram: Histogram;
  /** Percentile (in percent, as a string key such as "99.99") -> value, linear within a bin. */
  readonly percentiles: Readonly<Record<string, number>>;
  /** The config's observer settings. */
  readonly settings: {
    readonly bins: number;
    readonly percentile: number;
    readonly averagingConstant: number;
  };
  /** The range each built-in observer chooses and the SQNR (dB) of the values quantized with it. */
  readonly candidates: readonly {
    readonly observer: ObserverName;
    readonly range: readonly [number, number];
    readonly sqnr: number;
  }[];
}

/** A strategy's answer: a range, explicit parameters, or null for "keep the default". */
export type StrategyResult =
  | { readonly min: number; readonly max: number }
  | { readonly scale: number; readonly zeroPoint: number };

export type Strategy = (stats: TensorStatistics) => StrategyResult | null;

export type Part = 'histogram' | 'absHistogram' | 'centredHistogram';

interface BuiltinStrategy {
  readonly reads: readonly Part[];
  readonly run: (s: TensorStatistics) => { min: number; max: number };
}

const range = ([min, max]: readonly [number, number]) => ({ min, max });

/** The built-in observers as strategies, with the statistics each one reads. */
export const BUILTIN_STRATEGIES: Readonly<Record<ObserverName, BuiltinStrategy>> = {
  // onnxruntime MinMaxCalibrater; zero is in every range (compute_scale_zp would add it anyway).
  minmax: { reads: [], run: (s) => ({ min: Math.min(s.min, 0), max: Math.max(s.max, 0) }) },
  'moving-average': {
    reads: [],
    run: (s) => range(movingAverageFromRanges(s.sampleRanges, s.settings.averagingConstant)),
  },
  percentile: {
    reads: ['absHistogram', 'centredHistogram'],
    run: (s) =>
      range(
        percentileFromHistogram(
          s.symmetric ? s.absHistogram : s.centredHistogram,
          s.settings.percentile,
          s.symmetric,
          s.min,
          s.max,
        ),
      ),
  },
  entropy: {
    reads: ['centredHistogram'],
    run: (s) => range(entropyFromHistogram(s.centredHistogram, ENTROPY_QUANTIZED_BINS)),
  },
  // PyTorch HistogramObserver: as many destination bins as the integer range has levels.
  mse: { reads: ['histogram'], run: (s) => range(mseFromHistogram(s.histogram, s.qmax - s.qmin + 1)) },
};

export type StatisticsInput = Pick<
  TensorStatistics,
  'name' | 'role' | 'dtype' | 'qmin' | 'qmax' | 'symmetric'
> & {
  /** The tensor's values, one array per calibration sample. */
  readonly values: readonly ArrayLike<number>[];
  readonly config: QuantConfig;
};

/** What a calibration range chooser knows of a tensor, as statistics input. */
export function chooserInput(
  values: readonly ArrayLike<number>[],
  q: { readonly qmin: number; readonly qmax: number; readonly symmetric: boolean },
  config: QuantConfig,
): StatisticsInput {
  const dtype = q.qmin < 0 ? 'int8' : 'uint8';
  return {
    name: '',
    role: 'activation',
    dtype,
    qmin: q.qmin,
    qmax: q.qmax,
    symmetric: q.symmetric,
    values,
    config,
  };
}

export const EMPTY: Histogram = { counts: new Float64Array(0), edges: new Float64Array(0) };

function countFinite(values: readonly ArrayLike<number>[]): number {
  let n = 0;
  for (const v of values) for (let i = 0; i < v.length; i++) if (counts(v[i])) n++;
  return n;
}

/** The value below which `p` percent of the histogram's mass lies, linear within its bin. */
export function histogramPercentile(h: Histogram, p: number): number {
  let n = 0;
  for (const c of h.counts) n += c;
  if (n === 0) return 0;
  const target = (p / 100) * n;
  let run = 0;
  for (let k = 0; k < h.counts.length; k++) {
    const c = h.counts[k];
    if (c > 0 && run + c >= target) return h.edges[k] + ((target - run) / c) * (h.edges[k + 1] - h.edges[k]);
    run += c;
  }
  return h.edges[h.edges.length - 1];
}

/**
 * The statistics of one tensor. `parts` limits the histograms gathered (the others are empty);
 * candidates are computed only when asked (each is a quantize-dequantize pass over the values).
 */
export function gatherStatistics(
  input: StatisticsInput,
  options: {
    readonly parts?: readonly Part[];
    readonly candidates?: boolean;
    /** The values the candidates' SQNR is measured on (default: all of them). */
    readonly sqnrValues?: readonly ArrayLike<number>[];
  } = {},
): TensorStatistics {
  const { values } = input;
  const parts = new Set(options.parts ?? ALL_PARTS);
  const { bins } = input.config.activations;
  const [min, max] = finiteMinMax(values);
  const [absLo, absHi] = finiteAbsMinMax(values);
  const stats = statisticsFrom(input, {
    count: countFinite(values),
    min,
    max,
    sampleRanges: sampleRanges(values),
    histogram: parts.has('histogram') ? histogram(values, min, max, bins) : EMPTY,
    absHistogram: parts.has('absHistogram') ? histogram(values, absLo, absHi, bins, true) : EMPTY,
    centredHistogram: parts.has('centredHistogram') ? centredHistogram(values, bins) : EMPTY,
  });
  if (!options.candidates) return stats;
  return { ...stats, candidates: candidateRanges(stats, options.sqnrValues ?? values) };
}

export const ALL_PARTS: readonly Part[] = ['histogram', 'absHistogram', 'centredHistogram'];

/** What was measured of a tensor (on the CPU here, or by the GPU observers). */
export type Measured = Pick<
  TensorStatistics,
  'count' | 'min' | 'max' | 'sampleRanges' | 'histogram' | 'absHistogram' | 'centredHistogram'
>;

/** The statistics from what was measured: percentiles read from the histogram, no candidates. */
export function statisticsFrom(input: StatisticsInput, m: Measured): TensorStatistics {
  const { bins, percentile, averagingConstant } = input.config.activations;
  const percentiles: Record<string, number> = {};
  if (m.histogram.counts.length > 0)
    for (const p of LISTED_PERCENTILES) percentiles[String(p)] = histogramPercentile(m.histogram, p);
  return {
    name: input.name,
    role: input.role,
    dtype: input.dtype,
    qmin: input.qmin,
    qmax: input.qmax,
    symmetric: input.symmetric,
    ...m,
    percentiles,
    settings: { bins, percentile, averagingConstant },
    candidates: [],
  };
}

/** The range of a built-in observer, gathering only what it reads. */
export function builtinRange(observer: ObserverName, input: StatisticsInput): [number, number] {
  const b = BUILTIN_STRATEGIES[observer];
  const r = b.run(gatherStatistics(input, { parts: b.reads }));
  return [r.min, r.max];
}

/** SQNR (dB) of the values against their quantize-dequantize under p. */
export function sqnrOf(values: readonly ArrayLike<number>[], p: QParams): number {
  const acc = new ErrorAccumulator();
  for (const v of values) {
    const f = Float32Array.from(v);
    acc.add(f, fakeQuantize(f, [f.length], p));
  }
  return acc.sqnr();
}

function candidateRanges(
  stats: TensorStatistics,
  values: readonly ArrayLike<number>[],
): TensorStatistics['candidates'] {
  return OBSERVER_NAMES.map((observer) => {
    const r = BUILTIN_STRATEGIES[observer].run(stats);
    return {
      observer,
      range: [r.min, r.max] as const,
      sqnr: sqnrOf(values, paramsForRange([r.min, r.max], stats)),
    };
  });
}

/** Per-tensor parameters of a range on the tensor's own integer range (onnxruntime's rule). */
export function paramsForRange(
  range: readonly [number, number],
  s: Pick<TensorStatistics, 'dtype' | 'qmin' | 'qmax' | 'symmetric'>,
): QParams {
  const { scale, zeroPoint } = computeScaleZeroPoint(range[0], range[1], s.qmin, s.qmax, s.symmetric);
  return { dtype: s.dtype, scale: [scale], zeroPoint: [zeroPoint], qmin: s.qmin, qmax: s.qmax };
}

/**
 * Checks a strategy's answer for a tensor: a range with finite min <= max, or a positive finite
 * f32 scale with an integer zero point inside [qmin, qmax]. A string says what is wrong.
 */
export function checkStrategyResult(
  s: Pick<TensorStatistics, 'name' | 'qmin' | 'qmax'>,
  r: unknown,
): StrategyResult | null | string {
  if (r === null || r === undefined) return null;
  if (typeof r !== 'object') return `${s.name}: return {min, max}, {scale, zeroPoint} or null`;
  const o = r as Record<string, unknown>;
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (o.scale !== undefined || o.zeroPoint !== undefined) {
    if (!num(o.scale) || !(o.scale > 0)) return `${s.name}: scale must be a positive number`;
    if (!(Math.fround(o.scale) > 0) || !Number.isFinite(Math.fround(o.scale)))
      return `${s.name}: scale ${o.scale} underflows float32`;
    if (!Number.isInteger(o.zeroPoint)) return `${s.name}: zeroPoint must be an integer`;
    const z = o.zeroPoint as number;
    if (z < s.qmin || z > s.qmax) return `${s.name}: zeroPoint ${z} is outside [${s.qmin}, ${s.qmax}]`;
    return { scale: o.scale, zeroPoint: z };
  }
  if (!num(o.min) || !num(o.max)) return `${s.name}: return {min, max} or {scale, zeroPoint} as numbers`;
  if (o.min > o.max) return `${s.name}: min ${o.min} is above max ${o.max}`;
  return { min: o.min, max: o.max };
}

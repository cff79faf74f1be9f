// The calibration observers on known distributions and hand-computed histograms: numpy's histogram
// rule, onnxruntime's percentile and entropy (the latter against a literal port of its calibrator
// on the same histogram), PyTorch's moving average and MSE search; the strategies built on them.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, OBSERVER_NAMES, type QuantConfig } from '../../app/quant/config.js';
import { defaultRangeChooser } from '../../app/quant/range-chooser.js';
import {
  centredHistogram,
  entropyFromHistogram,
  histogram,
  histogramEdges,
  movingAverageFromRanges,
  mseFromHistogram,
  percentileFromHistogram,
  quantizationError,
} from '../../app/quant/range-observers.js';
import {
  BUILTIN_STRATEGIES,
  builtinRange,
  checkStrategyResult,
  gatherStatistics,
  paramsForRange,
  sqnrOf,
  type StatisticsInput,
} from '../../app/quant/strategy.js';
import { ortEntropyThreshold } from '../helpers/ort-entropy-port.js';
import { rng } from '../helpers/realistic-models.js';

function normal(n: number, seed: number, sigma = 1): Float32Array {
  const next = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - next();
    out[i] = sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  }
  return out;
}

function laplace(n: number, seed: number): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => {
    const u = next() - 0.5;
    return -Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  });
}

const repeat = (values: number[], times: number) => values.flatMap((v) => new Array(times).fill(v));

function input(
  values: readonly ArrayLike<number>[],
  over: Partial<StatisticsInput> = {},
  config: QuantConfig = DEFAULT_CONFIG,
): StatisticsInput {
  return {
    name: 't',
    role: 'activation',
    dtype: 'uint8',
    qmin: 0,
    qmax: 255,
    symmetric: false,
    values,
    config,
    ...over,
  };
}

describe('histograms follow numpy.histogram', () => {
  it('puts a value on an edge in the bin it opens, the last edge in the last bin', () => {
    expect(Array.from(histogram([[0, 1, 2, 3, 4]], 0, 4, 4).counts)).toEqual([1, 1, 1, 2]);
  });

  it('decides by the float32 edges, not by a float64 estimate', () => {
    // fround(0.7) = 0.69999998...: (x - 0) * 10 floors to 6, but it equals edge 7 exactly.
    const x = Math.fround(0.7);
    const h = histogram([[x]], 0, 1, 10);
    expect(h.edges[7]).toBe(x);
    expect(h.counts[7]).toBe(1);
  });

  it('leaves out NaN and infinities and widens a zero-width range by 0.5', () => {
    const h = histogram([[Number.NaN, 3, Number.POSITIVE_INFINITY]], 3, 3, 2);
    expect(Array.from(h.edges)).toEqual([2.5, 3, 3.5]);
    expect(Array.from(h.counts)).toEqual([0, 1]);
  });
});

describe('percentile: onnxruntime compute_percentile', () => {
  // Ten integer values 0..9, ten of each: with 10 bins over [0, 9] each value has its own bin.
  const tens = Float32Array.from(repeat([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 10));

  it('symmetric: the |x| cdf cut at the percentile, at the bin edge searchsorted finds', () => {
    const h = histogram([tens], 0, 9, 10, true);
    // cdf[8] = 0.9: the first >= 0.95 is bin 9 whose left edge is 8.1; clamped below to min 0.
    expect(percentileFromHistogram(h, 95, true, 0, 9)).toEqual([0, Math.fround(8.1)]);
    // numpy's cumsum of 0.1s gives 0.7999999999999999 at bin 7, so 80% lands on bin 8 (7.2).
    expect(percentileFromHistogram(h, 80, true, 0, 9)).toEqual([0, Math.fround(7.2)]);
  });

  it('asymmetric: both tails cut by half the rest, on the [-max|x|, max|x|] histogram', () => {
    const values = Float32Array.from(repeat([-5, -4, -3, -2, -1, 0, 1, 2, 3, 4], 10));
    const h = centredHistogram([values], 10);
    expect(Array.from(h.edges)).toEqual([-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5]);
    // cut 0.1 per side: left at bin 0 (cdf 0.1), right at bin 9 (cdf[8] = 0.8999999999999999).
    expect(percentileFromHistogram(h, 80, false, -5, 4)).toEqual([-5, 4]);
    expect(percentileFromHistogram(h, 60, false, -5, 4)).toEqual([-4, 3]);
  });

  it('trims the tail of a gaussian with outliers to about the percentile', () => {
    const v = normal(200_000, 3);
    v[0] = 60;
    const [lo, hi] = builtinRange(
      'percentile',
      input(
        [v],
        { symmetric: true, dtype: 'int8', qmin: -127, qmax: 127 },
        { ...DEFAULT_CONFIG, activations: { ...DEFAULT_CONFIG.activations, percentile: 99.99 } },
      ),
    );
    // 99.99% of |N(0,1)| lies below 3.89; a 2048-bin histogram over [0, 60] has 0.03-wide bins.
    expect(hi).toBeGreaterThan(3.8);
    expect(hi).toBeLessThan(4.1);
    expect(lo).toBe(-hi);
  });
});

describe('entropy: onnxruntime get_entropy_threshold', () => {
  it('equals a literal port of onnxruntime on the same histograms', () => {
    const cases: Float32Array[] = [
      normal(50_000, 1),
      laplace(50_000, 2),
      Float32Array.from(normal(20_000, 5), (x) => Math.max(0, x)),
    ];
    const withOutlier = normal(30_000, 7);
    withOutlier[5] = -40;
    cases.push(withOutlier);
    for (const values of cases)
      for (const bins of [512, 1001, 2048]) {
        const h = centredHistogram([values], bins);
        const port = ortEntropyThreshold(Array.from(h.counts), Array.from(h.edges), 128);
        expect(entropyFromHistogram(h, 128), `${bins} bins`).toEqual(port);
      }
  });

  it("with onnxruntime's own 128-bin default there is one window: the whole histogram", () => {
    const h = centredHistogram([normal(1000, 4)], 128);
    expect(entropyFromHistogram(h, 128)).toEqual([h.edges[0], h.edges[128]]);
  });

  it('cuts far inside an outlier, keeps most of a uniform distribution', () => {
    const g = normal(100_000, 9);
    g[0] = 100;
    const [, hiG] = builtinRange('entropy', input([g]));
    expect(hiG).toBeLessThan(20);
    const u = Float32Array.from({ length: 100_000 }, (_, i) => -1 + (2 * i) / 99_999);
    const [loU, hiU] = builtinRange('entropy', input([u]));
    expect(hiU).toBeGreaterThan(0.8);
    expect(loU).toBeLessThan(-0.8);
  });
});

describe('mse: PyTorch HistogramObserver non-linear search', () => {
  it('the L2 error of the full range is the uniform-noise bound for uniform data', () => {
    const u = Float32Array.from({ length: 256_000 }, (_, i) => (i + 0.5) / 256_000);
    const h = histogram([u], 0, 1, 2048);
    // 256 destination bins of width 1/256 over uniform data: n * w^2 / 12.
    const expected = (256_000 * (1 / 256) ** 2) / 12;
    expect(quantizationError(h, 0, 2047, 256) / expected).toBeCloseTo(1, 2);
    // Nothing to trim: the search keeps (almost) the whole range.
    const [lo, hi] = mseFromHistogram(h, 256);
    expect(lo).toBeLessThan(0.01);
    expect(hi).toBeGreaterThan(0.99);
  });

  it('a hand-computed search: a lone far bin is trimmed once its L2 estimate drops', () => {
    // [100, 0, 0, 1] over [0, 4], 2 destination bins: trimming to bins [0, 2] estimates 16.23,
    // to bin [0, 0] 9.73 (the 100 values rounded within half-width 0.25, the lone one clipped).
    const h = { counts: Float64Array.from([100, 0, 0, 1]), edges: Float64Array.from([0, 1, 2, 3, 4]) };
    expect(quantizationError(h, 0, 2, 2)).toBeCloseTo(14.583333 + 1.645833, 5);
    expect(quantizationError(h, 0, 0, 2)).toBeCloseTo(2.083333 + 7.645833, 5);
    expect(mseFromHistogram(h, 2)).toEqual([0, 1]);
  });

  it('on heavy tails it stays inside min-max and never loses SQNR to it', () => {
    const lap = laplace(100_000, 11);
    const cube = Float32Array.from(lap, (x) => (x * x * x) / 10);
    const q = { dtype: 'int8', qmin: -128, qmax: 127, symmetric: false } as const;
    for (const v of [lap, cube]) {
      const stats = input([v], q);
      const mse = builtinRange('mse', stats);
      const mm = builtinRange('minmax', stats);
      expect(mse[0]).toBeGreaterThanOrEqual(mm[0]);
      expect(mse[1]).toBeLessThan(mm[1]);
      expect(sqnrOf([v], paramsForRange(mse, q))).toBeGreaterThan(sqnrOf([v], paramsForRange(mm, q)));
    }
  });
});

describe('min-max and moving average', () => {
  it('min-max spans every finite value and zero', () => {
    expect(
      builtinRange(
        'minmax',
        input([
          [1, 2, Number.NaN],
          [3, Number.POSITIVE_INFINITY],
        ]),
      ),
    ).toEqual([0, 3]);
    expect(builtinRange('minmax', input([[-2, -1]]))).toEqual([-2, 0]);
  });

  it('moving average: the first sample sets it, the next ones move it by the constant', () => {
    expect(movingAverageFromRanges([[0, 1], null, [-1, 2]], 0.5)).toEqual([-0.5, 1.5]);
    const r = builtinRange('moving-average', input([[0, 1], [], [-1, 2]]));
    expect(r[0]).toBeCloseTo(-0.01, 12);
    expect(r[1]).toBeCloseTo(1.01, 12);
  });
});

describe('strategies', () => {
  it('statistics are plain data a worker can receive, with every candidate and its SQNR', () => {
    const v = normal(10_000, 21);
    const s = gatherStatistics(input([v.subarray(0, 5000), v.subarray(5000)]), { candidates: true });
    expect(structuredClone(s)).toEqual(s);
    expect(s.count).toBe(10_000);
    expect(s.sampleRanges).toHaveLength(2);
    expect(s.histogram.counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(s.centredHistogram.edges[0]).toBe(-s.centredHistogram.edges[2048]);
    expect(s.percentiles['50']).toBeCloseTo(0, 1);
    expect(s.percentiles['99.9']).toBeGreaterThan(2.5);
    expect(s.candidates.map((c) => c.observer)).toEqual(OBSERVER_NAMES);
    for (const c of s.candidates) {
      expect(Number.isFinite(c.sqnr), c.observer).toBe(true);
      expect(c.sqnr).toBeGreaterThan(20);
    }
  });

  it('each built-in strategy on the full statistics equals the range chooser', () => {
    const v = laplace(20_000, 5);
    const q = { qmin: -128, qmax: 127, symmetric: false };
    const s = gatherStatistics(input([v], { dtype: 'int8', ...q }));
    for (const observer of OBSERVER_NAMES) {
      const r = BUILTIN_STRATEGIES[observer].run(s);
      expect(defaultRangeChooser([v], observer, q, DEFAULT_CONFIG), observer).toEqual([r.min, r.max]);
    }
  });

  it('answers are checked: ranges, parameters, null, and one message for each mistake', () => {
    const s = { name: 'x', qmin: 0, qmax: 255 };
    expect(checkStrategyResult(s, { min: -1, max: 2 })).toEqual({ min: -1, max: 2 });
    expect(checkStrategyResult(s, { scale: 0.1, zeroPoint: 3 })).toEqual({ scale: 0.1, zeroPoint: 3 });
    expect(checkStrategyResult(s, null)).toBeNull();
    expect(checkStrategyResult(s, { min: 2, max: 1 })).toBe('x: min 2 is above max 1');
    expect(checkStrategyResult(s, { scale: -1, zeroPoint: 0 })).toBe('x: scale must be a positive number');
    expect(checkStrategyResult(s, { scale: 1e-50, zeroPoint: 0 })).toBe('x: scale 1e-50 underflows float32');
    expect(checkStrategyResult(s, { scale: 1, zeroPoint: 300 })).toBe('x: zeroPoint 300 is outside [0, 255]');
    expect(checkStrategyResult(s, { scale: 1, zeroPoint: 0.5 })).toBe('x: zeroPoint must be an integer');
    expect(checkStrategyResult(s, { min: Number.NaN, max: 1 })).toMatch(/as numbers/);
    expect(checkStrategyResult(s, 'wide')).toMatch(/return/);
  });

  it('histogram edges are float32 and ascending', () => {
    const e = histogramEdges(-1.1, 2.3, 2048);
    for (let k = 0; k < e.length; k++) expect(Math.fround(e[k])).toBe(e[k]);
    for (let k = 1; k < e.length; k++) expect(e[k]).toBeGreaterThan(e[k - 1]);
  });
});

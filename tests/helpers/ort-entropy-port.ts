// An independent, literal transcription of onnxruntime's HistogramCalibrater.get_entropy_threshold
// (onnxruntime/python/tools/quantization/calibrate.py) with numpy/scipy spelled out step by step:
// the oracle app/quant/range-observers.ts's entropy is checked against, on the same histogram.
// Written apart from the code under test, in numpy's vocabulary (slices, sums, np.zeros int64).

const npSum = (a: readonly number[], from = 0, to = a.length) => a.slice(from, to).reduce((x, y) => x + y, 0);

/** quant_utils.smooth_distribution: returns float32 values, or null when p is all zero. */
function smoothDistribution(p: number[], eps = 0.0001): number[] | null {
  const isZeros = p.map((v) => (v === 0 ? 1 : 0));
  const isNonzeros = p.map((v) => (v !== 0 ? 1 : 0));
  const nZeros = npSum(isZeros);
  const nNonzeros = p.length - nZeros;
  if (!nNonzeros) return null;
  const eps1 = (eps * nZeros) / nNonzeros;
  // hist = p.astype(np.float32); hist += eps * is_zeros + (-eps1) * is_nonzeros  (float32 array)
  return p.map((v, i) => Math.fround(Math.fround(v) + (eps * isZeros[i] + -eps1 * isNonzeros[i])));
}

/** scipy.stats.entropy(pk, qk) with natural log. */
function scipyEntropy(pk: number[], qk: number[]): number {
  const sp = npSum(pk);
  const sq = npSum(qk);
  let s = 0;
  pk.forEach((v, i) => {
    const a = v / sp;
    const b = qk[i] / sq;
    if (a > 0 && b > 0) s += a * Math.log(a / b);
    else if (a > 0) s += Number.POSITIVE_INFINITY;
  });
  return s;
}

export function ortEntropyThreshold(
  hist: number[],
  histEdges: number[],
  numQuantizedBins: number,
): [number, number] {
  const numBins = hist.length;
  const zeroBinIndex = Math.floor(numBins / 2);
  const numHalfQuantizedBin = Math.floor(numQuantizedBins / 2);
  const klDivergence: number[] = new Array(zeroBinIndex - numHalfQuantizedBin + 1).fill(0);
  const thresholds: [number, number][] = klDivergence.map(() => [0, 0]);
  for (let i = numHalfQuantizedBin; i < zeroBinIndex + 1; i++) {
    const startIndex = zeroBinIndex - i;
    const endIndex = Math.min(zeroBinIndex + i + 1, numBins);
    thresholds[i - numHalfQuantizedBin] = [histEdges[startIndex], histEdges[endIndex]];
    const slicedDistribution = hist.slice(startIndex, endIndex);
    const p = slicedDistribution.slice();
    p[0] += npSum(hist, 0, startIndex);
    p[p.length - 1] += npSum(hist, endIndex);
    const nonzeros = p.map((v) => (v !== 0 ? 1 : 0));
    const quantizedBins = new Array(numQuantizedBins).fill(0);
    const numMergedBins = Math.floor(slicedDistribution.length / numQuantizedBins);
    for (let index = 0; index < numQuantizedBins; index++) {
      const start = index * numMergedBins;
      quantizedBins[index] = npSum(slicedDistribution, start, start + numMergedBins);
    }
    quantizedBins[numQuantizedBins - 1] += npSum(slicedDistribution, numQuantizedBins * numMergedBins);
    const q = new Array(p.length).fill(0);
    for (let index = 0; index < numQuantizedBins; index++) {
      const start = index * numMergedBins;
      const end = start + numMergedBins;
      const norm = npSum(nonzeros, start, end);
      // q is np.int64: the assignment truncates toward zero.
      if (norm !== 0) for (let k = start; k < end; k++) q[k] = Math.trunc(quantizedBins[index] / norm);
    }
    const ps = smoothDistribution(p);
    const qs = smoothDistribution(q);
    // div stored with the edges' dtype (float32)
    klDivergence[i - numHalfQuantizedBin] =
      ps === null || qs === null ? Number.POSITIVE_INFINITY : Math.fround(scipyEntropy(ps, qs));
  }
  // np.argmin: the first minimum
  let arg = 0;
  klDivergence.forEach((v, i) => {
    if (v < klDivergence[arg]) arg = i;
  });
  return thresholds[arg];
}

// Error measures between a float reference and its quantized counterpart, accumulated over the
// calibration samples (sums, not per-sample averages, so a sample with more elements weighs more).

export class ErrorAccumulator {
  private signal = 0;
  private noise = 0;
  private dot = 0;
  private refNorm = 0;
  private qNorm = 0;
  private maxAbs = 0;
  private count = 0;

  add(ref: ArrayLike<number>, q: ArrayLike<number>): void {
    if (ref.length !== q.length)
      throw new Error(`compare: ${ref.length} reference values, ${q.length} quantized`);
    for (let i = 0; i < ref.length; i++) {
      const x = ref[i];
      const y = q[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const d = x - y;
      this.signal += x * x;
      this.noise += d * d;
      this.dot += x * y;
      this.refNorm += x * x;
      this.qNorm += y * y;
      const a = Math.abs(d);
      if (a > this.maxAbs) this.maxAbs = a;
      this.count++;
    }
  }

  /** 10·log10(Σx² / Σ(x−y)²) in dB; +Infinity when identical, -Infinity for a zero signal with noise. */
  sqnr(): number {
    if (this.noise === 0) return Number.POSITIVE_INFINITY;
    return 10 * Math.log10(this.signal / this.noise);
  }

  /** Cosine similarity; 1 when both are zero. */
  cosine(): number {
    if (this.refNorm === 0 && this.qNorm === 0) return 1;
    if (this.refNorm === 0 || this.qNorm === 0) return 0;
    return this.dot / Math.sqrt(this.refNorm * this.qNorm);
  }

  maxAbsError(): number {
    return this.maxAbs;
  }

  size(): number {
    return this.count;
  }
}

/** Index of the largest value of each row of a [rows, n] view (the top-1 class). */
export function argmaxRows(values: ArrayLike<number>, rowLength: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r * rowLength < values.length; r++) {
    let best = 0;
    for (let i = 1; i < rowLength; i++)
      if (values[r * rowLength + i] > values[r * rowLength + best]) best = i;
    rows.push(best);
  }
  return rows;
}

/** JSON has no Infinity: an exact match is reported as null dB by the writers, with this note. */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

// Quantize inputs that catch an inexact division: values within 2 ULP of each rounding tie.
// Shared by the Node GPU tests and the in-browser kernel checks.

/** The float32 `steps` bit patterns away from x (away from zero for positive steps). */
export function nextF32(x: number, steps: number): number {
  const f = new Float32Array([x]);
  const u = new Int32Array(f.buffer);
  // Walk the bit pattern: for positive floats +1 is the next float up, for negative the next down.
  u[0] += x >= 0 ? steps : -steps;
  return f[0];
}

/** Values within 2 ULP of every rounding tie (n + 0.5) * s for n in [lo, hi]. */
export function nearTies(scale: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let n = lo; n <= hi; n++) {
    const tie = Math.fround((n + 0.5) * scale);
    for (let k = -2; k <= 2; k++) out.push(nextF32(tie, k));
  }
  return out;
}

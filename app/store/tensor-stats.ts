// Summary statistics of a tensor for the inspector and run outputs. NaN values are skipped
// (and a tensor of only NaNs reports NaN), so one bad weight does not hide the range.
import { elementAsNumber, type Tensor } from '../../kernels/tensor.js';
import type { TensorStats } from './types.js';

export function tensorStats(t: Tensor): TensorStats {
  const n = t.data.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const v = elementAsNumber(t, i);
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    finite++;
  }
  if (finite === 0) return { count: n, min: Number.NaN, max: Number.NaN, mean: Number.NaN };
  return { count: n, min, max, mean: sum / finite };
}

/** Index of the largest element (first one on ties; NaN never wins). */
export function argmax(t: Tensor): number {
  let best = -1;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < t.data.length; i++) {
    const v = elementAsNumber(t, i);
    if (v > bestValue || (best < 0 && !Number.isNaN(v))) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

/** The k largest values (NaN skipped), largest first, with their flat indices. */
export function topK(t: Tensor, k: number): { index: number; value: number }[] {
  const best: { index: number; value: number }[] = [];
  for (let i = 0; i < t.data.length; i++) {
    const v = elementAsNumber(t, i);
    if (Number.isNaN(v) || (best.length === k && v <= best[k - 1].value)) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].value < v) at--;
    best.splice(at, 0, { index: i, value: v });
    if (best.length > k) best.pop();
  }
  return best;
}

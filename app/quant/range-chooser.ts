// The calibration's default range chooser: the built-in observers over one tensor's values.
import type { RangeChooser } from './calibrate.js';

export const defaultRangeChooser: RangeChooser = (values, observer, _q, config) => {
  let lo = 0;
  let hi = 0;
  if (observer === 'moving-average') {
    let first = true;
    const c = config.activations.averagingConstant;
    for (const v of values) {
      let bl = Number.POSITIVE_INFINITY;
      let bh = Number.NEGATIVE_INFINITY;
      for (const x of v) {
        if (x < bl) bl = x;
        if (x > bh) bh = x;
      }
      if (bl > bh) continue;
      if (first) [lo, hi, first] = [bl, bh, false];
      else [lo, hi] = [lo + c * (bl - lo), hi + c * (bh - hi)];
    }
    return [lo, hi];
  }
  if (observer !== 'minmax') throw new Error(`observer '${observer}' is not wired yet`);
  for (const v of values)
    for (const x of v) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  return [lo, hi];
};

// The calibration's default range chooser: the built-in observer strategies over one tensor's
// values (app/quant/strategy.ts), each gathering only the statistics it reads.
import type { RangeChooser } from './calibrate.js';
import { builtinRange } from './strategy.js';

export const defaultRangeChooser: RangeChooser = (values, observer, q, config) =>
  builtinRange(observer, {
    name: '',
    role: 'activation',
    dtype: q.qmin < 0 ? 'int8' : 'uint8',
    qmin: q.qmin,
    qmax: q.qmax,
    symmetric: q.symmetric,
    values,
    config,
  });

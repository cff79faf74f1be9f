// The calibration's default range chooser: the built-in observer strategies over one tensor's
// values (app/quant/strategy.ts), each gathering only the statistics it reads.
import type { RangeChooser } from './calibrate.js';
import { builtinRange, chooserInput } from './strategy.js';

export const defaultRangeChooser: RangeChooser = (values, observer, q, config) =>
  builtinRange(observer, chooserInput(values, q, config));

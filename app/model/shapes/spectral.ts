// Shape functions of STFT and MelWeightMatrix. frame_step / frame_length and the matrix's sizes
// are values: known before the run (constants) or taken from the run's inputs by the executor.
import { toNumbers } from '../../../kernels/tensor.js';
import { attrInt } from '../attributes.js';
import { dtypeFromOnnx } from '../tensor-proto.js';
import type { ShapeFn, ShapeTable } from './types.js';

/** STFT: [batch, frames, onesided ? frame_length / 2 + 1 : frame_length, 2]. */
const stft: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  if (x.length !== 3) return ctx.fail(`signal must be [batch, length, 1 or 2], got [${x}]`);
  const step = toNumbers(ctx.constValue(1, 'frame_step'))[0];
  const frameLength = ctx.has(3)
    ? toNumbers(ctx.constValue(3, 'frame_length'))[0]
    : ctx.has(2)
      ? ctx.shape(2)[0]
      : x[1];
  if (!(step >= 1) || !(frameLength >= 1) || frameLength > x[1])
    return ctx.fail(`frame_step ${step} and frame_length ${frameLength} do not fit a signal of ${x[1]}`);
  const frames = 1 + Math.floor((x[1] - frameLength) / step);
  const bins = attrInt(ctx.node, 'onesided', 1) !== 0 ? Math.floor(frameLength / 2) + 1 : frameLength;
  return [{ dtype: ctx.dtype(0), dims: [x[0], frames, bins, 2] }];
};

/** MelWeightMatrix: [dft_length / 2 + 1, num_mel_bins] of output_datatype. */
const melWeightMatrix: ShapeFn = (ctx) => {
  const code = attrInt(ctx.node, 'output_datatype', 1);
  const dtype = dtypeFromOnnx(code);
  if (!dtype) return ctx.fail(`output_datatype ${code} is not supported`);
  const bins = toNumbers(ctx.constValue(0, 'num_mel_bins'))[0];
  const dftLength = toNumbers(ctx.constValue(1, 'dft_length'))[0];
  return [{ dtype, dims: [Math.floor(dftLength / 2) + 1, bins] }];
};

export const spectralShapes: ShapeTable = {
  '::STFT': stft,
  '::MelWeightMatrix': melWeightMatrix,
};

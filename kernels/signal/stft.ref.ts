// STFT and MelWeightMatrix (opset 17), as ONNX's reference (onnx/reference/ops/op_stft.py and
// op_mel_weight_matrix.py). STFT frames the signal, weights each frame by the window and hands
// the frames to dftRef, so there is one DFT in the code base.
import { floatTensor, readFloats } from '../activation/float-io.js';
import { castRef } from '../shape-ops/cast.ref.js';
import type { DType, Tensor } from '../tensor.js';
import { dftRef } from './signal.ref.js';

/**
 * STFT of signal [batch, length, 1 or 2] (real, or interleaved real/imaginary): frames start
 * every `frameStep` samples; each holds `window.length` samples (zero-padded past the end),
 * multiplied by the window (ones when absent) and transformed with a DFT of `frameLength`
 * points (cropped or zero-padded, as numpy.fft). frameLength defaults to the window's length,
 * else to the signal length; frames = 1 + floor((length - frameLength) / frameStep). Output
 * [batch, frames, onesided ? frameLength / 2 + 1 : frameLength, 2] in the signal's float type,
 * computed in float64 and rounded once.
 */
export function stftRef(
  signal: Tensor,
  frameStep: number,
  window: Tensor | undefined,
  frameLengthIn: number | undefined,
  onesided: boolean,
): Tensor {
  if (signal.dims.length !== 3)
    throw new Error(`STFT signal must be [batch, length, 1 or 2], got [${signal.dims}]`);
  const [batch, length, comps] = signal.dims;
  if (comps !== 1 && comps !== 2) throw new Error(`STFT signal's last dim must be 1 or 2, got ${comps}`);
  if (window && window.dims.length !== 1) throw new Error(`STFT window must be 1-D, got [${window.dims}]`);
  const frameLength = frameLengthIn ?? (window ? window.dims[0] : length);
  if (!Number.isInteger(frameLength) || frameLength < 1)
    throw new Error(`STFT frame_length must be a positive integer, got ${frameLength}`);
  if (!Number.isInteger(frameStep) || frameStep < 1)
    throw new Error(`STFT frame_step must be a positive integer, got ${frameStep}`);
  if (frameLength > length)
    throw new Error(`STFT frame_length ${frameLength} is longer than the signal (${length})`);
  const frames = 1 + Math.floor((length - frameLength) / frameStep);
  const size = window ? window.dims[0] : frameLength;
  const w = window ? readFloats(window) : new Float64Array(size).fill(1);
  const xs = readFloats(signal);
  const framed = new Float64Array(batch * frames * size * comps);
  for (let b = 0; b < batch; b++)
    for (let f = 0; f < frames; f++)
      for (let k = 0; k < size; k++) {
        const t = f * frameStep + k;
        if (t >= length) break;
        for (let c = 0; c < comps; c++)
          framed[((b * frames + f) * size + k) * comps + c] = xs[(b * length + t) * comps + c] * w[k];
      }
  const spectrum = dftRef(
    { dtype: 'float64', dims: [batch, frames, size, comps], data: framed },
    2,
    frameLength,
    false,
    onesided,
  );
  return floatTensor(signal.dtype, spectrum.dims, spectrum.data as Float64Array);
}

/**
 * MelWeightMatrix [dftLength / 2 + 1, numMelBins]: triangular filters between mel-spaced edges,
 * the edges floored to DFT bins exactly as ONNX's reference (which computes the edge mels in the
 * edge inputs' own float type, float32 by default: `edgeIsFloat32` rounds them the same way).
 */
export function melWeightMatrixRef(
  numMelBins: number,
  dftLength: number,
  sampleRate: number,
  lowerHertz: number,
  upperHertz: number,
  edgeIsFloat32: boolean,
  dtype: DType,
): Tensor {
  if (!Number.isInteger(numMelBins) || numMelBins < 1)
    throw new Error(`MelWeightMatrix num_mel_bins must be a positive integer, got ${numMelBins}`);
  if (!Number.isInteger(dftLength) || dftLength < 1)
    throw new Error(`MelWeightMatrix dft_length must be a positive integer, got ${dftLength}`);
  if (!(sampleRate > 0)) throw new Error(`MelWeightMatrix sample_rate must be positive, got ${sampleRate}`);
  const round = edgeIsFloat32 ? Math.fround : (v: number) => v;
  const toMel = (hz: number) => round(2595 * round(Math.log1p(round(hz / 700)))) / Math.log(10);
  const lowMel = toMel(lowerHertz);
  const highMel = toMel(upperHertz);
  const count = numMelBins + 2;
  const step = (highMel - lowMel) / count;
  const bins = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const hz = 700 * Math.expm1(((i * step + lowMel) / 2595) * Math.log(10));
    bins[i] = Math.floor(((dftLength + 1) * hz) / sampleRate);
  }
  const rows = Math.floor(dftLength / 2) + 1;
  const out = new Float64Array(rows * numMelBins);
  // numpy's negative indices count from the end; an index past the end is an error there too.
  const set = (row: number, col: number, v: number) => {
    const r = row < 0 ? row + rows : row;
    if (r < 0 || r >= rows)
      throw new Error(`MelWeightMatrix: a filter edge falls outside the ${rows} spectrogram bins`);
    out[r * numMelBins + col] = v;
  };
  for (let i = 0; i < numMelBins; i++) {
    const [lo, center, hi] = [bins[i], bins[i + 1], bins[i + 2]];
    if (center === lo) set(center, i, 1);
    else for (let j = lo; j <= center; j++) set(j, i, (j - lo) / (center - lo));
    if (hi > center) for (let j = center; j < hi; j++) set(j, i, (hi - j) / (hi - center));
  }
  const dims = [rows, numMelBins];
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'float16') return floatTensor(dtype, dims, out);
  // Integer outputs truncate (numpy astype); bfloat16 rounds to nearest even, as Cast does.
  return castRef({ dtype: 'float64', dims, data: out }, dtype);
}

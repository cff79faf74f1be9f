// Schemas of STFT and MelWeightMatrix (opset 17, unchanged through 28).
import type { OpSchema } from '../op-schema.js';

export const spectralSchemas: readonly OpSchema[] = [
  {
    opType: 'STFT',
    domain: '',
    category: 'elementwise',
    inputs: ['signal', 'frame_step', 'window?', 'frame_length?'],
    outputs: ['output'],
    attributes: { onesided: { type: 'int', default: 1 } },
    sinceVersion: 17,
  },
  {
    opType: 'MelWeightMatrix',
    domain: '',
    category: 'shape',
    inputs: ['num_mel_bins', 'dft_length', 'sample_rate', 'lower_edge_hertz', 'upper_edge_hertz'],
    outputs: ['output'],
    attributes: { output_datatype: { type: 'int', default: 1 } },
    sinceVersion: 17,
  },
];

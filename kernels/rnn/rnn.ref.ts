// RNN (ai.onnx 7, 14, 22), the simple recurrent cell, per direction:
//   H_t = f(clip(X_t W^T + H_{t-1} R^T + Wb + Rb))
// with f the direction's activation (default Tanh). Opset 14 added `layout` (handled by the shared
// driver, kernels/rnn/recurrent.ts, with directions, sequence_lens and the outputs); 22 added
// bfloat16, which the adapter refuses. float32 / float64 / float16; computed in float64 with the
// state rounded to the tensor's type each step; within 1e-4 relative of onnxruntime's float32.
import type { CellOptions, RecurrentInputs, RecurrentOutputs } from './recurrent.js';
import { dotRow, runCells } from './recurrent.js';

/** One activation per direction. */
export type RnnOptions = CellOptions;

export function rnnRef(inputs: RecurrentInputs, options: RnnOptions): RecurrentOutputs {
  return runCells('RNN', 1, 1, inputs, options, false, (_d, { sizes, weights, acts, clip }) => {
    const { input, hidden } = sizes;
    const { w, r, b } = weights;
    const [f] = acts;
    const pre = new Float64Array(hidden);
    return (x, xOff, h) => {
      for (let j = 0; j < hidden; j++)
        pre[j] = dotRow(x, xOff, w, j, input) + dotRow(h, 0, r, j, hidden) + b[j] + b[hidden + j];
      for (let j = 0; j < hidden; j++) h[j] = f(clip(pre[j]));
    };
  });
}

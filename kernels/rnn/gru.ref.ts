// GRU (ai.onnx 7, 14, 22), per direction, gates z (update), r (reset), h (hidden) in that order in
// W, R and B (Wb then Rb):
//   z = f(clip(X W_z^T + H R_z^T + Wb_z + Rb_z))
//   r = f(clip(X W_r^T + H R_r^T + Wb_r + Rb_r))
//   linear_before_reset = 0: h~ = g(clip(X W_h^T + (r . H) R_h^T + Rb_h + Wb_h))
//   linear_before_reset = 1: h~ = g(clip(X W_h^T + r . (H R_h^T + Rb_h) + Wb_h))
//   H' = (1 - z) . h~ + z . H
// f, g: the direction's two activations (default Sigmoid, Tanh). Opset 14 added `layout`
// (kernels/rnn/recurrent.ts), 22 bfloat16 (refused by the adapter). Computed in float64 with the
// state rounded to the tensor's type each step; within 1e-4 relative of onnxruntime's float32.
import type { CellOptions, RecurrentInputs, RecurrentOutputs } from './recurrent.js';
import { dotRow, runCells } from './recurrent.js';

/** Two activations per direction: f, g. */
export interface GruOptions extends CellOptions {
  readonly linearBeforeReset: boolean;
}

export function gruRef(inputs: RecurrentInputs, options: GruOptions): RecurrentOutputs {
  return runCells('GRU', 3, 2, inputs, options, false, (_d, { sizes, weights, acts, clip }) => {
    const { input, hidden: H } = sizes;
    const z = new Float64Array(H);
    const r = new Float64Array(H);
    const rh = new Float64Array(H);
    const next = new Float64Array(H);
    const [f, g] = acts;
    const { w, b } = weights;
    const R = weights.r;
    // B = [Wb_z, Wb_r, Wb_h, Rb_z, Rb_r, Rb_h]
    const wb = (gate: number, j: number) => b[gate * H + j];
    const rb = (gate: number, j: number) => b[(3 + gate) * H + j];
    return (x, xOff, h) => {
      for (let j = 0; j < H; j++) {
        z[j] = f(clip(dotRow(x, xOff, w, j, input) + dotRow(h, 0, R, j, H) + wb(0, j) + rb(0, j)));
        r[j] = f(clip(dotRow(x, xOff, w, H + j, input) + dotRow(h, 0, R, H + j, H) + wb(1, j) + rb(1, j)));
      }
      if (!options.linearBeforeReset) for (let k = 0; k < H; k++) rh[k] = r[k] * h[k];
      for (let j = 0; j < H; j++) {
        const xw = dotRow(x, xOff, w, 2 * H + j, input);
        const pre = options.linearBeforeReset
          ? xw + r[j] * (dotRow(h, 0, R, 2 * H + j, H) + rb(2, j)) + wb(2, j)
          : xw + dotRow(rh, 0, R, 2 * H + j, H) + rb(2, j) + wb(2, j);
        next[j] = (1 - z[j]) * g(clip(pre)) + z[j] * h[j];
      }
      h.set(next);
    };
  });
}

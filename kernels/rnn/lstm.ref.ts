// LSTM (ai.onnx 7, 14, 22), per direction, gates i (input), o (output), f (forget), c (cell) in
// that order in W, R and B (Wb then Rb); peepholes P = [P_i, P_o, P_f]:
//   i = f(clip(X W_i^T + H R_i^T + P_i . C + Wb_i + Rb_i))
//   f = f(clip(X W_f^T + H R_f^T + P_f . C + Wb_f + Rb_f))   (input_forget = 1: f = 1 - i)
//   c~ = g(clip(X W_c^T + H R_c^T + Wb_c + Rb_c))
//   C' = f . C + i . c~
//   o = f(clip(X W_o^T + H R_o^T + P_o . C' + Wb_o + Rb_o))
//   H' = o . h(C')
// f, g, h: the direction's three activations (default Sigmoid, Tanh, Tanh). `clip` bounds the
// gates' inputs only, not C' before h (as onnxruntime). Opset 14 added `layout`
// (kernels/rnn/recurrent.ts), 22 bfloat16 (refused by the adapter). Computed in float64 with H
// and C rounded to the tensor's type each step; within 1e-4 relative of onnxruntime's float32.
import { readFloats } from '../activation/float-io.js';
import type { Tensor } from '../tensor.js';
import type { CellOptions, RecurrentInputs, RecurrentOutputs } from './recurrent.js';
import { dotRow, runCells } from './recurrent.js';

/** Three activations per direction: f, g, h. */
export interface LstmOptions extends CellOptions {
  readonly inputForget: boolean;
}

export function lstmRef(
  inputs: RecurrentInputs,
  peepholes: Tensor | undefined,
  options: LstmOptions,
): Required<RecurrentOutputs> {
  const checkPeepholes = ({ dirs, hidden: H }: { dirs: number; hidden: number }) => {
    if (
      peepholes &&
      (peepholes.dims.length !== 2 || peepholes.dims[0] !== dirs || peepholes.dims[1] !== 3 * H)
    )
      throw new Error(`LSTM: P must have shape [${dirs},${3 * H}], got [${peepholes.dims}]`);
    if (peepholes && peepholes.dtype !== inputs.x.dtype)
      throw new Error(`LSTM: P is ${peepholes.dtype} but X is ${inputs.x.dtype}`);
  };
  const out = runCells(
    'LSTM',
    4,
    3,
    inputs,
    options,
    true,
    (d, { sizes, weights, acts, clip }) => {
      const { input, hidden: H } = sizes;
      const { w, r, b } = weights;
      const [fa, ga, ha] = acts;
      const gi = new Float64Array(H);
      const o = new Float64Array(H);
      const p = peepholes
        ? Float64Array.from(readFloats(peepholes).subarray(d * 3 * H, (d + 1) * 3 * H))
        : new Float64Array(3 * H);
      // Gate rows: i 0, o 1, f 2, c 3; B = [Wb_i, Wb_o, Wb_f, Wb_c, Rb_i, Rb_o, Rb_f, Rb_c].
      const lin = (x: Float64Array, xOff: number, h: Float64Array, gate: number, j: number) =>
        dotRow(x, xOff, w, gate * H + j, input) +
        dotRow(h, 0, r, gate * H + j, H) +
        b[gate * H + j] +
        b[(4 + gate) * H + j];
      return (x, xOff, h, c) => {
        const C = c as Float64Array;
        for (let j = 0; j < H; j++) o[j] = lin(x, xOff, h, 1, j);
        for (let j = 0; j < H; j++) {
          const i = fa(clip(lin(x, xOff, h, 0, j) + p[j] * C[j]));
          const f = options.inputForget ? 1 - i : fa(clip(lin(x, xOff, h, 2, j) + p[2 * H + j] * C[j]));
          const cc = ga(clip(lin(x, xOff, h, 3, j)));
          gi[j] = f * C[j] + i * cc;
        }
        for (let j = 0; j < H; j++) {
          C[j] = gi[j];
          h[j] = fa(clip(o[j] + p[H + j] * C[j])) * ha(C[j]);
        }
      };
    },
    checkPeepholes,
  );
  return out as Required<RecurrentOutputs>;
}

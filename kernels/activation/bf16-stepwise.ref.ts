// Activations on bfloat16 as ONNX's reference computes them with numpy on ml_dtypes.bfloat16:
// each numpy step on bfloat16 operands rounds to bfloat16 (`round`), while a step with a float32
// attribute scalar (np.float32 in the reference) computes and rounds in float32 (Math.fround) and
// one with a Python float leaves bfloat16 altogether (float64), the result cast to bfloat16 at
// the end. Each recipe follows the reference op's numpy lines.
import { decodeSmallFloat, encodeSmallFloat } from '../dtypes/small-floats.js';
import { castRef } from '../shape-ops/cast.ref.js';
import type { Tensor } from '../tensor.js';
import { softmaxBfloat16Ref } from '../softmax/softmax-bf16.ref.js';

const round = (v: number) => decodeSmallFloat('bfloat16', encodeSmallFloat('bfloat16', v));
const f32 = Math.fround;

export type StepwiseActivation = 'Sigmoid' | 'Softsign' | 'LeakyRelu' | 'Selu';

/** One element of the activation; `a` / `b` are the float32 attributes (alpha, gamma). */
function step(kind: StepwiseActivation, x: number, a: number, b: number): number {
  switch (kind) {
    case 'Sigmoid': {
      // where(x > 0, 1.0 / (1.0 + exp(-x)), exp(x) / (1.0 + exp(x))): exp in bfloat16; the Python
      // float 1.0 takes the rest out of bfloat16 (to float64), rounded once at the end.
      if (x > 0) return round(1 / (1 + round(Math.exp(-x))));
      const e = round(Math.exp(x));
      return round(e / (1 + e));
    }
    case 'Softsign':
      // tmp = |x|; tmp += 1; x / tmp.
      return round(x / round(Math.abs(x) + 1));
    case 'LeakyRelu':
      // sign = 1 where x > 0, else bfloat16(alpha); x * sign.
      return x > 0 ? x : round(x * round(f32(a)));
    case 'Selu': {
      // where(x > 0, x, alpha * expm1(x)) * gamma: expm1 in bfloat16, the rest in float32.
      const v = x > 0 ? x : f32(f32(a) * round(Math.expm1(x)));
      return f32(v * f32(b));
    }
  }
}

export function activationBfloat16Ref(kind: StepwiseActivation, x: Tensor, a = 0, b = 0): Tensor {
  const xs = castRef(x, 'float32').data as Float32Array;
  const out = Float64Array.from(xs, (v) => step(kind, v, a, b));
  return castRef({ dtype: 'float64', dims: [...x.dims], data: out }, 'bfloat16');
}

/** LogSoftmax: the bfloat16 softmax, then log rounded to bfloat16. */
export function logSoftmaxBfloat16Ref(x: Tensor, axis: number): Tensor {
  const y = castRef(softmaxBfloat16Ref(x, axis), 'float32').data as Float32Array;
  const out = Float64Array.from(y, (v) => round(Math.log(v)));
  return castRef({ dtype: 'float64', dims: [...x.dims], data: out }, 'bfloat16');
}

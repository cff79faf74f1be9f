// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opsets 12/13): inputs [N, C] or
// [N, C, d1, ...], integer targets [N] or [N, d1, ...], optional per-class weights; reductions
// 'none' (per element), 'sum' and 'mean' (divided by the summed weights of the counted elements,
// or their count without weights); targets equal to ignore_index count as 0 with weight 0.
// Sums in float64, results rounded once to the input's float type (ONNX reference's order).
import { floatTensor, readFloats } from '../activation/float-io.js';
import { logSoftmax } from '../softmax/softmax.ref.js';
import type { Tensor } from '../tensor.js';

export type LossReduction = 'none' | 'sum' | 'mean';

export function nllLossRef(
  input: Tensor,
  target: Tensor,
  weight: Tensor | undefined,
  reduction: LossReduction,
  ignoreIndex: number | undefined,
): Tensor {
  if (input.dims.length < 2)
    throw new Error(`NegativeLogLikelihoodLoss input needs [N, C, ...], got [${input.dims}]`);
  const [n, c] = input.dims;
  const rest = input.dims.slice(2);
  const inner = rest.reduce((a, b) => a * b, 1);
  const expect = [n, ...rest];
  if (target.dims.length !== expect.length || target.dims.some((d, i) => d !== expect[i]))
    throw new Error(`NegativeLogLikelihoodLoss target has shape [${target.dims}], expected [${expect}]`);
  const x = readFloats(input);
  const w = weight ? readFloats(weight) : undefined;
  if (w && w.length !== c)
    throw new Error(`NegativeLogLikelihoodLoss weight has ${w.length} values for ${c} classes`);
  const loss = new Float64Array(n * inner);
  let weightSum = 0;
  for (let b = 0; b < n; b++)
    for (let j = 0; j < inner; j++) {
      const k = Number(target.data[b * inner + j]);
      if (ignoreIndex !== undefined && k === ignoreIndex) continue;
      if (!(k >= 0 && k < c))
        throw new Error(`NegativeLogLikelihoodLoss target ${k} is out of range [0, ${c})`);
      const wk = w ? w[k] : 1;
      loss[b * inner + j] = -x[(b * c + k) * inner + j] * wk;
      weightSum += wk;
    }
  if (reduction === 'none') return floatTensor(input.dtype, expect, loss);
  let sum = 0;
  for (const v of loss) sum += v;
  return floatTensor(input.dtype, [], [reduction === 'sum' ? sum : sum / weightSum]);
}

/** SoftmaxCrossEntropyLoss: the loss of LogSoftmax(scores) over axis 1, and that log-probability. */
export function softmaxCrossEntropyRef(
  scores: Tensor,
  labels: Tensor,
  weight: Tensor | undefined,
  reduction: LossReduction,
  ignoreIndex: number | undefined,
): { loss: Tensor; logProb: Tensor } {
  const logProb = logSoftmax(scores, 1);
  return { loss: nllLossRef(logProb, labels, weight, reduction, ignoreIndex), logProb };
}

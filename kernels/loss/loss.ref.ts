// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss. Input [N, C, d1...] (log-probabilities,
// or scores for SCE), targets [N, d1...] of class indices, optional per-class weights [C].
// Element loss = -input[n, t, d] * w[t]; a target equal to ignore_index contributes 0 and no
// weight. 'mean' divides the sum by the summed weights of the counted elements (by their count
// without weights), 'sum' sums, 'none' keeps [N, d1...]. float64 throughout, rounded once.
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import { logSoftmax } from '../softmax/softmax.ref.js';
import { elementAsNumber, type Tensor } from '../tensor.js';

export type LossReduction = 'none' | 'mean' | 'sum';

export function nllLossRef(
  input: Tensor,
  target: Tensor,
  weight: Tensor | undefined,
  reduction: LossReduction,
  ignoreIndex: number | undefined,
): Tensor {
  assertFloat(input, 'NegativeLogLikelihoodLoss input');
  if (input.dims.length < 2) throw new Error(`loss input needs [N, C, ...], got [${input.dims}]`);
  const [n, c] = input.dims;
  const spatialDims = input.dims.slice(2);
  const tdims = [n, ...spatialDims];
  if (target.dims.length !== tdims.length || target.dims.some((d, i) => d !== tdims[i]))
    throw new Error(`loss target [${target.dims}] does not match input [${input.dims}]`);
  const d = spatialDims.reduce((p, v) => p * v, 1);
  const x = readFloats(input);
  const w = weight ? readFloats(weight) : undefined;
  const losses = new Float64Array(n * d);
  let sum = -0;
  let weightSum = 0;
  for (let i = 0; i < n; i++)
    for (let s = 0; s < d; s++) {
      const t = elementAsNumber(target, i * d + s);
      // An ignored element is -0, as onnxruntime writes it (and so is a sum of only those).
      if (ignoreIndex !== undefined && t === ignoreIndex) {
        losses[i * d + s] = -0;
        continue;
      }
      if (!(t >= 0 && t < c)) throw new Error(`loss target ${t} is out of range for ${c} classes`);
      const wt = w ? w[t] : 1;
      const l = -x[(i * c + t) * d + s] * wt;
      losses[i * d + s] = l;
      sum += l;
      weightSum += wt;
    }
  if (reduction === 'none') return floatTensor(input.dtype, tdims, losses);
  if (reduction === 'sum') return floatTensor(input.dtype, [], [sum]);
  return floatTensor(input.dtype, [], [sum / weightSum]);
}

/** SoftmaxCrossEntropyLoss: log-softmax over axis 1, then the NLL loss; also gives the log-probabilities. */
export function softmaxCrossEntropyRef(
  scores: Tensor,
  labels: Tensor,
  weight: Tensor | undefined,
  reduction: LossReduction,
  ignoreIndex: number | undefined,
): [Tensor, Tensor] {
  assertFloat(scores, 'SoftmaxCrossEntropyLoss scores');
  // logSoftmax over axis 1 in float64, kept unrounded (float64) for the loss, rounded for the output.
  const logProb64 = logSoftmax(
    { ...scores, dtype: 'float64', data: Float64Array.from(readFloats(scores)) },
    1,
  );
  const loss = nllLossRef(logProb64, labels, weight, reduction, ignoreIndex);
  return [
    floatTensor(scores.dtype, loss.dims, loss.data as Float64Array),
    floatTensor(scores.dtype, scores.dims, logProb64.data as Float64Array),
  ];
}

export function parseReduction(s: string): LossReduction {
  if (s === 'none' || s === 'mean' || s === 'sum') return s;
  throw new Error(`reduction '${s}' is not supported`);
}

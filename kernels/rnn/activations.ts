// The activation functions of RNN, GRU and LSTM (their `activations`, `activation_alpha` and
// `activation_beta` attributes), shared by the three references.
//
// How alpha and beta are assigned follows onnxruntime's rnn_helpers (ActivationFuncs): the lists
// are consumed in the order of the activations, and only by the activations that take the value
// (Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid and Elu take alpha; Affine,
// ScaledTanh and HardSigmoid take beta). When a list runs out the value is LeakyRelu's 0.01,
// HardSigmoid's 0.2 / 0.5, Elu's 1, and 0 for the others (ThresholdedRelu, Affine, ScaledTanh:
// onnxruntime's defaults, which the ONNX text leaves open). onnxruntime's RNN kernel (not GRU /
// LSTM) indexes the lists by direction instead and defaults to 0; the two agree whenever every
// activation takes the value and the lists are given, which is what exporters write.

export type RnnActivationName =
  | 'relu'
  | 'tanh'
  | 'sigmoid'
  | 'affine'
  | 'leakyrelu'
  | 'thresholdedrelu'
  | 'scaledtanh'
  | 'hardsigmoid'
  | 'elu'
  | 'softsign'
  | 'softplus';

export interface RnnActivation {
  readonly name: RnnActivationName;
  readonly alpha: number;
  readonly beta: number;
}

/** Which activations consume an alpha / a beta, and the value when the list has run out. */
const USAGE: Readonly<Record<RnnActivationName, { alpha?: number; beta?: number }>> = {
  relu: {},
  tanh: {},
  sigmoid: {},
  affine: { alpha: 0, beta: 0 },
  leakyrelu: { alpha: 0.01 },
  thresholdedrelu: { alpha: 0 },
  scaledtanh: { alpha: 0, beta: 0 },
  hardsigmoid: { alpha: 0.2, beta: 0.5 },
  elu: { alpha: 1 },
  softsign: {},
  softplus: {},
};

export function isRnnActivationName(name: string): name is RnnActivationName {
  return Object.hasOwn(USAGE, name.toLowerCase());
}

/**
 * The activations with their alpha / beta, from the attribute values. Names are matched without
 * case, as onnxruntime does; an unknown one throws (the adapter checks names first).
 */
export function resolveActivations(
  names: readonly string[],
  alphas: readonly number[] = [],
  betas: readonly number[] = [],
): RnnActivation[] {
  let ai = 0;
  let bi = 0;
  return names.map((raw) => {
    const name = raw.toLowerCase();
    if (!isRnnActivationName(name)) throw new Error(`unknown recurrent activation '${raw}'`);
    const use = USAGE[name];
    let alpha = 0;
    let beta = 0;
    if (use.alpha !== undefined) alpha = ai < alphas.length ? alphas[ai++] : use.alpha;
    if (use.beta !== undefined) beta = bi < betas.length ? betas[bi++] : use.beta;
    return { name, alpha, beta };
  });
}

/** The activation as a float64 function. */
export function activationFn(a: RnnActivation): (x: number) => number {
  const { alpha, beta } = a;
  switch (a.name) {
    case 'relu':
      return (x) => Math.max(x, 0);
    case 'tanh':
      return Math.tanh;
    case 'sigmoid':
      return (x) => 1 / (1 + Math.exp(-x));
    case 'affine':
      return (x) => alpha * x + beta;
    case 'leakyrelu':
      return (x) => (x >= 0 ? x : alpha * x);
    case 'thresholdedrelu':
      return (x) => (x > alpha ? x : 0);
    case 'scaledtanh':
      return (x) => alpha * Math.tanh(beta * x);
    case 'hardsigmoid':
      return (x) => Math.max(0, Math.min(1, alpha * x + beta));
    case 'elu':
      return (x) => (x >= 0 ? x : alpha * (Math.exp(x) - 1));
    case 'softsign':
      return (x) => x / (1 + Math.abs(x));
    case 'softplus':
      // log(1 + e^x) without overflow for large x.
      return (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
  }
}

// What RNN, GRU and LSTM share: input checks, the layouts, the directions and sequence_lens, and
// the outputs. Each family file (rnn.ref.ts, gru.ref.ts, lstm.ref.ts) gives only its cell: one
// time step of one batch row of one direction.
//
// Semantics (ONNX, as onnxruntime runs them):
// - layout 0: X [seq, batch, input], initial_h/c [dirs, batch, hidden], Y [seq, dirs, batch,
//   hidden], Y_h/Y_c [dirs, batch, hidden]; layout 1 (opset 14+): X [batch, seq, input],
//   initial_h/c [batch, dirs, hidden], Y [batch, seq, dirs, hidden], Y_h/Y_c [batch, dirs, hidden].
// - direction 'reverse' (and the second direction of 'bidirectional') reads a row's valid steps
//   from its last (sequence_lens[b] - 1) down to 0 and writes each output at its own time step.
// - sequence_lens: steps at or past a row's length are zero in Y; Y_h / Y_c are the state after
//   the row's last processed step (t = len - 1 forward, t = 0 reverse); a row of length 0 gives
//   zeros (as onnxruntime's LSTM and GRU).
// Numerics: each step is computed in float64 and the state is rounded to the tensor's type after
// every step, so the next step reads exactly what Y holds (as onnxruntime's float32 buffers).
// onnxruntime sums in float32 and uses polynomial tanh / sigmoid; ours match it within 1e-4
// relative on the unit tests' sizes.
import { floatTensor, readFloats } from '../activation/float-io.js';
import { float16BitsToNumber, numberToFloat16Bits, type Tensor } from '../tensor.js';
import { activationFn, type RnnActivation } from './activations.js';

export type RnnDirection = 'forward' | 'reverse' | 'bidirectional';

export interface RecurrentInputs {
  readonly x: Tensor;
  readonly w: Tensor;
  readonly r: Tensor;
  readonly b?: Tensor;
  readonly sequenceLens?: Tensor;
  readonly initialH?: Tensor;
  /** LSTM only. */
  readonly initialC?: Tensor;
}

/** Only the dtypes and dims of the inputs (what the shape checks read; a GPU plan has no data). */
export type RecurrentShapes = {
  readonly [K in keyof RecurrentInputs]: RecurrentInputs[K] extends Tensor
    ? Pick<Tensor, 'dtype' | 'dims'>
    : Pick<Tensor, 'dtype' | 'dims'> | undefined;
};

export interface RecurrentOptions {
  readonly direction: RnnDirection;
  /** The `hidden_size` attribute; absent: R's last dimension. */
  readonly hiddenSize?: number;
  readonly layout: 0 | 1;
}

/** Weights of one direction, as float64 row-major views. */
export interface DirectionWeights {
  /** [gates * hidden, input] */
  readonly w: Float64Array;
  /** [gates * hidden, hidden] */
  readonly r: Float64Array;
  /** [2 * gates * hidden]: Wb then Rb, zeros when B is absent. */
  readonly b: Float64Array;
}

/**
 * One time step of one row: reads x[xOff .. xOff + input), updates h (and c for LSTM) in place.
 * Values are float64; the driver rounds the state afterwards.
 */
export type CellStep = (x: Float64Array, xOff: number, h: Float64Array, c: Float64Array | undefined) => void;

export interface RecurrentOutputs {
  readonly y: Tensor;
  readonly yH: Tensor;
  /** LSTM only. */
  readonly yC?: Tensor;
}

export interface RecurrentSizes {
  readonly seq: number;
  readonly batch: number;
  readonly input: number;
  readonly hidden: number;
  readonly dirs: number;
}

function fail(op: string, message: string): never {
  throw new Error(`${op}: ${message}`);
}

function dimsEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function toF64(t: Tensor): Float64Array {
  return Float64Array.from(readFloats(t));
}

/** Rounds a value to the float type of the tensors (the state is held at that precision). */
function rounder(dtype: Tensor['dtype']): (v: number) => number {
  if (dtype === 'float32') return Math.fround;
  if (dtype === 'float16') return (v) => float16BitsToNumber(numberToFloat16Bits(v));
  return (v) => v;
}

/** The sizes, checked against every input's shape. */
export function recurrentSizes(
  op: string,
  gates: number,
  inputs: RecurrentShapes,
  options: RecurrentOptions,
): RecurrentSizes {
  const { x, w, r, b, sequenceLens, initialH, initialC } = inputs;
  if (x.dims.length !== 3) fail(op, `X must have rank 3, got [${x.dims}]`);
  const [seq, batch] = options.layout === 1 ? [x.dims[1], x.dims[0]] : [x.dims[0], x.dims[1]];
  const input = x.dims[2];
  const dirs = options.direction === 'bidirectional' ? 2 : 1;
  if (r.dims.length !== 3) fail(op, `R must have rank 3, got [${r.dims}]`);
  const hidden = options.hiddenSize ?? r.dims[2];
  if (!dimsEqual(w.dims, [dirs, gates * hidden, input]))
    fail(op, `W must have shape [${[dirs, gates * hidden, input]}], got [${w.dims}]`);
  if (!dimsEqual(r.dims, [dirs, gates * hidden, hidden]))
    fail(op, `R must have shape [${[dirs, gates * hidden, hidden]}], got [${r.dims}]`);
  if (b && !dimsEqual(b.dims, [dirs, 2 * gates * hidden]))
    fail(op, `B must have shape [${[dirs, 2 * gates * hidden]}], got [${b.dims}]`);
  if (sequenceLens && !dimsEqual(sequenceLens.dims, [batch]))
    fail(op, `sequence_lens must have shape [${batch}], got [${sequenceLens.dims}]`);
  const stateDims = options.layout === 1 ? [batch, dirs, hidden] : [dirs, batch, hidden];
  for (const [name, t] of [
    ['initial_h', initialH],
    ['initial_c', initialC],
  ] as const)
    if (t && !dimsEqual(t.dims, stateDims))
      fail(op, `${name} must have shape [${stateDims}], got [${t.dims}]`);
  for (const [name, t] of [
    ['W', w],
    ['R', r],
    ['B', b],
    ['initial_h', initialH],
    ['initial_c', initialC],
  ] as const)
    if (t && t.dtype !== x.dtype) fail(op, `${name} is ${t.dtype} but X is ${x.dtype}`);
  return { seq, batch, input, hidden, dirs };
}

/** The weights of direction d (gates = rows per hidden unit: 1 RNN, 3 GRU, 4 LSTM). */
export function directionWeights(
  inputs: RecurrentInputs,
  sizes: RecurrentSizes,
  gates: number,
  d: number,
): DirectionWeights {
  const { hidden, input } = sizes;
  const wAll = readFloats(inputs.w);
  const rAll = readFloats(inputs.r);
  const gh = gates * hidden;
  const w = Float64Array.from(wAll.subarray(d * gh * input, (d + 1) * gh * input));
  const r = Float64Array.from(rAll.subarray(d * gh * hidden, (d + 1) * gh * hidden));
  const b = inputs.b
    ? Float64Array.from(readFloats(inputs.b).subarray(d * 2 * gh, (d + 1) * 2 * gh))
    : new Float64Array(2 * gh);
  return { w, r, b };
}

/** sum_k a[aOff + k] * m[row * n + k] for k < n: one row of a matrix times a vector. */
export function dotRow(a: Float64Array, aOff: number, m: Float64Array, row: number, n: number): number {
  let s = 0;
  const base = row * n;
  for (let k = 0; k < n; k++) s += a[aOff + k] * m[base + k];
  return s;
}

/** Clamps to [-clip, clip]; `undefined` clip: unchanged. */
export function clipper(clip: number | undefined): (v: number) => number {
  if (clip === undefined) return (v) => v;
  return (v) => Math.min(clip, Math.max(-clip, v));
}

/**
 * Runs the cell over every direction, row and valid step. `makeStep(d)` builds direction d's
 * cell; `withCell` adds the LSTM cell state (initial_c, Y_c).
 */
export function runRecurrent(
  op: string,
  inputs: RecurrentInputs,
  options: RecurrentOptions,
  sizes: RecurrentSizes,
  withCell: boolean,
  makeStep: (d: number) => CellStep,
): RecurrentOutputs {
  const { seq, batch, input, hidden, dirs } = sizes;
  const { layout } = options;
  const dtype = inputs.x.dtype;
  const round = rounder(dtype);
  const xs = toF64(inputs.x);
  const lens = inputs.sequenceLens ? Array.from(inputs.sequenceLens.data, Number) : undefined;
  if (lens?.some((l) => !(l >= 0 && l <= seq)))
    fail(op, `sequence_lens must be between 0 and ${seq}, got [${lens}]`);
  const h0 = inputs.initialH ? toF64(inputs.initialH) : undefined;
  const c0 = withCell && inputs.initialC ? toF64(inputs.initialC) : undefined;
  // Offsets by layout: X row (t, b), state (d, b), Y (t, d, b).
  const xAt = (t: number, b: number) => (layout === 1 ? b * seq + t : t * batch + b) * input;
  const stateAt = (d: number, b: number) => (layout === 1 ? b * dirs + d : d * batch + b) * hidden;
  const yAt = (t: number, d: number, b: number) =>
    (layout === 1 ? (b * seq + t) * dirs + d : (t * dirs + d) * batch + b) * hidden;
  const y = new Float64Array(seq * dirs * batch * hidden);
  const yH = new Float64Array(dirs * batch * hidden);
  const yC = new Float64Array(withCell ? dirs * batch * hidden : 0);
  const h = new Float64Array(hidden);
  const c = withCell ? new Float64Array(hidden) : undefined;
  for (let d = 0; d < dirs; d++) {
    const step = makeStep(d);
    const reverse = options.direction === 'reverse' || d === 1;
    for (let b = 0; b < batch; b++) {
      const len = lens ? lens[b] : seq;
      const s = stateAt(d, b);
      for (let j = 0; j < hidden; j++) {
        h[j] = h0 ? h0[s + j] : 0;
        if (c) c[j] = c0 ? c0[s + j] : 0;
      }
      for (let k = 0; k < len; k++) {
        const t = reverse ? len - 1 - k : k;
        step(xs, xAt(t, b), h, c);
        const o = yAt(t, d, b);
        for (let j = 0; j < hidden; j++) {
          h[j] = round(h[j]);
          y[o + j] = h[j];
          if (c) c[j] = round(c[j]);
        }
      }
      if (len > 0) {
        yH.set(h, s);
        if (c) yC.set(c, s);
      }
    }
  }
  const yDims = layout === 1 ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden];
  const stateDims = layout === 1 ? [batch, dirs, hidden] : [dirs, batch, hidden];
  return {
    y: floatTensor(dtype, yDims, y),
    yH: floatTensor(dtype, stateDims, yH),
    yC: withCell ? floatTensor(dtype, stateDims, yC) : undefined,
  };
}

/** The attributes every cell takes besides the layout and direction. */
export interface CellOptions extends RecurrentOptions {
  /** `perDirection` per direction, in the op's order. */
  readonly activations: readonly RnnActivation[];
  readonly clip?: number;
}

/** What a cell of direction d is built from. */
export interface CellSetup {
  readonly sizes: RecurrentSizes;
  readonly weights: DirectionWeights;
  /** Direction d's activations as float64 functions. */
  readonly acts: readonly ((x: number) => number)[];
  readonly clip: (v: number) => number;
}

/**
 * The set-up the three references share: checks the shapes and the number of activations, then
 * `check` (LSTM's peepholes), then runs `makeStep` per direction with that direction's weights
 * and activations.
 */
export function runCells(
  op: string,
  gates: number,
  perDirection: number,
  inputs: RecurrentInputs,
  options: CellOptions,
  withCell: boolean,
  makeStep: (d: number, setup: CellSetup) => CellStep,
  check: (sizes: RecurrentSizes) => void = () => {},
): RecurrentOutputs {
  const sizes = recurrentSizes(op, gates, inputs, options);
  const { dirs } = sizes;
  if (options.activations.length !== perDirection * dirs)
    throw new Error(`${op}: expected ${perDirection * dirs} activations, got ${options.activations.length}`);
  check(sizes);
  const clip = clipper(options.clip);
  return runRecurrent(op, inputs, options, sizes, withCell, (d) => {
    const acts = options.activations.slice(perDirection * d, perDirection * (d + 1)).map(activationFn);
    return makeStep(d, { sizes, weights: directionWeights(inputs, sizes, gates, d), acts, clip });
  });
}

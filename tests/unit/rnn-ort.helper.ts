// Builds one-node RNN / GRU / LSTM models for tests/unit/rnn-ort.test.ts and runs them on our CPU
// interpreter and on onnxruntime-node. onnxruntime's CPU kernels refuse layout 1, so a layout-1
// case runs there as the spec defines it: the layout-0 node on transposed X / initial_h /
// initial_c, its outputs transposed back.
import * as ort from 'onnxruntime-node';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { type AttrInput, buildModel } from '../helpers/onnx-builder.js';
import { QUIET } from '../helpers/ort-quiet.js';
import { rng } from './nn-oracle.helper.js';

export type RecurrentOp = 'RNN' | 'GRU' | 'LSTM';
const GATES: Record<RecurrentOp, number> = { RNN: 1, GRU: 3, LSTM: 4 };
const OUTPUTS: Record<RecurrentOp, string[]> = {
  RNN: ['Y', 'Y_h'],
  GRU: ['Y', 'Y_h'],
  LSTM: ['Y', 'Y_h', 'Y_c'],
};

export interface RecurrentCase {
  op: RecurrentOp;
  opset?: number;
  seq: number;
  batch: number;
  input: number;
  hidden: number;
  direction?: 'forward' | 'reverse' | 'bidirectional';
  layout?: 0 | 1;
  dtype?: 'float32' | 'float64';
  bias?: boolean;
  seqLens?: number[];
  initialH?: boolean;
  initialC?: boolean;
  peepholes?: boolean;
  /** Other attributes (activations, activation_alpha/beta, clip, linear_before_reset, ...). */
  attrs?: Record<string, AttrInput>;
  /** Which outputs the node names (the others are ''); default all. */
  outputs?: boolean[];
  /** Weight scale: larger saturates the gates more. */
  scale?: number;
  seed?: number;
  /** W, R, B, sequence_lens and P as initializers instead of graph inputs. */
  constants?: boolean;
}

const CONSTANT_INPUTS = ['W', 'R', 'B', 'sequence_lens', 'P'];

function rand(r: () => number, dtype: DType, dims: number[], scale: number): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (2 * r() - 1) * scale;
  return makeTensor(dtype, dims, data);
}

/** [a, b, c] -> [b, a, c] */
export function swap01(t: Tensor): Tensor {
  const [a, b, c] = t.dims;
  const out = new (t.data.constructor as Float32ArrayConstructor)(t.data.length);
  for (let i = 0; i < a; i++)
    for (let j = 0; j < b; j++)
      for (let k = 0; k < c; k++) out[(j * a + i) * c + k] = (t.data as Float32Array)[(i * b + j) * c + k];
  return makeTensor(t.dtype, [b, a, c], out);
}

/** Y [seq, dirs, batch, hidden] -> [batch, seq, dirs, hidden] */
function yToLayout1(t: Tensor): Tensor {
  const [s, d, b, h] = t.dims;
  const out = new (t.data.constructor as Float32ArrayConstructor)(t.data.length);
  const src = t.data as Float32Array;
  for (let i = 0; i < s; i++)
    for (let j = 0; j < d; j++)
      for (let k = 0; k < b; k++)
        for (let m = 0; m < h; m++) out[((k * s + i) * d + j) * h + m] = src[((i * d + j) * b + k) * h + m];
  return makeTensor(t.dtype, [b, s, d, h], out);
}

export interface BuiltCase {
  model: (layout: 0 | 1) => Uint8Array;
  /** Feeds for the given layout (X and initial states transposed for 1). */
  feeds: (layout: 0 | 1) => Map<string, Tensor>;
  outputNames: string[];
}

export function buildRecurrent(c: RecurrentCase): BuiltCase {
  const r = rng(c.seed ?? 1);
  const dtype = c.dtype ?? 'float32';
  const dirs = c.direction === 'bidirectional' ? 2 : 1;
  const g = GATES[c.op];
  const scale = c.scale ?? 0.6;
  const x0 = rand(r, dtype, [c.seq, c.batch, c.input], 1);
  const inputs: Array<[string, Tensor | undefined]> = [
    ['X', x0],
    ['W', rand(r, dtype, [dirs, g * c.hidden, c.input], scale)],
    ['R', rand(r, dtype, [dirs, g * c.hidden, c.hidden], scale)],
    ['B', c.bias ? rand(r, dtype, [dirs, 2 * g * c.hidden], scale) : undefined],
    ['sequence_lens', c.seqLens ? makeTensor('int32', [c.batch], Int32Array.from(c.seqLens)) : undefined],
    ['initial_h', c.initialH ? rand(r, dtype, [dirs, c.batch, c.hidden], 1) : undefined],
  ];
  if (c.op === 'LSTM') {
    inputs.push(['initial_c', c.initialC ? rand(r, dtype, [dirs, c.batch, c.hidden], 1) : undefined]);
    inputs.push(['P', c.peepholes ? rand(r, dtype, [dirs, 3 * c.hidden], scale) : undefined]);
  }
  const nodeInputs = inputs.map(([n, t]) => (t ? n : ''));
  while (nodeInputs.length && nodeInputs[nodeInputs.length - 1] === '') nodeInputs.pop();
  const wanted = c.outputs ?? OUTPUTS[c.op].map(() => true);
  const nodeOutputs = OUTPUTS[c.op].map((n, i) => (wanted[i] ? n : ''));
  while (nodeOutputs.length && nodeOutputs[nodeOutputs.length - 1] === '') nodeOutputs.pop();
  const outputNames = nodeOutputs.filter((n) => n);
  const layoutOf = (t: Tensor, name: string, layout: 0 | 1) =>
    layout === 1 && ['X', 'initial_h', 'initial_c'].includes(name) ? swap01(t) : t;
  const isConstant = (name: string) => c.constants === true && CONSTANT_INPUTS.includes(name);
  const given = inputs.filter((i): i is [string, Tensor] => i[1] !== undefined);
  const feeds = (layout: 0 | 1) =>
    new Map(given.filter(([n]) => !isConstant(n)).map(([n, t]) => [n, layoutOf(t, n, layout)]));
  const model = (layout: 0 | 1) =>
    buildModel({
      opset: c.opset ?? 14,
      inputs: [...feeds(layout)].map(([name, t]) => ({ name, dtype: t.dtype, dims: [...t.dims] })),
      outputs: outputNames.map((name) => ({ name, dtype })),
      initializers: Object.fromEntries(given.filter(([n]) => isConstant(n))),
      nodes: [
        {
          op: c.op,
          inputs: nodeInputs,
          outputs: nodeOutputs,
          attrs: {
            hidden_size: c.hidden,
            ...(c.direction ? { direction: c.direction } : {}),
            ...(layout === 1 ? { layout: 1 } : {}),
            ...c.attrs,
          },
        },
      ],
    });
  return { model, feeds, outputNames };
}

export function runOursRecurrent(b: BuiltCase, layout: 0 | 1): Map<string, Tensor> {
  return new CpuInterpreter(decodeModel(b.model(layout))).runSync(b.feeds(layout));
}

/** onnxruntime's outputs in `layout`'s shapes (it runs layout 0 and we transpose). */
export async function runOrtRecurrent(b: BuiltCase, layout: 0 | 1): Promise<Map<string, Tensor>> {
  const session = await ort.InferenceSession.create(b.model(0), { ...QUIET, executionProviders: ['cpu'] });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of b.feeds(0))
    feeds[k] = new ort.Tensor(t.dtype as ort.Tensor.Type, t.data as never, [...t.dims]);
  const out = await session.run(feeds);
  await session.release();
  const result = new Map<string, Tensor>();
  for (const [k, v] of Object.entries(out)) {
    const t = makeTensor(v.type as DType, v.dims as number[], v.data as never);
    result.set(k, layout === 0 ? t : k === 'Y' ? yToLayout1(t) : swap01(t));
  }
  return result;
}

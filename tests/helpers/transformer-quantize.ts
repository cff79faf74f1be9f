// A transformer encoder block (LayerNormalization, Q/K/V MatMuls, a Transpose, scaled scores, a
// Where on a padding mask, Softmax, the attention MatMul, a residual Add, a second
// LayerNormalization, an Erf GELU MLP and a residual) and the quantization workflow a user runs on
// it: `qplay calibrate` on 6 samples, `qplay export` to QDQ. Shared by the CPU test against
// onnxruntime and the WebGPU test against the CPU.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { encodeTensorFile } from '../../app/model/tensor-proto.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel, type NodeSpec } from './onnx-builder.js';
import { qplay } from './quantize-workflow.js';
import { rng } from './realistic-models.js';

const T = 6;
const D = 8;
const H = 16;

/** The float model (opset 17), input x [1, 6, 8]. */
export function encoderBlock(): Uint8Array {
  const r = rng(31);
  const w = (dims: number[], s: number) =>
    makeTensor(
      'float32',
      dims,
      Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) * s),
    );
  const f = (v: number) => makeTensor('float32', [], [v]);
  const n = (op: string, inputs: string[], outputs: string[], attrs?: NodeSpec['attrs']): NodeSpec => ({
    op,
    inputs,
    outputs,
    attrs,
  });
  return buildModel({
    opset: 17,
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, T, D] }],
    outputs: [{ name: 'y', dtype: 'float32' }],
    initializers: {
      g1: w([D], 1),
      b1: w([D], 0.2),
      g2: w([D], 1),
      b2: w([D], 0.2),
      Wq: w([D, D], 0.5),
      Wk: w([D, D], 0.5),
      Wv: w([D, D], 0.5),
      Wo: w([D, D], 0.5),
      W1: w([D, H], 0.5),
      bias1: w([H], 0.1),
      W2: w([H, D], 0.5),
      scale: f(1 / Math.sqrt(D)),
      neg: f(-1e4),
      // The last two positions are padding.
      mask: makeTensor('bool', [1, 1, T], [1, 1, 1, 1, 0, 0]),
      sqrt2: f(Math.SQRT2),
      one: f(1),
      half: f(0.5),
    },
    nodes: [
      n('LayerNormalization', ['x', 'g1', 'b1'], ['ln1'], { axis: -1 }),
      n('MatMul', ['ln1', 'Wq'], ['q']),
      n('MatMul', ['ln1', 'Wk'], ['k']),
      n('MatMul', ['ln1', 'Wv'], ['v']),
      n('Transpose', ['k'], ['kt'], { perm: [0, 2, 1] }),
      n('MatMul', ['q', 'kt'], ['s']),
      n('Mul', ['s', 'scale'], ['ss']),
      n('Where', ['mask', 'ss', 'neg'], ['sm']),
      n('Softmax', ['sm'], ['p'], { axis: -1 }),
      n('MatMul', ['p', 'v'], ['att']),
      n('MatMul', ['att', 'Wo'], ['o']),
      n('Add', ['x', 'o'], ['r1']),
      n('LayerNormalization', ['r1', 'g2', 'b2'], ['ln2'], { axis: -1 }),
      n('MatMul', ['ln2', 'W1'], ['h0']),
      n('Add', ['h0', 'bias1'], ['h']),
      n('Div', ['h', 'sqrt2'], ['hs']),
      n('Erf', ['hs'], ['he']),
      n('Add', ['he', 'one'], ['h1']),
      n('Mul', ['h', 'h1'], ['hm']),
      n('Mul', ['hm', 'half'], ['gl']),
      n('MatMul', ['gl', 'W2'], ['f']),
      n('Add', ['r1', 'f'], ['y']),
    ],
  });
}

export function sample(seed: number): Tensor {
  const r = rng(seed);
  return makeTensor(
    'float32',
    [1, T, D],
    Float32Array.from({ length: T * D }, () => (r() * 2 - 1) * 2),
  );
}

export interface QuantizedTransformer {
  /** The float model's bytes and path. */
  readonly bytes: Uint8Array;
  readonly model: string;
  readonly session: string;
  /** The exported QDQ model's path and bytes. */
  readonly qdq: string;
  readonly exported: Uint8Array;
  /** A test input (not a calibration sample), as a tensor and as a .pb file. */
  readonly test: Tensor;
  readonly input: string;
}

/** Calibrates the block on 6 samples and exports it to QDQ, under `dir`. */
export async function quantizeTransformer(dir: string): Promise<QuantizedTransformer> {
  const bytes = encoderBlock();
  const data = join(dir, 'data');
  [0, 1, 2, 3, 4, 5].forEach((k) => {
    mkdirSync(join(data, `test_data_set_${k}`), { recursive: true });
    writeFileSync(join(data, `test_data_set_${k}`, 'input_0.pb'), encodeTensorFile(sample(100 + k), 'x'));
  });
  const model = join(dir, 'model.onnx');
  writeFileSync(model, bytes);
  const input = join(dir, 'input.pb');
  const test = sample(7);
  writeFileSync(input, encodeTensorFile(test, 'x'));
  const session = join(dir, 'session.json');
  const cal = await qplay(['calibrate', model, '--data', data, '--out', session]);
  expect(cal.rc, cal.stderr).toBe(0);
  const qdq = join(dir, 'model.qdq.onnx');
  const exp = await qplay(['export', model, '--session', session, '--out', qdq]);
  expect(exp.rc, exp.stderr).toBe(0);
  return { bytes, model, session, qdq, exported: new Uint8Array(readFileSync(qdq)), test, input };
}

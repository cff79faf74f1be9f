// The ops of onnxruntime's QDQ registry beyond the CNN core, each in a small model run through the
// quantization workflow as a user runs it (tests/helpers/quantize-workflow.ts): calibrate ->
// export -> onnxruntime 'all' equals `run --integer` and `simulate`, 'disabled' equals
// `simulate --mode fake`, bit for bit; the quantized output stays close to float.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { decodeTensorFile } from '../../app/model/tensor-proto.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import { elementAsNumber, makeTensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { decoderModel, randomTensor } from '../helpers/quant-op-models.js';
import { qplay, quantizeWorkflow } from '../helpers/quantize-workflow.js';
import { imageInput, rng } from '../helpers/realistic-models.js';
import { runOrt } from './quant-ort.helper.js';

const dir = mkdtempSync(join(tmpdir(), 'qplay-quantize-ops-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function exportedOps(name: string): string[] {
  return decodeModel(new Uint8Array(readFileSync(join(dir, name, 'model.qdq.onnx')))).graph.nodes.map(
    (n) => n.opType,
  );
}

function fusedOps(name: string): string[] {
  const m = decodeModel(new Uint8Array(readFileSync(join(dir, name, 'model.qdq.onnx'))));
  return fuseQdqForIntegerExecution(m).graph.nodes.map((n) => n.opType);
}

describe('qplay calibrate -> export -> onnxruntime: more QDQ registry ops', () => {
  it('a Conv -> ConvTranspose decoder (per-channel weights on axis 1, per tensor with group 2, int32 bias; float between DQ and Q)', async () => {
    const bytes = decoderModel();
    const samples = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => imageInput([1, 3, 12, 12], 300 + k));
    await quantizeWorkflow(dir, 'cpu', 'decoder', bytes, 'x', samples, imageInput([1, 3, 12, 12], 80), 0.1);
    const ops = exportedOps('decoder');
    expect(ops.filter((o) => o === 'ConvTranspose')).toHaveLength(2);
    // Weights per channel along axis 1, per tensor with group 2; biases int32.
    const m = decodeModel(new Uint8Array(readFileSync(join(dir, 'decoder', 'model.qdq.onnx'))));
    const dqOf = (w: string) =>
      m.graph.nodes.find((n) => n.opType === 'DequantizeLinear' && n.inputs[0] === `${w}_quantized`);
    expect(dqOf('w2')?.attributes.axis).toEqual({ kind: 'int', value: 1 });
    expect(dqOf('w3')?.attributes.axis).toBeUndefined();
    expect(m.graph.initializers.get('w3_scale')?.dims).toEqual([]);
    for (const b of ['b2', 'b3']) expect(m.graph.initializers.get(`${b}_quantized`)?.dtype, b).toBe('int32');
    // onnxruntime 1.30 has no QLinearConvTranspose on its CPU provider: the group stays as is.
    expect(fusedOps('decoder').filter((o) => o === 'ConvTranspose')).toHaveLength(2);
  }, 120_000);

  it('Gather -> Slice -> Pad -> Split -> GatherElements / Pad(0.7) -> Concat between MatMuls (8-bit data movement)', async () => {
    const i64 = (dims: number[], values: number[]) =>
      makeTensor('int64', dims, BigInt64Array.from(values.map(BigInt)));
    const r = rng(8);
    const bytes = buildModel({
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float32', dims: [1, 8, 16] }],
      outputs: [{ name: 'y', dtype: 'float32' }],
      initializers: {
        w1: randomTensor(11, [16, 16], 0.4),
        w2: randomTensor(12, [16, 8], 0.4),
        rows: i64([6], [0, 2, 4, 6, 7, 5]),
        st: i64([1], [2]),
        en: i64([1], [14]),
        ax: i64([1], [2]),
        pads: i64([6], [0, 0, 2, 0, 0, 2]),
        pads2: i64([6], [0, 1, 0, 0, 0, 0]),
        fill: makeTensor('float32', [], [0.7]),
        idx: i64(
          [1, 3, 16],
          Array.from({ length: 48 }, () => Math.floor(r() * 16)),
        ),
      },
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['a'] },
        { op: 'Gather', inputs: ['a', 'rows'], outputs: ['g'], attrs: { axis: 1 } },
        { op: 'Slice', inputs: ['g', 'st', 'en', 'ax'], outputs: ['s'] },
        { op: 'Pad', inputs: ['s', 'pads'], outputs: ['p'], attrs: { mode: 'reflect' } },
        { op: 'Split', inputs: ['p'], outputs: ['h0', 'h1'], attrs: { axis: 1 } },
        { op: 'GatherElements', inputs: ['h0', 'idx'], outputs: ['ge'], attrs: { axis: 2 } },
        { op: 'Pad', inputs: ['h1', 'pads2', 'fill'], outputs: ['pc'] },
        { op: 'Concat', inputs: ['ge', 'pc'], outputs: ['c'], attrs: { axis: 1 } },
        { op: 'MatMul', inputs: ['c', 'w2'], outputs: ['y'] },
      ],
    });
    const input = (k: number) => randomTensor(60 + k, [1, 8, 16], 1);
    const samples = [0, 1, 2, 3, 4, 5].map(input);
    await quantizeWorkflow(dir, 'cpu', 'movement', bytes, 'x', samples, input(9), 0.1);
    const m = decodeModel(new Uint8Array(readFileSync(join(dir, 'movement', 'model.qdq.onnx'))));
    const scaleOf = (t: string) => {
      const q = m.graph.nodes.find((n) => n.opType === 'QuantizeLinear' && n.inputs[0] === t);
      expect(q, `${t} is quantized`).toBeDefined();
      return q!.inputs.slice(1).map((i) => elementAsNumber(m.graph.initializers.get(i)!, 0));
    };
    // The data-movement outputs reuse their input's parameters; Pad(0.7) has its own.
    for (const t of ['g', 's', 'p', 'h0', 'h1', 'ge']) expect(scaleOf(t), t).toEqual(scaleOf('a'));
    expect(scaleOf('pc')).not.toEqual(scaleOf('a'));
    // --integer runs them on 8-bit data, as onnxruntime 'all' does; both Pads stay float.
    const fused = fusedOps('movement');
    for (const op of ['Gather', 'Slice', 'Split', 'GatherElements', 'QLinearConcat'])
      expect(fused, op).toContain(op);
    expect(fused.filter((o) => o === 'Pad')).toHaveLength(2);
  }, 120_000);

  it('Conv -> InstanceNormalization -> Relu -> Conv (int8 scale per channel, int32 bias; float between DQ and Q)', async () => {
    const bytes = buildModel({
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float32', dims: [1, 3, 10, 10] }],
      outputs: [{ name: 'y', dtype: 'float32' }],
      initializers: {
        w1: randomTensor(21, [8, 3, 3, 3], 0.4),
        gamma: makeTensor(
          'float32',
          [8],
          Float32Array.from(randomTensor(22, [8], 0.5).data as Float32Array, (v) => 1 + v),
        ),
        beta: randomTensor(23, [8], 0.3),
        w2: randomTensor(24, [4, 8, 3, 3], 0.2),
      },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w1'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'InstanceNormalization', inputs: ['c', 'gamma', 'beta'], outputs: ['n'] },
        { op: 'Relu', inputs: ['n'], outputs: ['r'] },
        { op: 'Conv', inputs: ['r', 'w2'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1] } },
      ],
    });
    const samples = [0, 1, 2, 3, 4, 5].map((k) => imageInput([1, 3, 10, 10], 500 + k));
    await quantizeWorkflow(dir, 'cpu', 'instnorm', bytes, 'x', samples, imageInput([1, 3, 10, 10], 90), 0.1);
    const m = decodeModel(new Uint8Array(readFileSync(join(dir, 'instnorm', 'model.qdq.onnx'))));
    const dq = m.graph.nodes.find(
      (n) => n.opType === 'DequantizeLinear' && n.inputs[0] === 'gamma_quantized',
    );
    expect(dq?.attributes.axis).toEqual({ kind: 'int', value: 0 });
    expect(m.graph.initializers.get('beta_quantized')?.dtype).toBe('int32');
    expect(fusedOps('instnorm')).toContain('InstanceNormalization');
  }, 120_000);

  it('MatMul -> LayerNormalization -> MatMul (float between DQ and Q)', async () => {
    const bytes = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dtype: 'float32', dims: [1, 6, 16] }],
      outputs: [{ name: 'y', dtype: 'float32' }],
      initializers: {
        w1: randomTensor(31, [16, 16], 0.4),
        gamma: makeTensor(
          'float32',
          [16],
          Float32Array.from(randomTensor(32, [16], 0.5).data as Float32Array, (v) => 1 + v),
        ),
        beta: randomTensor(33, [16], 0.3),
        w2: randomTensor(34, [16, 8], 0.4),
      },
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['a'] },
        { op: 'LayerNormalization', inputs: ['a', 'gamma', 'beta'], outputs: ['n'], attrs: { axis: -1 } },
        { op: 'MatMul', inputs: ['n', 'w2'], outputs: ['y'] },
      ],
    });
    const input = (k: number) => randomTensor(70 + k, [1, 6, 16], 1);
    // LayerNormalization divides by each row's spread, which magnifies its input's quantization
    // noise on 16 features: the same looser bound as the transformer test.
    await quantizeWorkflow(
      dir,
      'cpu',
      'layernorm',
      bytes,
      'x',
      [0, 1, 2, 3, 4, 5, 6, 7].map(input),
      input(9),
      0.15,
    );
    expect(exportedOps('layernorm')).toContain('LayerNormalization');
    expect(fusedOps('layernorm')).toContain('LayerNormalization');
  }, 120_000);

  it('Conv + residual -> BatchNormalization -> Relu -> pool -> Gemm, ArgMax of the logits', async () => {
    const bytes = buildModel({
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float32', dims: [1, 4, 8, 8] }],
      outputs: [
        { name: 'y', dtype: 'float32' },
        { name: 'am', dtype: 'int64' },
      ],
      initializers: {
        w1: randomTensor(41, [4, 4, 3, 3], 0.3),
        gamma: makeTensor(
          'float32',
          [4],
          Float32Array.from(randomTensor(42, [4], 0.5).data as Float32Array, (v) => 1 + v),
        ),
        beta: randomTensor(43, [4], 0.3),
        mean: randomTensor(44, [4], 0.3),
        var: makeTensor(
          'float32',
          [4],
          Float32Array.from(randomTensor(45, [4], 0.4).data as Float32Array, (v) => 1 + v),
        ),
        w2: randomTensor(46, [6, 4], 0.5),
        b2: randomTensor(47, [6], 0.1),
      },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w1'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Add', inputs: ['c', 'x'], outputs: ['s'] },
        { op: 'BatchNormalization', inputs: ['s', 'gamma', 'beta', 'mean', 'var'], outputs: ['n'] },
        { op: 'Relu', inputs: ['n'], outputs: ['r'] },
        { op: 'GlobalAveragePool', inputs: ['r'], outputs: ['p'] },
        { op: 'Flatten', inputs: ['p'], outputs: ['f'] },
        { op: 'Gemm', inputs: ['f', 'w2', 'b2'], outputs: ['y'], attrs: { transB: 1 } },
        { op: 'ArgMax', inputs: ['y'], outputs: ['am'], attrs: { axis: 1 } },
      ],
    });
    const samples = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => imageInput([1, 4, 8, 8], 600 + k));
    const test = imageInput([1, 4, 8, 8], 95);
    const w = await quantizeWorkflow(dir, 'cpu', 'batchnorm', bytes, 'x', samples, test, 0.1);
    expect(exportedOps('batchnorm')).toContain('BatchNormalization');
    const fused = fuseQdqForIntegerExecution(
      decodeModel(new Uint8Array(readFileSync(join(dir, 'batchnorm', 'model.qdq.onnx')))),
    ).graph.nodes;
    const argmax = fused.find((n) => n.opType === 'ArgMax')!;
    expect(fused.find((n) => n.outputs[0] === argmax.inputs[0])?.opType, 'ArgMax reads 8-bit data').not.toBe(
      'DequantizeLinear',
    );
    // ArgMax reads the quantized logits: onnxruntime 'all' and --integer agree on it too.
    const qdq = join(dir, 'batchnorm', 'model.qdq.onnx');
    const out = join(dir, 'batchnorm', 'argmax');
    expect((await qplay(['run', qdq, '--integer', '--input', w.input, '--out', out])).rc).toBe(0);
    const ours = decodeTensorFile(readFileSync(join(out, 'output_1.pb'))).tensor;
    const ort = (await runOrt(new Uint8Array(readFileSync(qdq)), { x: test }, 'all')).am;
    expect(Array.from(ours.data as BigInt64Array)).toEqual(Array.from(ort.data as BigInt64Array));
  }, 120_000);
});

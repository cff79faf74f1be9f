// The quantization workflow as a user runs it: `qplay calibrate` on 8 samples in the ONNX
// test-data layout, `qplay export`, then onnxruntime-node on the export: `qplay run --integer`
// and `qplay simulate` (affine) equal onnxruntime 'all', `simulate --mode fake` equals
// 'disabled', bit for bit; the quantized output stays close to float and is not equal to it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mnistDigitSamples, qplay, quantizeWorkflow } from '../helpers/quantize-workflow.js';
import { decodeModel } from '../../app/model/decode.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import { makeTensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { floatModelBytes, imageInput, mobilenetLike, rng } from '../helpers/realistic-models.js';

const dir = mkdtempSync(join(tmpdir(), 'qplay-quantize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('qplay calibrate -> export -> onnxruntime', () => {
  it('mnist-8', async () => {
    const bytes = new Uint8Array(readFileSync('tests/fixtures/models/mnist-8.onnx'));
    const { samples, test } = mnistDigitSamples();
    const w = await quantizeWorkflow(dir, 'cpu', 'mnist', bytes, 'Input3', samples, test, 0.1);
    const report = await qplay(['report', w.model, '--session', w.session, '--data', w.data, '--json']);
    expect(report.rc).toBe(0);
    const json = JSON.parse(report.stdout);
    expect(json.layers.filter((l: { opType: string }) => l.opType === 'Conv')).toHaveLength(2);
    for (const l of json.layers) {
      for (const key of ['node', 'opType', 'tensor', 'cosine', 'maxAbsError', 'clipRate', 'overflows'])
        expect(l).toHaveProperty(key);
      expect(typeof l.sqnr.local).toBe('number');
      expect(typeof l.sqnr.cumulative).toBe('number');
    }
    expect(json.outputs[0]).toMatchObject({ name: 'Plus214_Output_0' });
    expect(json.sensitivity.map((s: { node: string }) => s.node).sort()).toEqual([
      'Convolution110',
      'Convolution28',
      'Times212',
    ]);
  }, 120_000);

  it('MobileNet-like (opset 13: per-channel weights, depthwise, SE, HardSigmoid, Gemm head)', async () => {
    const g = mobilenetLike({ opset: 13, head: 'gemm', foldBatchNorm: true, seed: 21 });
    // Random weights amplify quantization noise more than trained ones: a looser bound.
    const samples = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => imageInput(g.input.dims, 100 + k));
    await quantizeWorkflow(
      dir,
      'cpu',
      'mobilenet',
      floatModelBytes(g),
      g.input.name,
      samples,
      imageInput(g.input.dims, 7),
      0.3,
    );
  }, 240_000);

  it('a masked Where between MatMuls (QDQWhere, fused to QLinearWhere for --integer)', async () => {
    const r = rng(5);
    const w = (k: number, n: number) =>
      makeTensor(
        'float32',
        [k, n],
        Float32Array.from({ length: k * n }, () => (r() * 2 - 1) / Math.sqrt(k)),
      );
    const bytes = buildModel({
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float32', dims: [1, 6, 16] }],
      outputs: [{ name: 'y', dtype: 'float32' }],
      initializers: { w1: w(16, 16), w2: w(16, 16), w3: w(16, 8), t: makeTensor('float32', [], [0.1]) },
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['a'] },
        { op: 'MatMul', inputs: ['x', 'w2'], outputs: ['b'] },
        { op: 'Greater', inputs: ['x', 't'], outputs: ['mask'] },
        { op: 'Where', inputs: ['mask', 'a', 'b'], outputs: ['z'] },
        { op: 'MatMul', inputs: ['z', 'w3'], outputs: ['y'] },
      ],
    });
    const input = (k: number) => {
      const q = rng(40 + k);
      return makeTensor(
        'float32',
        [1, 6, 16],
        Float32Array.from({ length: 96 }, () => q() * 2 - 1),
      );
    };
    const samples = [0, 1, 2, 3, 4, 5].map(input);
    await quantizeWorkflow(dir, 'cpu', 'masked-where', bytes, 'x', samples, input(9), 0.1);
    const fused = fuseQdqForIntegerExecution(
      decodeModel(new Uint8Array(readFileSync(join(dir, 'masked-where', 'model.qdq.onnx')))),
    );
    expect(fused.graph.nodes.map((n) => n.opType)).toContain('QLinearWhere');
  }, 120_000);
});

describe('qplay quantization commands: refusals', () => {
  const model = 'tests/fixtures/models/mnist-8.onnx';
  const bad = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const cases: [string, string[], RegExp][] = [
    ['missing --data', ['calibrate', model, '--out', join(dir, 'x.json')], /missing --data/],
    [
      'bad observer',
      [
        'calibrate',
        model,
        '--data',
        'tests/fixtures/models/mnist-8.test_data',
        '--observer',
        'max',
        '--out',
        join(dir, 'x.json'),
      ],
      /--observer must be one of/,
    ],
    [
      'session not JSON',
      ['export', model, '--session', bad('a.json', '{"format": '), '--out', join(dir, 'x.onnx')],
      /JSON/,
    ],
    [
      'session of another format',
      ['export', model, '--session', bad('b.json', '{"format": "other"}'), '--out', join(dir, 'x.onnx')],
      /format/,
    ],
    [
      'missing session file',
      ['simulate', model, '--session', join(dir, 'none.json'), '--input', 'x.pb', '--out', dir],
      /no such file/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await qplay(args);
      expect(r.rc).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(message);
    });
  }
});

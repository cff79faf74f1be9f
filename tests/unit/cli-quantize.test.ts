// The quantization workflow as a user runs it: `qplay calibrate` on 8 samples in the ONNX
// test-data layout, `qplay export`, then onnxruntime-node on the export: `qplay run --integer`
// and `qplay simulate` (affine) equal onnxruntime 'all', `simulate --mode fake` equals
// 'disabled', bit for bit; the quantized output stays close to float and is not equal to it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mnistDigitSamples, qplay, quantizeWorkflow } from '../helpers/quantize-workflow.js';
import { floatModelBytes, imageInput, mobilenetLike } from '../helpers/realistic-models.js';

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

// The quantization workflow on WebGPU (Dawn): calibrate -> export -> `qplay run --integer
// --backend webgpu` and `qplay simulate --backend webgpu` equal onnxruntime 'all' bit for bit.
// Small models only: SwiftShader compiles each pipeline in about a second.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { mnistDigitSamples, quantizeWorkflow } from '../helpers/quantize-workflow.js';
import { floatModelBytes, imageInput, mobilenetLike } from '../helpers/realistic-models.js';

const dir = mkdtempSync(join(tmpdir(), 'qplay-quantize-gpu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('qplay calibrate -> export -> onnxruntime, on WebGPU', () => {
  it('mnist-8', async () => {
    const { samples, test } = mnistDigitSamples();
    await quantizeWorkflow(
      dir,
      'webgpu',
      'mnist',
      new Uint8Array(readFileSync('tests/fixtures/models/mnist-8.onnx')),
      'Input3',
      samples,
      test,
      0.1,
    );
  }, 300_000);

  it('MobileNet-like 32x32 (depthwise, SE, HardSigmoid, Gemm head)', async () => {
    const g = mobilenetLike({ opset: 13, size: 32, head: 'gemm', foldBatchNorm: true, seed: 21 });
    const samples = [0, 1, 2, 3].map((k) => imageInput(g.input.dims, 100 + k));
    await quantizeWorkflow(
      dir,
      'webgpu',
      'mobilenet',
      floatModelBytes(g),
      g.input.name,
      samples,
      imageInput(g.input.dims, 7),
      0.3,
    );
  }, 300_000);
});

// The quantization workflow on WebGPU (Dawn): calibrate -> export -> `qplay run --integer
// --backend webgpu` and `qplay simulate --backend webgpu` equal onnxruntime 'all' bit for bit.
// Small models only: SwiftShader compiles each pipeline in about a second.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { mnistDigitSamples, quantizeWorkflow } from '../helpers/quantize-workflow.js';
import { decodeModel } from '../../app/model/decode.js';
import { asExported } from '../helpers/exported-form.js';
import { makeTensor } from '../../kernels/tensor.js';
import { floatModelBytes, imageInput, mobilenetLike, rng } from '../helpers/realistic-models.js';

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

  // The other float fixtures (issue 6 item 9: every float model, both backends), on seeded inputs.
  // light-squeezenet's weights are ConstantOfShape fills (tests/fixtures/models/ATTRIBUTION.md):
  // its float output is a uniform softmax (0.001 everywhere), which uint8 with scale 1/255 rounds
  // to 0, so only its agreement with onnxruntime is checked, not its closeness to float.
  const FIXTURES: Record<string, number> = {
    'opt-mnist': 0.3,
    'mnist-14x14-pytorch': 0.3,
    'mlp-batchnorm-pytorch': 0.3,
    'light-squeezenet': Number.POSITIVE_INFINITY,
  };
  for (const [name, tolerance] of Object.entries(FIXTURES)) {
    it(name, async () => {
      const bytes = new Uint8Array(readFileSync(`tests/fixtures/models/${name}.onnx`));
      const input = decodeModel(bytes).graph.inputs[0];
      const dims = (input.dims ?? []).map((d) => (typeof d === 'number' ? d : 1));
      const sample = (seed: number) => {
        if (dims.length === 4) return imageInput(dims, seed);
        const r = rng(seed);
        return makeTensor(
          'float32',
          dims,
          Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => r()),
        );
      };
      // Two samples for the 224x224 net: calibration runs on the CPU reference.
      const samples = [0, 1, 2, 3]
        .slice(0, dims.length === 4 && dims[2] > 100 ? 2 : 4)
        .map((k) => sample(200 + k));
      await quantizeWorkflow(dir, 'webgpu', name, bytes, input.name, samples, sample(9), tolerance);
    }, 300_000);
  }

  it('Constant-node weights, BatchNorm kept, symbolic [N, 3, H, W] at 32x48', async () => {
    const g = mobilenetLike({ opset: 13, size: 32, head: 'gemm', foldBatchNorm: false, seed: 31 });
    const dims = [1, 3, 32, 48];
    const samples = [0, 1, 2, 3].map((k) => imageInput(dims, 300 + k));
    const bytes = asExported(floatModelBytes(g));
    await quantizeWorkflow(dir, 'webgpu', 'exported', bytes, g.input.name, samples, imageInput(dims, 8), 0.3);
  }, 300_000);
});

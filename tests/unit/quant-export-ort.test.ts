// Calibrate every float fixture model, export the QDQ model, and check that onnxruntime-node
// runs the export with the numbers of our simulation: optimizations 'all' = affine (the fused
// integer graph), 'disabled' = fake-quant (the QDQ graph as is).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { resolveAccumulation } from '../../app/cli/run-model.js';
import { decodeModel } from '../../app/model/decode.js';
import { encodeModel } from '../../app/model/encode.js';
import { Calibration, type RangeChooser } from '../../app/quant/calibrate.js';
import { DEFAULT_CONFIG } from '../../app/quant/config.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import { buildSimulatedModel } from '../../app/quant/simulated-model.js';
import { floatModelBytes, mobilenetLike } from '../helpers/realistic-models.js';
import { rng, runOrt } from './quant-ort.helper.js';

const minmax: RangeChooser = (values) => {
  let lo = 0;
  let hi = 0;
  for (const v of values)
    for (const x of v) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  return [lo, hi];
};

const MODELS = ['mnist-8', 'opt-mnist', 'mnist-14x14-pytorch', 'mlp-batchnorm-pytorch', 'light-squeezenet'];

function feedsFor(model: ReturnType<typeof decodeModel>, seed: number): Map<string, Tensor> {
  const r = rng(seed);
  const feeds = new Map<string, Tensor>();
  for (const i of model.graph.inputs) {
    const dims = (i.dims ?? []).map((d) => (typeof d === 'number' ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    feeds.set(
      i.name,
      makeTensor(
        'float32',
        dims,
        Array.from({ length: n }, () => r() * 2 - 0.5),
      ),
    );
  }
  return feeds;
}

const MOBILENETS = {
  'mobilenet-like opset 13, gemm head, BatchNorm folded': {
    opset: 13,
    head: 'gemm',
    foldBatchNorm: true,
    seed: 11,
  },
  'mobilenet-like opset 14, matmul head, HardSwish, BatchNorm kept': {
    opset: 14,
    head: 'matmul',
    hardSwishOp: true,
    seed: 12,
  },
} as const;

function modelBytes(name: string): Uint8Array {
  const net = MOBILENETS[name as keyof typeof MOBILENETS];
  return net
    ? floatModelBytes(mobilenetLike({ ...net }))
    : readFileSync(`tests/fixtures/models/${name}.onnx`);
}

describe('QDQ export runs in onnxruntime with our numbers', () => {
  for (const name of [...MODELS, ...Object.keys(MOBILENETS)]) {
    it(name, async () => {
      const model = decodeModel(modelBytes(name));
      const samples = [1, 2, 3].map((k) => feedsFor(model, k));
      const cal = new Calibration({ model, config: DEFAULT_CONFIG, samples, chooseRange: minmax });
      await cal.run();
      const qdq = buildSimulatedModel(cal.model, cal.plan, cal.paramSet());
      const bytes = encodeModel(qdq);
      const settings = { integerAccumulation: resolveAccumulation('auto') };
      const fake = new CpuInterpreter(qdq, settings);
      const affine = new CpuInterpreter(fuseQdqForIntegerExecution(decodeModel(bytes)), settings);
      const test = feedsFor(model, 99);
      const feeds = Object.fromEntries(test);
      const out = qdq.graph.outputs[0].name;
      const ortAll = await runOrt(bytes, feeds, 'all');
      const ortDisabled = await runOrt(bytes, feeds, 'disabled');
      const ours = fake.runSync(test).get(out)!;
      const oursAffine = affine.runSync(test).get(out)!;
      expect(Array.from(ours.data as Float32Array)).toEqual(
        Array.from(ortDisabled[out].data as Float32Array),
      );
      expect(Array.from(oursAffine.data as Float32Array)).toEqual(
        Array.from(ortAll[out].data as Float32Array),
      );
      // Something was really quantized.
      const float = new CpuInterpreter(cal.model).runSync(test).get(out)!;
      expect(Array.from(ours.data as Float32Array)).not.toEqual(Array.from(float.data as Float32Array));
    });
  }
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { Calibration, type RangeChooser } from '../../app/quant/calibrate.js';
import { DEFAULT_CONFIG } from '../../app/quant/config.js';
import { buildSimulatedModel } from '../../app/quant/simulated-model.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';

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

function randomFeeds(seed: number, dims: number[]): Map<string, Tensor> {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const n = dims.reduce((a, b) => a * b, 1);
  return new Map([
    [
      'Input3',
      makeTensor(
        'float32',
        dims,
        Array.from({ length: n }, () => rnd() * 255),
      ),
    ],
  ]);
}

describe('calibration frontier', () => {
  it('fuses the simulated graph into integer kernels (mnist-8)', () => {
    const model = decodeModel(readFileSync('tests/fixtures/models/mnist-8.onnx'));
    const cal = new Calibration({
      model,
      config: DEFAULT_CONFIG,
      samples: [randomFeeds(7, [1, 1, 28, 28])],
      chooseRange: minmax,
    });
    return cal.run().then(() => {
      const ops = fuseQdqForIntegerExecution(
        buildSimulatedModel(cal.model, cal.plan, cal.paramSet()),
      ).graph.nodes.map((n) => n.opType);
      expect(ops.filter((o) => o === 'QLinearConv')).toHaveLength(2);
      expect(ops).toContain('QLinearMatMul');
      expect(ops).not.toContain('Conv');
    });
  });

  it('equals the simulated graph run in real space (mnist-8)', async () => {
    const model = decodeModel(readFileSync('tests/fixtures/models/mnist-8.onnx'));
    const samples = [1, 2, 3].map((k) => randomFeeds(k, [1, 1, 28, 28]));
    const cal = new Calibration({ model, config: DEFAULT_CONFIG, samples, chooseRange: minmax });
    await cal.run();
    const qdq = buildSimulatedModel(cal.model, cal.plan, cal.paramSet());
    const fake = new CpuInterpreter(qdq);
    const outs = cal.outputs();
    for (let s = 0; s < samples.length; s++) {
      const r = fake.runSync(samples[s]);
      const name = qdq.graph.outputs[0].name;
      expect(Array.from(r.get(name)!.data as Float32Array)).toEqual(
        Array.from(outs[s].get(name)!.data as Float32Array),
      );
    }
  });
});

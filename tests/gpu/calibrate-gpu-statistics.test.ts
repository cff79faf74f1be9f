// Calibration with the observers' statistics gathered by the GPU kernels chooses exactly the
// parameters the CPU statistics give, for every observer (the GPU observers equal the reference
// both are built on): mnist-8 on its digits, with error propagation on and off.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { acquireGpu } from '../../kernels/gpu/device.js';
import { decodeModel } from '../../app/model/decode.js';
import { Calibration } from '../../app/quant/calibrate.js';
import { DEFAULT_CONFIG, OBSERVER_NAMES, type QuantConfig } from '../../app/quant/config.js';
import { gatherStatisticsGpu, gpuRangeChooser } from '../../app/quant/gpu-statistics.js';
import { defaultRangeChooser } from '../../app/quant/range-chooser.js';
import { ALL_PARTS, gatherStatistics } from '../../app/quant/strategy.js';
import { mnistDigitSamples } from '../helpers/quantize-workflow.js';
import { rng } from '../helpers/realistic-models.js';

const mnist = decodeModel(new Uint8Array(readFileSync('tests/fixtures/models/mnist-8.onnx')));

function params(cal: Calibration) {
  return [...cal.activations].map(([t, a]) => [
    t,
    a.source,
    a.params.scale[0],
    a.params.zeroPoint[0],
    ...a.range,
  ]);
}

describe('calibration statistics on the GPU', () => {
  it('every statistic equals the CPU one on values with NaN, infinities, -0 and empty samples', async () => {
    const ctx = await acquireGpu();
    const r = rng(4);
    const a = Float32Array.from({ length: 5000 }, () => (r() - 0.4) * 30 * r());
    a[3] = Number.NaN;
    a[4] = Number.NEGATIVE_INFINITY;
    a[5] = -0;
    const values = [a, new Float32Array(0), Float32Array.from({ length: 700 }, () => r() * 3)];
    const input = {
      name: 't',
      role: 'activation' as const,
      dtype: 'uint8' as const,
      qmin: 0,
      qmax: 255,
      symmetric: false,
      values,
      config: DEFAULT_CONFIG,
    };
    expect(await gatherStatisticsGpu(ctx, input, ALL_PARTS)).toEqual(gatherStatistics(input));
  });

  for (const errorPropagation of [true, false])
    it(`every observer chooses the same parameters (error propagation ${errorPropagation ? 'on' : 'off'})`, async () => {
      const ctx = await acquireGpu();
      const { samples } = mnistDigitSamples();
      const feeds = samples.slice(0, 4).map((x) => new Map([['Input3', x]]));
      for (const observer of OBSERVER_NAMES) {
        const config: QuantConfig = {
          ...DEFAULT_CONFIG,
          errorPropagation,
          activations: { ...DEFAULT_CONFIG.activations, observer },
        };
        const cpu = new Calibration({
          model: mnist,
          config,
          samples: feeds,
          chooseRange: defaultRangeChooser,
        });
        await cpu.run();
        const gpu = new Calibration({
          model: mnist,
          config,
          samples: feeds,
          chooseRange: defaultRangeChooser,
          gatherRange: gpuRangeChooser(ctx),
        });
        await gpu.run();
        expect(params(gpu), observer).toEqual(params(cpu));
      }
    }, 300_000);
});

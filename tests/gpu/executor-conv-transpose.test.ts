// A small decoder (Conv -> ConvTranspose -> Relu -> ConvTranspose) runs wholly on the GPU in a
// WebGPU run (no CPU fallback: the Relu is fused into the first ConvTranspose) and agrees with the
// CPU interpreter within 1e-5 relative to the largest |output|. The first ConvTranspose's weights
// are initializers; the second's W and B are model inputs (plain GPU buffers, not plan constants).
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { randomFloats } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

describe('a Conv / ConvTranspose decoder in one WebGPU run', () => {
  it('runs with 0 CPU fallbacks and matches the CPU interpreter', async () => {
    await gpu();
    const r = rng(811);
    const t = (dims: number[], lo = -1, hi = 1) =>
      makeTensor('float32', dims, randomFloats(r, size(dims), lo, hi));
    const model = decodeModel(
      buildModel({
        opset: 17,
        inputs: [
          { name: 'x', dtype: 'float32', dims: [1, 3, 6, 5] },
          { name: 'w2', dtype: 'float32', dims: [6, 1, 3, 3] },
          { name: 'b2', dtype: 'float32', dims: [6] },
        ],
        outputs: [{ name: 'y', dtype: 'float32' }],
        initializers: { w0: t([5, 3, 3, 3]), b0: t([5]), w1: t([5, 6, 4, 4]), b1: t([6]) },
        nodes: [
          {
            op: 'Conv',
            inputs: ['x', 'w0', 'b0'],
            outputs: ['c'],
            attrs: { strides: [2, 2], pads: [1, 1, 1, 1] },
          },
          {
            op: 'ConvTranspose',
            inputs: ['c', 'w1', 'b1'],
            outputs: ['u'],
            attrs: { strides: [2, 2], pads: [1, 1, 1, 1] },
          },
          { op: 'Relu', inputs: ['u'], outputs: ['ur'] },
          {
            // Depthwise, stride 2 with output_padding 1: a U-Net style x2 upsampler.
            op: 'ConvTranspose',
            inputs: ['ur', 'w2', 'b2'],
            outputs: ['y'],
            attrs: { group: 6, strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] },
          },
        ],
      }),
    );
    const feeds = new Map([
      ['x', t([1, 3, 6, 5], -2, 2)],
      ['w2', t([6, 1, 3, 3])],
      ['b2', t([6])],
    ]);
    const cpu = new CpuInterpreter(model).runSync(feeds).get('y')!;
    const exec = await WebGpuExecutor.create(model);
    try {
      const got = (await exec.run(feeds)).get('y')!;
      const summary = await exec.summary();
      expect(summary.cpuFallbacks, summary.kernelErrors.join('; ')).toEqual([]);
      expect(got.dims).toEqual(cpu.dims);
      expect(cpu.dims).toEqual([1, 6, 12, 12]);
      const want = cpu.data as Float32Array;
      const bound = 1e-5 * want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const data = got.data as Float32Array;
      for (let i = 0; i < want.length; i++)
        if (!(Math.abs(data[i] - want[i]) <= bound))
          expect.fail(`element ${i}: got ${data[i]}, expected ${want[i]} (bound ${bound})`);
    } finally {
      exec.dispose();
    }
  });
});

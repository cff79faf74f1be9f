// The WebGPU executor runs a requantized ConvTranspose (read only by QuantizeLinear, here through a
// Relu) and a 3-D ConvTranspose on conv-transpose-exact.wgsl, on the GPU (no CPU fallback), with
// results equal bit for bit to the CPU interpreter and to onnxruntime-node: W as a computed value
// (DequantizeLinear of int8 weights: onnxruntime's transposed GEMM) and as a float initializer
// (prepacked), with a wide K so MLAS's K blocks and thread split matter.
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { runOrt } from '../unit/quant-ort.helper.js';
import { randomFloats } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

async function expectGpuEqualsCpuAndOrt(bytes: Uint8Array, feeds: Map<string, Tensor>, outputs: string[]) {
  await gpu();
  const model = decodeModel(bytes);
  const cpu = new CpuInterpreter(model).runSync(feeds);
  const ort = await runOrt(bytes, Object.fromEntries(feeds), 'disabled');
  const exec = await WebGpuExecutor.create(model);
  try {
    const got = await exec.run(feeds);
    const summary = await exec.summary();
    expect(summary.cpuFallbacks, summary.kernelErrors.join('; ')).toEqual([]);
    for (const name of outputs) {
      const bits = (t: Tensor) => Array.from(new Uint8Array((t.data as Uint8Array).slice().buffer));
      expect(bits(got.get(name)!), `${name} vs the CPU interpreter`).toEqual(bits(cpu.get(name)!));
      expect(bits(got.get(name)!), `${name} vs onnxruntime`).toEqual(bits(ort[name]));
      // Not a saturated or constant output: the order of the sums decides many roundings.
      expect(new Set(bits(got.get(name)!)).size, name).toBeGreaterThan(30);
    }
  } finally {
    exec.dispose();
  }
}

describe('ConvTranspose in onnxruntime order on the WebGPU executor', () => {
  it('requantized, with W computed (DequantizeLinear) and W an initializer: no CPU node, equal bits', async () => {
    const r = rng(4711);
    const c = 160;
    const t = (dims: number[], lo = -1, hi = 1) =>
      makeTensor('float32', dims, randomFloats(r, size(dims), lo, hi));
    // Small integer grids with inexact scales, the output scale 2 sx sw and a bias on the sx sw
    // grid: half of the outputs sit within float noise of a rounding tie, which the order of the
    // float sums decides (the gather kernel's order fails this test).
    const [sx, sw] = [0.02, 0.004];
    const grid = (n: number, lo: number, hi: number) =>
      Int8Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
    const wq = makeTensor('int8', [c, 4, 3, 3], grid(c * 36, -8, 8));
    const wf = makeTensor(
      'float32',
      [c, 4, 3, 3],
      Float32Array.from(grid(c * 36, -8, 8), (q) => q * sw),
    );
    const b = makeTensor(
      'float32',
      [4],
      Float32Array.from(grid(4, -100, 100), (q) => q * sx * sw),
    );
    const scalar = (dtype: 'float32' | 'uint8', v: number) => makeTensor(dtype, [], [v]);
    const bytes = buildModel({
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float32', dims: [1, c, 9, 9] }],
      outputs: [
        { name: 'q1', dtype: 'uint8' },
        { name: 'q2', dtype: 'uint8' },
      ],
      initializers: {
        sx: scalar('float32', sx),
        zx: scalar('uint8', 128),
        wq,
        sw: scalar('float32', sw),
        wf,
        b,
        sy: scalar('float32', Math.fround(2 * Math.fround(sx) * Math.fround(sw))),
        zy: scalar('uint8', 128),
      },
      nodes: [
        { op: 'QuantizeLinear', inputs: ['x', 'sx', 'zx'], outputs: ['xq'] },
        { op: 'DequantizeLinear', inputs: ['xq', 'sx', 'zx'], outputs: ['xd'] },
        { op: 'DequantizeLinear', inputs: ['wq', 'sw'], outputs: ['wd'] },
        {
          op: 'ConvTranspose',
          inputs: ['xd', 'wd', 'b'],
          outputs: ['t1'],
          attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] },
        },
        { op: 'Relu', inputs: ['t1'], outputs: ['r1'] },
        { op: 'QuantizeLinear', inputs: ['r1', 'sy', 'zy'], outputs: ['q1'] },
        { op: 'ConvTranspose', inputs: ['xd', 'wf', 'b'], outputs: ['t2'], attrs: { strides: [2, 2] } },
        { op: 'QuantizeLinear', inputs: ['t2', 'sy', 'zy'], outputs: ['q2'] },
      ],
    });
    const feeds = new Map([['x', t([1, c, 9, 9], -0.1, 0.1)]]);
    await expectGpuEqualsCpuAndOrt(bytes, feeds, ['q1', 'q2']);
  });

  it('3-D runs on the GPU, bit-exact', async () => {
    const r = rng(4712);
    const t = (dims: number[], lo = -1, hi = 1) =>
      makeTensor('float32', dims, randomFloats(r, size(dims), lo, hi));
    const bytes = buildModel({
      opset: 17,
      inputs: [
        { name: 'x', dtype: 'float32', dims: [1, 6, 3, 4, 4] },
        { name: 'w2', dtype: 'float32', dims: [4, 2, 2, 2, 2] },
      ],
      outputs: [{ name: 'y', dtype: 'float32' }],
      initializers: { w1: t([6, 4, 3, 3, 3]), b1: t([4]) },
      nodes: [
        {
          op: 'ConvTranspose',
          inputs: ['x', 'w1', 'b1'],
          outputs: ['u'],
          attrs: { strides: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1] },
        },
        { op: 'Relu', inputs: ['u'], outputs: ['ur'] },
        {
          op: 'ConvTranspose',
          inputs: ['ur', 'w2'],
          outputs: ['y'],
          attrs: { group: 2, dilations: [1, 2, 1] },
        },
      ],
    });
    const feeds = new Map([
      ['x', t([1, 6, 3, 4, 4], -2, 2)],
      ['w2', t([4, 2, 2, 2, 2])],
    ]);
    await expectGpuEqualsCpuAndOrt(bytes, feeds, ['y']);
  });
});

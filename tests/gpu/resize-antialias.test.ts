// Antialiased linear and cubic Resize on the GPU: the reference's wider per-axis taps
// (kernels/resize/antialias-taps.ts via resizePlan) summed in float32 by resize-taps.wgsl, against
// the reference's float64 sums: |gpu - cpu| <= 1e-5 * (1 + |cpu|) for data in [-50, 50] (a float32
// sum of up to 14 x 14 taps of normalized weights), and the WebGPU executor lowers an antialiased
// Resize node to that kernel (no CPU fallback) and agrees with the CPU interpreter within the same.
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import type { ResizeParams } from '../../kernels/resize/resize.ref.js';
import { int64Tensor, makeTensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { runModelOnGpu } from './extra-ops.helper.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';
import { resizeTapsOnGpu } from './resize-taps.helper.js';

const gpu = sharedGpu();

function close(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  expect(got.length, label).toBe(want.length);
  for (let i = 0; i < want.length; i++)
    if (!(Math.abs(got[i] - want[i]) <= 1e-5 * (1 + Math.abs(want[i]))))
      throw new Error(`${label}: element ${i}: ${got[i]}, want ${want[i]}`);
}

async function check(dims: number[], p: ResizeParams, seed: number): Promise<void> {
  const ctx = await gpu();
  const params = { ...p, antialias: true };
  const { got, want } = await resizeTapsOnGpu(ctx, dims, params, seed);
  close(got, want, `${JSON.stringify(params)} dims [${dims}]`);
}

describe('antialiased Resize on the GPU = the reference', () => {
  it('linear and cubic, downscaled by 0.5, 0.3 and 0.75, with and without exclude_outside', async () => {
    let seed = 1;
    for (const mode of ['linear', 'cubic'] as const)
      for (const s of [0.5, 0.3, 0.75])
        for (const excludeOutside of [false, true])
          await check([2, 3, 13, 11], { mode, excludeOutside, scales: [1, 1, s, s] }, seed++);
  });

  it('2-D by sizes, mixed up/down, coordinate transformations, cubic_coeff_a, axes, tf_crop_and_resize', async () => {
    await check([23, 10], { mode: 'cubic', sizes: [6, 7] }, 20);
    await check([1, 1, 10, 6], { mode: 'linear', scales: [1, 1, 0.35, 1.7] }, 21);
    for (const ctm of ['align_corners', 'asymmetric', 'pytorch_half_pixel', 'half_pixel_symmetric'] as const)
      await check(
        [1, 2, 12, 9],
        { mode: 'cubic', coordinateTransformationMode: ctm, scales: [1, 1, 0.42, 0.6] },
        22,
      );
    await check([1, 1, 16, 16], { mode: 'cubic', cubicCoeffA: -0.5, scales: [1, 1, 0.3, 0.55] }, 23);
    await check(
      [1, 2, 20, 14],
      { mode: 'linear', axes: [2, 3], sizes: [7, 6], keepAspectRatioPolicy: 'not_larger' },
      24,
    );
    await check(
      [1, 1, 12, 12],
      {
        mode: 'linear',
        coordinateTransformationMode: 'tf_crop_and_resize',
        sizes: [1, 1, 5, 4],
        roi: [0, 0, -0.2, 0.1, 1, 1, 0.9, 1.3],
        extrapolationValue: 7.5,
      },
      25,
    );
  });

  it('the WebGPU executor runs an antialiased Resize node on the GPU', async () => {
    await gpu();
    const dims = [1, 3, 17, 13];
    const model = decodeModel(
      buildModel({
        opset: 19,
        inputs: [{ name: 'x', dtype: 'float32', dims }],
        outputs: [{ name: 'y', dtype: 'float32' }],
        initializers: { sizes: int64Tensor([4], [1, 3, 6, 5]) },
        nodes: [
          {
            op: 'Resize',
            inputs: ['x', '', '', 'sizes'],
            outputs: ['y'],
            attrs: { mode: 'cubic', antialias: 1, exclude_outside: 1 },
          },
        ],
      }),
    );
    const r = rng(30);
    const x = makeTensor(
      'float32',
      dims,
      Float32Array.from({ length: 3 * 17 * 13 }, () => (r() - 0.5) * 100),
    );
    const feeds = new Map([['x', x]]);
    const { got: out, want: cpu } = await runModelOnGpu(model, feeds);
    close(out.get('y')!.data as Float32Array, cpu.get('y')!.data as Float32Array, 'executor');
  });
});

// Linear and cubic Resize of float32 on the GPU (kernels/resize/resize-taps.ts: the reference's
// per-axis taps summed in float32) vs the reference (resize.ref.ts, float64 sums): every
// coordinate transformation, cubic with and without exclude_outside, tf_crop_and_resize with
// extrapolated values, scales and sizes, up and down, 1-D to 5-D, axes. Linear mode is bit-exact
// (both sum in float32 in onnxruntime's order); cubic within float32 rounding of a sum of at most
// 4^rank taps against the float64 reference: |got - want| <= 1e-5 * (1 + |want|) (x in [-50, 50]).
import { describe, expect, it } from 'vitest';
import {
  type CoordinateTransformationMode,
  type ResizeParams,
  resizePlan,
} from '../../kernels/resize/resize.ref.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';
import { resizeTapsOnGpu } from './resize-taps.helper.js';

const gpu = sharedGpu();

async function check(dims: number[], p: ResizeParams, seed: number): Promise<void> {
  const ctx = await gpu();
  const { got, want } = await resizeTapsOnGpu(ctx, dims, p, seed);
  // Linear mode: the reference sums in float32 in onnxruntime's order, and so does the kernel.
  const exact = p.mode === 'linear';
  for (let i = 0; i < want.length; i++) {
    if (exact ? !Object.is(got[i], want[i]) : !(Math.abs(got[i] - want[i]) <= 1e-5 * (1 + Math.abs(want[i]))))
      throw new Error(`${JSON.stringify(p)} dims [${dims}]: element ${i}: ${got[i]}, want ${want[i]}`);
  }
}

const CTMS: CoordinateTransformationMode[] = [
  'half_pixel',
  'half_pixel_symmetric',
  'pytorch_half_pixel',
  'align_corners',
  'asymmetric',
  'tf_half_pixel_for_nn',
];

describe('linear and cubic Resize on the GPU from the reference taps', () => {
  it('bilinear, every coordinate transformation, up and down by scales', async () => {
    let seed = 1;
    for (const ctm of CTMS)
      for (const scales of [
        [1, 1, 2, 2],
        [1, 1, 0.5, 0.75],
        [1, 1, 1.7, 0.6],
      ])
        await check([2, 3, 5, 7], { mode: 'linear', coordinateTransformationMode: ctm, scales }, seed++);
  });

  it('bicubic with and without exclude_outside, and a custom coefficient', async () => {
    let seed = 100;
    for (const ctm of CTMS)
      for (const excludeOutside of [false, true])
        await check(
          [1, 2, 6, 5],
          {
            mode: 'cubic',
            coordinateTransformationMode: ctm,
            excludeOutside,
            sizes: [1, 2, 9, 3],
            cubicCoeffA: -0.5,
          },
          seed++,
        );
  });

  it('tf_crop_and_resize writes extrapolation_value outside the roi', async () => {
    await check(
      [1, 1, 6, 6],
      {
        mode: 'linear',
        coordinateTransformationMode: 'tf_crop_and_resize',
        sizes: [1, 1, 5, 7],
        roi: [0, 0, -0.2, 0.3, 1, 1, 0.8, 1.4],
        extrapolationValue: 7.5,
      },
      7,
    );
  });

  it('1-D, 3-D trilinear, 5-D, and opset-18 axes', async () => {
    await check([9], { mode: 'linear', scales: [2.5] }, 11);
    await check([1, 2, 3, 4, 5], { mode: 'linear', scales: [1, 1, 2, 1.5, 0.6] }, 12);
    await check([2, 4, 4, 3], { mode: 'cubic', axes: [1, 2], sizes: [7, 2] }, 13);
    await check([3, 8], { mode: 'linear', coordinateTransformationMode: 'align_corners', sizes: [5, 1] }, 14);
  });

  it('random shapes and scales', async () => {
    const rand = rng(99);
    for (let t = 0; t < 12; t++) {
      const rank = 1 + Math.floor(rand() * 4);
      const dims = Array.from({ length: rank }, () => 1 + Math.floor(rand() * 6));
      const scales = dims.map(() => [0.5, 1, 1.3, 2, 3][Math.floor(rand() * 5)]);
      const mode = rand() < 0.5 ? 'linear' : 'cubic';
      const ctm = CTMS[Math.floor(rand() * CTMS.length)];
      await check(dims, { mode, coordinateTransformationMode: ctm, scales }, 200 + t);
    }
  });
});

it('the taps table drops taps that add nothing (an axis that is not resized costs one tap)', () => {
  const plan = resizePlan([1, 3, 4, 4], { mode: 'linear', scales: [1, 1, 2, 2] });
  expect(plan.taps[0].width).toBe(2);
  return import('../../kernels/resize/resize-taps.js').then(({ resizeTapsTable }) => {
    const table = resizeTapsTable([1, 3, 4, 4], plan);
    expect([table[1], table[5], table[9], table[13]]).toEqual([1, 1, 2, 2]);
  });
});

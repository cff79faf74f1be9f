// LpPool on the GPU (kernels/pool/lp-pool.wgsl via app/exec/webgpu/lower-extra2.ts) as one-node
// models on the WebGPU executor against the CPU reference (lp-pool.ref.ts, f64): p = 1 and 2
// within 1e-5 relative (f32 sums of at most 27 terms, then sqrt), other p within 1e-4 (WGSL's pow);
// 1-D to 3-D windows, pads, strides, dilations and ceil_mode (opset 18), auto_pad, NaN. No CPU
// fallback.
import { describe, it } from 'vitest';
import type { Tensor } from '../../kernels/tensor.js';
import type { AttrInput } from '../helpers/onnx-builder.js';
import {
  expectNear,
  type OneNode,
  pick,
  randInt,
  randomTensor,
  rng,
  runOurs,
} from '../unit/tensor-oracle.helper.js';
import { runOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

async function check(
  x: Tensor,
  attrs: Record<string, AttrInput>,
  opset: number,
  what: string,
): Promise<void> {
  const c: OneNode = {
    op: 'LpPool',
    opset,
    inputs: [['x', x]],
    outputs: [{ name: 'y', dtype: 'float32' }],
    attrs,
  };
  const got = (await runOnGpu(c, what)).get('y')!;
  const p = (attrs.p as number | undefined) ?? 2;
  expectNear(got, runOurs(c)[0], what, p <= 2 ? 1e-5 : 1e-4, 0);
}

describe('LpPool on the GPU vs the CPU reference', () => {
  const r = rng(17);
  it.each([
    ['2-D p=2 default', [1, 2, 5, 5], { kernel_shape: [2, 2] }, 11],
    [
      '2-D p=1 strides and pads',
      [2, 3, 6, 5],
      { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], p: 1 },
      11,
    ],
    ['2-D p=3', [1, 2, 4, 6], { kernel_shape: [2, 3], p: 3 }, 11],
    ['1-D', [1, 3, 9], { kernel_shape: [3], strides: [2] }, 11],
    ['3-D', [1, 2, 4, 4, 3], { kernel_shape: [2, 2, 2] }, 11],
    [
      'auto_pad SAME_UPPER',
      [1, 2, 5, 7],
      { kernel_shape: [3, 2], strides: [2, 2], auto_pad: 'SAME_UPPER' },
      11,
    ],
    [
      'dilations and ceil_mode (opset 18)',
      [1, 2, 7, 8],
      { kernel_shape: [2, 2], dilations: [2, 2], strides: [2, 3], ceil_mode: 1 },
      18,
    ],
  ] as const)('%s', async (name, dims, attrs, opset) => {
    const x = randomTensor(r, 'float32', [...dims], -3, 3);
    await check(x, attrs as unknown as Record<string, AttrInput>, opset, name);
  });

  it('NaN and zeros', async () => {
    const x: Tensor = {
      dtype: 'float32',
      dims: [1, 1, 2, 4],
      data: Float32Array.from([0, 0, 1, Number.NaN, 0, 0, -2, 3]),
    };
    for (const p of [1, 2, 3])
      await check(x, { kernel_shape: [2, 2], strides: [2, 2], p }, 11, `NaN and zeros p=${p}`);
  });

  it('seeded random 2-D windows and p', async () => {
    const rr = rng(23);
    for (let n = 0; n < 16; n++) {
      const k = [randInt(rr, 1, 3), randInt(rr, 1, 3)];
      const dims = [randInt(rr, 1, 2), randInt(rr, 1, 3), randInt(rr, k[0], 7), randInt(rr, k[1], 7)];
      const p = pick(rr, [1, 2, 2, 3, 4]);
      const s = [randInt(rr, 1, 2), randInt(rr, 1, 2)];
      const pads = [
        randInt(rr, 0, k[0] - 1),
        randInt(rr, 0, k[1] - 1),
        randInt(rr, 0, k[0] - 1),
        randInt(rr, 0, k[1] - 1),
      ];
      const x = randomTensor(rr, 'float32', dims, -4, 4);
      await check(
        x,
        { kernel_shape: k, strides: s, pads, p },
        11,
        `random [${dims}] k [${k}] s [${s}] pads [${pads}] p ${p}`,
      );
    }
  });
});

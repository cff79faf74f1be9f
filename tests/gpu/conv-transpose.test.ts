// conv-transpose.wgsl vs conv-transpose.ref.ts (the scatter that defines the op, f64 sums rounded
// once). The kernel gathers in f32 in another order, so the bound is 1e-5 relative to the largest
// |output| of the case. Curated cases are named after their parameters; seeded random cases cover
// the rest of the parameter space (1-D and 2-D).
import { describe, expect, it } from 'vitest';
import {
  type ConvTransposeGpuParams,
  convTransposeOutputDims,
  prepareConvTranspose,
} from '../../kernels/conv-transpose/conv-transpose.js';
import { convTranspose } from '../../kernels/conv-transpose/conv-transpose.ref.js';
import type { FusedFloatActivation } from '../../kernels/matmul/matmul.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { randomFloats, runOnGpu } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

interface Case extends Omit<ConvTransposeGpuParams, 'xDims' | 'wDims'> {
  readonly x: number[];
  readonly w: number[];
  readonly bias?: boolean;
}

function applyAct(t: Tensor, act: FusedFloatActivation | undefined): Float32Array {
  const d = t.data as Float32Array;
  if (!act || act.kind === 'none') return d;
  if (act.kind === 'relu') return d.map((v) => Math.max(v, 0));
  return d.map((v) => Math.min(Math.max(v, act.min), act.max));
}

async function check(c: Case, seed: number): Promise<void> {
  const ctx = await gpu();
  const r = rng(seed);
  const outChannels = c.w[1] * (c.group ?? 1);
  const x = makeTensor('float32', c.x, randomFloats(r, size(c.x), -2, 2));
  const w = makeTensor('float32', c.w, randomFloats(r, size(c.w), -1, 1));
  const b = c.bias ? makeTensor('float32', [outChannels], randomFloats(r, outChannels, -1, 1)) : undefined;
  const { x: xDims, w: wDims, bias: _b, ...rest } = c;
  const params: ConvTransposeGpuParams = { ...rest, xDims, wDims };
  const ref = convTranspose(x, w, b, params);
  expect(convTransposeOutputDims(ctx, params)).toEqual(ref.dims);
  const want = applyAct(ref, c.activation);
  const inputs = b ? [x.data, w.data, b.data] : [x.data, w.data];
  const out = await runOnGpu(ctx, inputs, Math.max(4, want.length * 4), ([gx, gw, gb], o) =>
    prepareConvTranspose(ctx, gx, gw, gb, o, params),
  );
  const got = new Float32Array(out, 0, want.length);
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const bound = 1e-5 * scale + 1e-30;
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= bound))
      expect.fail(`element ${i} of [${ref.dims}]: got ${got[i]}, expected ${want[i]} (bound ${bound})`);
  }
}

const CURATED: Record<string, Case> = {
  'stride 1, no pads, 3x3 kernel, 1 channel': { x: [1, 1, 3, 3], w: [1, 1, 3, 3] },
  'odd channels 3 -> 5, stride 2, bias': { x: [1, 3, 4, 5], w: [3, 5, 3, 3], strides: [2, 2], bias: true },
  'odd channels 5 -> 7, stride 1, pads 1': { x: [2, 5, 5, 4], w: [5, 7, 3, 3], pads: [1, 1, 1, 1] },
  'stride 2, output_padding 1, pads 1 (the U-Net upsampler)': {
    x: [1, 4, 5, 6],
    w: [4, 6, 3, 3],
    strides: [2, 2],
    pads: [1, 1, 1, 1],
    outputPadding: [1, 1],
    bias: true,
  },
  'stride 2, kernel 2 (kernel = stride)': { x: [1, 8, 4, 4], w: [8, 4, 2, 2], strides: [2, 2] },
  'stride 2, kernel 4, pads 1 (kernel larger than stride, DCGAN)': {
    x: [2, 6, 3, 5],
    w: [6, 3, 4, 4],
    strides: [2, 2],
    pads: [1, 1, 1, 1],
  },
  'stride 3, kernel 5 (kernel not a multiple of stride)': {
    x: [1, 2, 4, 3],
    w: [2, 3, 5, 5],
    strides: [3, 3],
  },
  'stride 3 x 2, kernel 2 x 5 (kernel smaller than stride on one axis)': {
    x: [1, 3, 4, 4],
    w: [3, 2, 2, 5],
    strides: [3, 2],
  },
  'dilation 2': { x: [1, 3, 5, 5], w: [3, 4, 3, 3], dilations: [2, 2] },
  'dilation 2, stride 2 (gcd 2: every other tap of the right parity)': {
    x: [1, 2, 4, 5],
    w: [2, 5, 5, 4],
    dilations: [2, 2],
    strides: [2, 2],
  },
  'dilation 3, stride 2 (coprime)': { x: [1, 2, 4, 4], w: [2, 4, 3, 3], dilations: [3, 3], strides: [2, 2] },
  'group 2': { x: [1, 4, 4, 4], w: [4, 3, 3, 3], group: 2, strides: [2, 2], bias: true },
  'group = channels (depthwise), stride 2': {
    x: [2, 6, 5, 5],
    w: [6, 1, 3, 3],
    group: 6,
    strides: [2, 2],
    bias: true,
  },
  'group = channels, 2 outputs each': { x: [1, 5, 4, 3], w: [5, 2, 3, 3], group: 5 },
  'group 3, 5 outputs per group (a partial 4-channel block)': {
    x: [1, 6, 3, 4],
    w: [6, 5, 3, 2],
    group: 3,
    strides: [2, 1],
  },
  'asymmetric pads': { x: [1, 3, 5, 6], w: [3, 4, 3, 3], pads: [0, 2, 1, 0], strides: [2, 2] },
  'pads larger than the stride': { x: [1, 2, 6, 6], w: [2, 3, 5, 5], pads: [3, 2, 3, 4], strides: [2, 2] },
  '1x1 kernel, stride 1': { x: [1, 7, 3, 5], w: [7, 9, 1, 1], bias: true },
  '1x1 kernel, stride 2 (holes between the pixels)': { x: [1, 3, 3, 4], w: [3, 5, 1, 1], strides: [2, 2] },
  'output_shape (pads derived, larger half at the start)': {
    x: [1, 3, 4, 4],
    w: [3, 2, 3, 3],
    strides: [3, 2],
    outputShape: [10, 8],
  },
  'output_shape larger than the full output (zero border)': {
    x: [1, 2, 3, 3],
    w: [2, 3, 3, 3],
    strides: [2, 2],
    outputShape: [9, 10],
    bias: true,
  },
  'auto_pad SAME_UPPER': { x: [1, 2, 5, 4], w: [2, 3, 3, 3], strides: [2, 2], autoPad: 'SAME_UPPER' },
  'auto_pad SAME_LOWER': { x: [1, 2, 5, 4], w: [2, 3, 4, 3], strides: [2, 2], autoPad: 'SAME_LOWER' },
  'fused Relu': {
    x: [1, 4, 4, 4],
    w: [4, 4, 3, 3],
    strides: [2, 2],
    bias: true,
    activation: { kind: 'relu' },
  },
  'fused Clip [-0.5, 0.75]': {
    x: [1, 3, 4, 4],
    w: [3, 5, 3, 3],
    strides: [2, 2],
    activation: { kind: 'clip', min: -0.5, max: 0.75 },
  },
  '1-D, stride 2, output_padding 1': {
    x: [2, 3, 7],
    w: [3, 5, 4],
    strides: [2],
    pads: [1, 2],
    outputPadding: [1],
    bias: true,
  },
  '1-D, dilation 2, group 3': { x: [1, 6, 5], w: [6, 2, 3], dilations: [2], group: 3 },
  'wide rows, stride 3, pads (partial 4-pixel runs in every column residue)': {
    x: [1, 2, 3, 13],
    w: [2, 5, 3, 5],
    strides: [1, 3],
    pads: [0, 2, 1, 1],
    bias: true,
  },
  'a 1x1 input': { x: [1, 4, 1, 1], w: [4, 6, 3, 3], strides: [2, 2] },
};

describe('conv-transpose.wgsl vs the reference', () => {
  let seed = 300;
  for (const [name, c] of Object.entries(CURATED)) {
    const s = seed++;
    it(name, () => check(c, s));
  }

  it('seeded random 1-D and 2-D cases', async () => {
    const r = rng(4242);
    const pick = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    for (let t = 0; t < 40; t++) {
      const n = pick(1, 2);
      const group = [1, 1, 2, 3][pick(0, 3)];
      const cg = pick(1, 3);
      const mg = pick(1, 6);
      const spatial = Array.from({ length: n }, () => pick(1, 6));
      const kernel = Array.from({ length: n }, () => pick(1, 4));
      const strides = Array.from({ length: n }, () => pick(1, 3));
      const dilations = Array.from({ length: n }, () => pick(1, 2));
      const outputPadding = strides.map((s, i) => Math.min(pick(0, 1), s - 1, dilations[i] - 1 + s - 1));
      const full = spatial.map(
        (s, i) => (s - 1) * strides[i] + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1,
      );
      // Pads that leave at least one output element per axis.
      const begin = full.map((f) => pick(0, Math.min(2, Math.floor((f - 1) / 2))));
      const end = full.map((f) => pick(0, Math.min(2, Math.floor((f - 1) / 2))));
      const c: Case = {
        x: [pick(1, 2), cg * group, ...spatial],
        w: [cg * group, mg, ...kernel],
        group,
        strides,
        dilations,
        outputPadding,
        pads: [...begin, ...end],
        bias: r() < 0.5,
        activation: r() < 0.3 ? { kind: 'relu' } : undefined,
      };
      await check(c, 5000 + t);
    }
  });
});

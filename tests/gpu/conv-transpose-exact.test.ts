// conv-transpose-exact.wgsl vs conv-transpose.ref.ts, bit for bit (Float32Array bits compared): the
// reference replays onnxruntime's CPU order (MLAS GEMM + col2im + bias), whose float32 results
// onnxruntime-node equals (tests/unit/conv-transpose-ort-order.test.ts). Every case runs with W
// as an initializer (prepacked: GEMM on an untransposed A) and as a computed value (transposed A),
// since the reference's order differs between them. Curated cases cover each attribute, groups,
// depthwise, 3-D and the MLAS paths (K blocks, the two-thread split along rows or columns with
// different K blocks per tile, the M1 kernels of a 1x1 input); seeded random shapes the rest.
import { describe, expect, it } from 'vitest';
import {
  type ConvTransposeExactParams,
  convTransposeExactLayout,
  mlasTiles,
  prepareConvTransposeExact,
  probeF32Arithmetic,
} from '../../kernels/conv-transpose/conv-transpose-exact.js';
import { convTranspose } from '../../kernels/conv-transpose/conv-transpose.ref.js';
import type { FusedFloatActivation } from '../../kernels/matmul/matmul.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { randomFloats, runOnGpu } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

interface Case extends Omit<ConvTransposeExactParams, 'xDims' | 'wDims' | 'constantW'> {
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

async function check(
  c: Case,
  seed: number,
  constantW: boolean,
  edit?: (x: Float32Array, w: Float32Array) => void,
): Promise<void> {
  const ctx = await gpu();
  const r = rng(seed);
  const outChannels = c.w[1] * (c.group ?? 1);
  const x = makeTensor('float32', c.x, randomFloats(r, size(c.x), -2, 2));
  const w = makeTensor('float32', c.w, randomFloats(r, size(c.w), -1, 1));
  edit?.(x.data as Float32Array, w.data as Float32Array);
  const b = c.bias ? makeTensor('float32', [outChannels], randomFloats(r, outChannels, -1, 1)) : undefined;
  const { x: xDims, w: wDims, bias: _b, ...rest } = c;
  const params: ConvTransposeExactParams = { ...rest, xDims, wDims, constantW };
  const ref = convTranspose(x, w, b, params, { constantW });
  expect(convTransposeExactLayout(ctx, params).dims).toEqual(ref.dims);
  const want = new Uint32Array(applyAct(ref, c.activation).buffer);
  const inputs = b ? [x.data, w.data, b.data] : [x.data, w.data];
  const out = await runOnGpu(ctx, inputs, Math.max(4, want.length * 4), ([gx, gw, gb], o) =>
    prepareConvTransposeExact(ctx, gx, gw, gb, o, params),
  );
  const got = new Uint32Array(out, 0, want.length);
  const f = (u: number) => new Float32Array(Uint32Array.of(u).buffer)[0];
  const f32 = new Float32Array(want.buffer);
  for (let i = 0; i < want.length; i++) {
    // NaN's sign and payload are not the reference's to decide (x86 makes -NaN, JS +NaN).
    if (got[i] !== want[i] && !(Number.isNaN(f32[i]) && Number.isNaN(f(got[i]))))
      expect.fail(
        `${constantW ? 'initializer' : 'computed'} W, element ${i} of [${ref.dims}]: got ${f(got[i])}, expected ${f(want[i])}`,
      );
  }
}

const CURATED: Record<string, Case> = {
  'stride 1, no pads, 3x3 kernel, 1 channel': { x: [1, 1, 3, 3], w: [1, 1, 3, 3] },
  'odd channels 3 -> 5, stride 2, bias': { x: [1, 3, 4, 5], w: [3, 5, 3, 3], strides: [2, 2], bias: true },
  'stride 2, output_padding 1, pads 1': {
    x: [1, 4, 5, 6],
    w: [4, 6, 3, 3],
    strides: [2, 2],
    pads: [1, 1, 1, 1],
    outputPadding: [1, 1],
    bias: true,
  },
  'stride 2, kernel 4, pads 1, batch 2': {
    x: [2, 6, 3, 5],
    w: [6, 3, 4, 4],
    strides: [2, 2],
    pads: [1, 1, 1, 1],
  },
  'stride 3 x 2, kernel 2 x 5': { x: [1, 3, 4, 4], w: [3, 2, 2, 5], strides: [3, 2] },
  'dilation 2, stride 2': { x: [1, 2, 4, 5], w: [2, 5, 5, 4], dilations: [2, 2], strides: [2, 2] },
  'group 2': { x: [1, 4, 4, 4], w: [4, 3, 3, 3], group: 2, strides: [2, 2], bias: true },
  'depthwise, stride 2': { x: [2, 6, 5, 5], w: [6, 1, 3, 3], group: 6, strides: [2, 2], bias: true },
  'group = channels, 2 outputs each': { x: [1, 5, 4, 3], w: [5, 2, 3, 3], group: 5 },
  'asymmetric pads': { x: [1, 3, 5, 6], w: [3, 4, 3, 3], pads: [0, 2, 1, 0], strides: [2, 2] },
  '1x1 kernel, stride 2': { x: [1, 3, 3, 4], w: [3, 5, 1, 1], strides: [2, 2] },
  '1x1 kernel, 1 output channel (a single-row W: not prepacked)': { x: [1, 7, 3, 5], w: [7, 1, 1, 1] },
  output_shape: { x: [1, 3, 4, 4], w: [3, 2, 3, 3], strides: [3, 2], outputShape: [10, 8] },
  'output_shape larger than the full output': {
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
  'fused Clip': { x: [1, 3, 4, 4], w: [3, 5, 3, 3], activation: { kind: 'clip', min: -0.5, max: 0.75 } },
  '1-D, stride 2, output_padding 1': {
    x: [2, 3, 7],
    w: [3, 5, 4],
    strides: [2],
    pads: [1, 2],
    outputPadding: [1],
    bias: true,
  },
  '1-D, dilation 2, group 3': { x: [1, 6, 5], w: [6, 2, 3], dilations: [2], group: 3 },
  '3-D, stride 2, pads, bias': {
    x: [1, 3, 3, 4, 3],
    w: [3, 4, 3, 2, 3],
    strides: [2, 1, 2],
    pads: [1, 0, 1, 0, 1, 1],
    bias: true,
  },
  '3-D, group 2, dilation, output_padding': {
    x: [2, 4, 2, 3, 3],
    w: [4, 2, 2, 3, 2],
    group: 2,
    dilations: [2, 1, 1],
    strides: [2, 2, 2],
    outputPadding: [1, 1, 0],
  },
  // MLAS paths: K past one 128-deep block (and past 256, the blocks of a narrow N).
  'K 300 (K blocks)': { x: [1, 300, 3, 3], w: [300, 2, 2, 2], strides: [2, 2] },
  'K 600, 1 input column (K blocks grow for a narrow N)': { x: [1, 600, 2, 1], w: [600, 2, 3, 1] },
  'two threads split the columns (N 400 > M 36)': {
    x: [1, 200, 20, 20],
    w: [200, 4, 3, 3],
    strides: [2, 2],
    pads: [1, 1, 1, 1],
    bias: true,
  },
  'two threads split the columns, K blocks of 256 and 512 (initializer W)': {
    x: [1, 600, 8, 10],
    w: [600, 2, 2, 2],
    strides: [2, 2],
  },
  'column split inside a 4-column quad (lanes with K blocks of 256 and 512)': {
    x: [1, 600, 1, 80],
    w: [600, 2, 1, 3],
  },
  'two threads split the rows (M 288 > N 16)': { x: [1, 160, 4, 4], w: [160, 32, 3, 3], strides: [2, 2] },
  'a 1x1 input (the M1 kernels)': { x: [1, 13, 1, 1], w: [13, 6, 3, 3], strides: [2, 2], bias: true },
  'a 1x1 input, two threads (M1 kernels per row tile)': { x: [1, 700, 1, 1], w: [700, 11, 3, 3] },
  'a 1x1 input, 1x1 kernel, 1 output (a single row)': { x: [1, 9, 1, 1], w: [9, 1, 1, 1] },
  'a row tile of 1 beside a blocked one (M 3 split 2 + 1; the M1 kernel for an initializer W)': {
    x: [1, 11000, 1, 2],
    w: [11000, 3, 1, 1],
  },
};

describe('conv-transpose-exact.wgsl vs the reference, bit for bit', () => {
  it('the device has an exact f32 FMA (native or emulated) and unfused a * b + c', async () => {
    const arith = await probeF32Arithmetic(await gpu());
    expect(arith.fma).toBeDefined();
    expect(arith.unfused).toBe(true);
  });

  it('the curated cases reach every MLAS path', () => {
    expect(mlasTiles(36, 400, 200, true).map((t) => [t.n0, t.nc, t.kind, t.sk])).toEqual([
      [0, 208, 0, 128],
      [208, 192, 0, 128],
    ]);
    expect(mlasTiles(8, 80, 600, false).map((t) => [t.n0, t.nc, t.sk])).toEqual([
      [0, 48, 256],
      [48, 32, 512],
    ]);
    expect(mlasTiles(8, 80, 600, true).map((t) => t.sk)).toEqual([128, 128]);
    expect(mlasTiles(288, 16, 160, true).map((t) => [t.m0, t.mc])).toEqual([
      [0, 144],
      [144, 144],
    ]);
    expect(mlasTiles(99, 1, 700, true).map((t) => t.kind)).toEqual([1, 1]);
    expect(mlasTiles(99, 1, 700, false).map((t) => [t.m0, t.mc, t.kind])).toEqual([
      [0, 50, 2],
      [50, 49, 2],
    ]);
    expect(mlasTiles(6 * 9, 1, 13, false).map((t) => t.kind)).toEqual([2]);
    expect(mlasTiles(3, 2, 11000, false).map((t) => [t.m0, t.mc, t.kind])).toEqual([
      [0, 2, 0],
      [2, 1, 1],
    ]);
  });

  let seed = 700;
  for (const [name, c] of Object.entries(CURATED)) {
    const s = seed++;
    it(name, async () => {
      await check(c, s, true);
      await check(c, s, false);
    });
  }

  it('inf, NaN and products past the f32 range (the FMA emulation checks them)', async () => {
    const c: Case = { x: [1, 20, 6, 6], w: [20, 4, 3, 3], strides: [2, 2], bias: true };
    for (const constantW of [true, false])
      await check(c, 77, constantW, (x, w) => {
        x[5] = Number.POSITIVE_INFINITY;
        x[40] = Number.NEGATIVE_INFINITY;
        x[100] = 3e30;
        x[101] = -2e30;
        w[7] = Number.NaN;
        w[50] = 5e20;
        w[51] = 1e-30;
      });
  });

  it('seeded random 1-D, 2-D and 3-D cases', async () => {
    const r = rng(9191);
    const pick = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    for (let t = 0; t < 40; t++) {
      const n = pick(1, 3);
      const group = [1, 1, 2, 3][pick(0, 3)];
      const cg = [1, 2, 3, 5, 8, 17, 40, 150][pick(0, 7)];
      const mg = pick(1, 6);
      const spatial = Array.from({ length: n }, () => pick(1, n === 3 ? 3 : 6));
      const kernel = Array.from({ length: n }, () => pick(1, 4));
      const strides = Array.from({ length: n }, () => pick(1, 3));
      const dilations = Array.from({ length: n }, () => pick(1, 2));
      const outputPadding = strides.map((s, i) => Math.min(pick(0, 1), s - 1, dilations[i] - 1 + s - 1));
      const full = spatial.map(
        (s, i) => (s - 1) * strides[i] + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1,
      );
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
      await check(c, 8000 + t, r() < 0.5);
    }
  });
});

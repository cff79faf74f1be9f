// Conv / ConvTranspose and their shared geometry: hand-computed cases, then random shapes and
// attributes against onnxruntime-node.
import { describe, expect, it } from 'vitest';
import { resolveConvGeometry, spatialOutputSize } from '../../kernels/conv2d/conv-geometry.js';
import { conv } from '../../kernels/conv2d/conv2d.ref.js';
import {
  convTranspose,
  resolveConvTransposeGeometry,
} from '../../kernels/conv-transpose/conv-transpose.ref.js';
import type { AttrInput } from '../helpers/onnx-builder.js';
import { expectMatchesOrt, f32, randInt, randomFloats, rng } from './nn-oracle.helper.js';

describe('conv geometry', () => {
  it('explicit pads, stride and dilation', () => {
    // in 7, k 3 dilated by 2 -> extent 5, pads 1+2, stride 2: floor((7+3-5)/2)+1 = 3
    const g = resolveConvGeometry({
      inputSpatial: [7],
      kernelSpatial: [3],
      strides: [2],
      dilations: [2],
      pads: [1, 2],
    });
    expect(g).toMatchObject({ pads: [1, 2], outputSpatial: [3], dilatedKernel: [5] });
  });
  it('SAME_UPPER puts the odd pad at the end, SAME_LOWER at the beginning', () => {
    // in 6, s 2, k 3: out 3, need (3-1)*2+3-6 = 1
    expect(
      resolveConvGeometry({ inputSpatial: [6], kernelSpatial: [3], strides: [2], autoPad: 'SAME_UPPER' })
        .pads,
    ).toEqual([0, 1]);
    expect(
      resolveConvGeometry({ inputSpatial: [6], kernelSpatial: [3], strides: [2], autoPad: 'SAME_LOWER' })
        .pads,
    ).toEqual([1, 0]);
    // in 5, s 1, k 4: need 3 -> upper [1,2], lower [2,1]; output stays 5
    const u = resolveConvGeometry({ inputSpatial: [5, 5], kernelSpatial: [4, 1], autoPad: 'SAME_UPPER' });
    expect(u).toMatchObject({ pads: [1, 0, 2, 0], outputSpatial: [5, 5] });
    const l = resolveConvGeometry({ inputSpatial: [5, 5], kernelSpatial: [4, 1], autoPad: 'SAME_LOWER' });
    expect(l).toMatchObject({ pads: [2, 0, 1, 0], outputSpatial: [5, 5] });
  });
  it('SAME with a stride larger than the kernel needs no (negative) pad', () => {
    const g = resolveConvGeometry({
      inputSpatial: [5],
      kernelSpatial: [1],
      strides: [3],
      autoPad: 'SAME_UPPER',
    });
    expect(g).toMatchObject({ pads: [0, 0], outputSpatial: [2] });
  });
  it('VALID ignores pads', () => {
    const g = resolveConvGeometry({
      inputSpatial: [8],
      kernelSpatial: [3],
      strides: [2],
      pads: [5, 5],
      autoPad: 'VALID',
    });
    expect(g).toMatchObject({ pads: [0, 0], outputSpatial: [3] });
  });
  it('ceil_mode keeps a partial last window but drops one starting in the end padding', () => {
    expect(spatialOutputSize(5, 2, 2, 0, 0, false)).toBe(2);
    expect(spatialOutputSize(5, 2, 2, 0, 0, true)).toBe(3); // window [4,5) is partial but starts inside
    // in 4, pads 1+1, k 2, s 2: ceil(4/2)+1 = 3, but window 3 would start at 6-1 = 5 > 4: padding only
    expect(spatialOutputSize(4, 2, 2, 1, 1, true)).toBe(3);
    expect(spatialOutputSize(4, 3, 3, 0, 1, true)).toBe(2);
    expect(spatialOutputSize(6, 3, 2, 0, 2, true)).toBe(3); // ceil(5/2)+1 = 4, start 6 >= 6 -> 3
  });
  it('rejects a kernel larger than the padded input', () => {
    expect(() => resolveConvGeometry({ inputSpatial: [2], kernelSpatial: [3] })).toThrow(/exceeds/);
  });
});

describe('conv reference, hand-computed', () => {
  it('1-D with pads, stride and bias', () => {
    const x = f32([1, 1, 5], [1, 2, 3, 4, 5]);
    const w = f32([1, 1, 3], [1, 0, -1]);
    // padded: 0 1 2 3 4 5 0; stride 2 windows at 0,2,4: (0-2) (2-4) (4-0) -> -2 -2 4, plus bias 0.5
    const y = conv(x, w, f32([1], [0.5]), { pads: [1, 1], strides: [2] });
    expect([...y.dims]).toEqual([1, 1, 3]);
    expect([...y.data]).toEqual([-1.5, -1.5, 4.5]);
  });
  it('2-D dilated 2x2 kernel on 3x3 gives the corners', () => {
    const x = f32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = f32([1, 1, 2, 2], [1, 10, 100, 1000]);
    const y = conv(x, w, undefined, { dilations: [2, 2] });
    expect([...y.data]).toEqual([1 + 30 + 700 + 9000]);
  });
  it('depthwise (group = channels) keeps channels apart', () => {
    const x = f32([1, 2, 1, 2], [1, 2, 3, 4]);
    const w = f32([2, 1, 1, 1], [10, -1]);
    const y = conv(x, w, undefined, { group: 2 });
    expect([...y.data]).toEqual([10, 20, -3, -4]);
  });
  it('rejects a channel count that does not match group x W channels', () => {
    expect(() =>
      conv(f32([1, 3, 2, 2], new Array(12).fill(0)), f32([2, 2, 1, 1], [0, 0, 0, 0]), undefined),
    ).toThrow(/channels/);
  });
});

describe('conv vs onnxruntime (random)', () => {
  const r = rng(1234);
  const autoPads = ['NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const;
  for (let t = 0; t < 24; t++) {
    const rank = t < 6 ? 1 : t < 21 ? 2 : 3;
    const depthwise = t % 5 === 3;
    const group = depthwise ? randInt(r, 2, 4) : [1, 1, 2, 3][randInt(r, 0, 3)];
    const cin = depthwise ? group : group * randInt(r, 1, 3);
    const cout = depthwise ? group : group * randInt(r, 1, 3);
    const kernel = Array.from({ length: rank }, () => randInt(r, 1, rank === 3 ? 2 : 4));
    const autoPad = autoPads[t % autoPads.length];
    // SAME with stride > kernel + 1 can need a negative pad, where onnxruntime is inconsistent;
    // the reference clamps the need at 0 (see the geometry tests).
    const strides = kernel.map((k) => randInt(r, 1, autoPad.startsWith('SAME') ? Math.min(3, k + 1) : 3));
    // onnxruntime refuses dilation with SAME_* (our reference follows the spec there).
    const dilations = Array.from({ length: rank }, () => (autoPad.startsWith('SAME') ? 1 : randInt(r, 1, 2)));
    const pads = Array.from({ length: 2 * rank }, () => randInt(r, 0, 2));
    const spatial = kernel.map((k, i) => (k - 1) * dilations[i] + 1 + randInt(r, 0, rank === 3 ? 3 : 7));
    const batch = randInt(r, 1, 2);
    const withBias = t % 3 !== 0;
    const name = `conv x=[${batch},${cin},${spatial}] k=[${kernel}] s=[${strides}] d=[${dilations}] g=${group} ${autoPad}${autoPad === 'NOTSET' ? ` p=[${pads}]` : ''}${withBias ? ' +b' : ''}`;
    it(name, async () => {
      const attrs: Record<string, AttrInput> = { strides, dilations, group, auto_pad: autoPad };
      if (autoPad === 'NOTSET') attrs.pads = pads;
      if (t % 2 === 0) attrs.kernel_shape = kernel;
      await expectMatchesOrt(
        {
          op: 'Conv',
          opset: [11, 13, 21][t % 3],
          inputs: [
            ['X', randomFloats(r, [batch, cin, ...spatial])],
            ['W', randomFloats(r, [cout, cin / group, ...kernel])],
            ['B', withBias ? randomFloats(r, [cout]) : undefined],
          ],
          constants: ['W', 'B'],
          attrs,
        },
        1e-5,
        1e-5,
      );
    });
  }
});

describe('conv transpose', () => {
  it('hand-computed 1-D scatter with stride 2 and pads', () => {
    // x = [1, 2], w = [1, 10, 100], stride 2: full output [1, 10, 102, 20, 200]; pads [1, 1] crop the ends
    const x = f32([1, 1, 2], [1, 2]);
    const w = f32([1, 1, 3], [1, 10, 100]);
    expect([...convTranspose(x, w, undefined, { strides: [2] }).data]).toEqual([1, 10, 102, 20, 200]);
    expect([...convTranspose(x, w, undefined, { strides: [2], pads: [1, 1] }).data]).toEqual([10, 102, 20]);
    // output_padding adds a (zero) element at the end
    expect([...convTranspose(x, w, f32([1], [1]), { strides: [2], outputPadding: [1] }).data]).toEqual([
      2, 11, 103, 21, 201, 1,
    ]);
  });
  it('output_shape derives the pads (larger half at the beginning, SAME_UPPER: at the end)', () => {
    // full size (3-1)*2 + 3 = 7; target 5 -> total pad 2 -> [1, 1]; target 6 -> 1 -> [1, 0] / SAME_UPPER [0, 1]
    expect(resolveConvTransposeGeometry([3], [3], { strides: [2], outputShape: [5] })).toEqual({
      pads: [1, 1],
      outputSpatial: [5],
    });
    expect(resolveConvTransposeGeometry([3], [3], { strides: [2], outputShape: [6] })).toEqual({
      pads: [1, 0],
      outputSpatial: [6],
    });
    expect(
      resolveConvTransposeGeometry([3], [3], { strides: [2], outputShape: [6], autoPad: 'SAME_UPPER' }).pads,
    ).toEqual([0, 1]);
  });
  it('SAME_* without output_shape never pads negatively: output min(full, in * stride)', () => {
    // in 2, s 3, k 2: full (2-1)*3 + 2 = 5 < 6 -> 5 with no pads; in 4, s 1, k 3: full 6 -> 4, pads 2
    expect(resolveConvTransposeGeometry([2], [2], { strides: [3], autoPad: 'SAME_LOWER' })).toEqual({
      pads: [0, 0],
      outputSpatial: [5],
    });
    expect(resolveConvTransposeGeometry([4], [3], { autoPad: 'SAME_UPPER' })).toEqual({
      pads: [1, 1],
      outputSpatial: [4],
    });
  });

  const r = rng(99);
  for (let t = 0; t < 14; t++) {
    const rank = t < 3 ? 1 : 2;
    const group = [1, 1, 2][t % 3];
    const cin = group * randInt(r, 1, 2);
    const coutPerGroup = randInt(r, 1, 3);
    const kernel = Array.from({ length: rank }, () => randInt(r, 1, 3));
    const strides = Array.from({ length: rank }, () => randInt(r, 1, 3));
    const dilations = Array.from({ length: rank }, () => randInt(r, 1, 2));
    const spatial = Array.from({ length: rank }, () => randInt(r, 1, 5));
    const attrs: Record<string, AttrInput> = { strides, dilations, group };
    const variant = t % 4;
    if (variant === 0)
      attrs.pads = Array.from({ length: 2 * rank }, (_, i) =>
        Math.min(randInt(r, 0, 1), kernel[i % rank] - 1),
      );
    if (variant === 1)
      attrs.output_padding = strides.map((s) => randInt(r, 0, Math.min(s, ...dilations) - 1));
    if (variant === 2)
      attrs.output_shape = spatial.map(
        (x, i) => (x - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - (x > 1 ? randInt(r, 0, 1) : 0),
      );
    if (variant === 3) attrs.auto_pad = t % 8 === 3 ? 'SAME_UPPER' : 'SAME_LOWER';
    it(`convtranspose x=[1,${cin},${spatial}] k=[${kernel}] ${JSON.stringify(attrs)}`, async () => {
      await expectMatchesOrt(
        {
          op: 'ConvTranspose',
          opset: 13,
          inputs: [
            ['X', randomFloats(r, [1, cin, ...spatial])],
            ['W', randomFloats(r, [cin, coutPerGroup, ...kernel])],
            ['B', t % 2 ? randomFloats(r, [coutPerGroup * group]) : undefined],
          ],
          constants: ['W', 'B'],
          attrs,
        },
        1e-5,
        1e-5,
      );
    });
  }
});

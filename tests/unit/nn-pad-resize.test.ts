// Pad and Resize: hand-computed modes and tie cases, then random cases against onnxruntime-node
// across opsets (Pad attribute/input forms, axes, wrap; Resize 10 and 11+, every coordinate
// transformation and nearest mode, linear and cubic).
import { describe, expect, it } from 'vitest';
import { pad } from '../../kernels/pad/pad.ref.js';
import { resize } from '../../kernels/resize/resize.ref.js';
import { int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import type { AttrInput } from '../helpers/onnx-builder.js';
import { expectMatchesOrt, f32, randInt, randomFloats, rng } from './nn-oracle.helper.js';

describe('pad, hand-computed', () => {
  const x = f32([4], [1, 2, 3, 4]);
  it('constant, edge, reflect, wrap on one axis', () => {
    expect([...pad(x, { pads: [2, 1], constantValue: 9 }).data]).toEqual([9, 9, 1, 2, 3, 4, 9]);
    expect([...pad(x, { pads: [2, 1], mode: 'edge' }).data]).toEqual([1, 1, 1, 2, 3, 4, 4]);
    expect([...pad(x, { pads: [2, 1], mode: 'reflect' }).data]).toEqual([3, 2, 1, 2, 3, 4, 3]);
    expect([...pad(x, { pads: [2, 1], mode: 'wrap' }).data]).toEqual([3, 4, 1, 2, 3, 4, 1]);
    // reflect further than the axis length keeps bouncing
    expect([...pad(f32([2], [1, 2]), { pads: [3, 0], mode: 'reflect' }).data]).toEqual([2, 1, 2, 1, 2]);
  });
  it('negative pads crop; axes pick which axes the pads refer to', () => {
    expect([...pad(x, { pads: [-1, 1] }).data]).toEqual([2, 3, 4, 0]);
    const m = f32([2, 2], [1, 2, 3, 4]);
    const y = pad(m, { pads: [1, 0], axes: [-1], mode: 'edge' });
    expect([[...y.dims], [...y.data]]).toEqual([
      [2, 3],
      [1, 1, 2, 3, 3, 4],
    ]);
  });
  it('int64 and uint8 data keep their type', () => {
    expect(pad(int64Tensor([2], [5, 6]), { pads: [1, 0], constantValue: -1n }).data).toEqual(
      BigInt64Array.from([-1n, 5n, 6n]),
    );
    const u = pad(makeTensor('uint8', [2], [7, 200]), { pads: [0, 2], mode: 'reflect' });
    expect([u.dtype, [...u.data]]).toEqual(['uint8', [7, 200, 7, 200]]);
  });
});

describe('resize, hand-computed', () => {
  const x = f32([1, 1, 1, 4], [0, 10, 20, 30]);
  it('nearest downsample by 2 with half_pixel lands on exact ties', () => {
    // x_orig = (o + 0.5) * 2 - 0.5 = 0.5, 2.5: round_prefer_floor -> 0, 2; prefer_ceil -> 1, 3
    const s = { scales: [1, 1, 1, 0.5] };
    expect([...resize(x, s).data]).toEqual([0, 20]);
    expect([...resize(x, { ...s, nearestMode: 'round_prefer_ceil' }).data]).toEqual([10, 30]);
    expect([
      ...resize(x, { ...s, coordinateTransformationMode: 'asymmetric', nearestMode: 'floor' }).data,
    ]).toEqual([0, 20]);
  });
  it('linear align_corners and half_pixel upsample', () => {
    const a = resize(f32([1, 1, 1, 2], [0, 3]), {
      mode: 'linear',
      sizes: [1, 1, 1, 4],
      coordinateTransformationMode: 'align_corners',
    });
    expect([...a.data]).toEqual([0, 1, 2, 3]);
    // half_pixel x2: x_orig = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1)
    const h = resize(f32([1, 1, 1, 2], [0, 4]), { mode: 'linear', scales: [1, 1, 1, 2] });
    expect([...h.data]).toEqual([0, 1, 3, 4]);
  });
  it('tf_crop_and_resize writes extrapolation_value outside the input', () => {
    const y = resize(x, {
      mode: 'linear',
      coordinateTransformationMode: 'tf_crop_and_resize',
      sizes: [1, 1, 1, 3],
      roi: [0, 0, 0, 0.5, 1, 1, 1, 1.5],
      extrapolationValue: -1,
    });
    // x_orig = 1.5, 3, 4.5 -> 15, 30, outside
    expect([...y.data]).toEqual([15, 30, -1]);
  });
  it('opset-10 nearest (asymmetric, floor up / ceil down)', () => {
    const up = resize(x, {
      scales: [1, 1, 1, 1.5],
      coordinateTransformationMode: 'asymmetric',
      nearestMode: 'simple',
    });
    expect([...up.data]).toEqual([0, 0, 10, 20, 20, 30]);
  });
});

function padCase(r: () => number, t: number) {
  const dims = [randInt(r, 1, 3), randInt(r, 2, 5), randInt(r, 2, 6)];
  const modes = ['constant', 'reflect', 'edge', 'constant', 'wrap'] as const;
  const mode = modes[t % modes.length];
  const opset = mode === 'wrap' ? 19 : [2, 11, 13, 18][t % 4];
  // reflect needs pads < dim in onnxruntime; negative pads only with constant
  const pads = [...dims, ...dims].map((d) =>
    randInt(r, mode === 'constant' && d >= 3 ? -1 : 0, mode === 'reflect' ? d - 1 : 3),
  );
  const dtype = t % 6 === 5 ? 'int8' : t % 6 === 3 ? 'int64' : 'float32';
  const data =
    dtype === 'float32'
      ? randomFloats(r, dims)
      : dtype === 'int8'
        ? makeTensor(
            'int8',
            dims,
            Array.from({ length: dims[0] * dims[1] * dims[2] }, () => randInt(r, -128, 127)),
          )
        : int64Tensor(
            dims,
            Array.from({ length: dims[0] * dims[1] * dims[2] }, () => randInt(r, -1e6, 1e6)),
          );
  return { dims, mode, opset, pads, dtype, data };
}

describe('pad vs onnxruntime (random)', () => {
  const r = rng(77);
  for (let t = 0; t < 15; t++) {
    const { dims, mode, opset, pads, dtype, data } = padCase(r, t);
    const withAxes = opset >= 18 && t % 2 === 0;
    it(`Pad opset ${opset} ${mode} ${dtype} x=[${dims}] pads=[${pads}]${withAxes ? ' axes=[0,-1]' : ''}`, async () => {
      if (opset < 11) {
        await expectMatchesOrt({
          op: 'Pad',
          opset,
          inputs: [['X', data]],
          attrs: { mode, pads, value: { float: 1.5 } },
        });
        return;
      }
      const value: Tensor =
        dtype === 'float32'
          ? f32([], [-2.5])
          : dtype === 'int8'
            ? makeTensor('int8', [], [-7])
            : int64Tensor([], [123456789]);
      const p = withAxes ? [pads[0], pads[2], pads[3], pads[5]] : pads;
      await expectMatchesOrt({
        op: 'Pad',
        opset,
        inputs: [
          ['X', data],
          ['pads', int64Tensor([p.length], p)],
          ['value', mode === 'constant' ? value : undefined],
          ['axes', withAxes ? int64Tensor([2], [0, -1]) : undefined],
        ],
        constants: ['pads', 'value', 'axes'],
        attrs: { mode },
      });
    });
  }
});

describe('resize vs onnxruntime (random)', () => {
  const r = rng(4242);
  const ctms = [
    'half_pixel',
    'pytorch_half_pixel',
    'align_corners',
    'asymmetric',
    'tf_half_pixel_for_nn',
    'half_pixel_symmetric',
  ];
  const nearestModes = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
  const scaleChoices = [0.5, 0.75, 1.5, 2, 3, 0.6, 1.25];
  for (let t = 0; t < 30; t++) {
    const mode = t < 14 ? 'nearest' : t < 25 ? 'linear' : 'cubic';
    let ctm = ctms[t % ctms.length];
    if (mode === 'nearest' && ctm === 'tf_half_pixel_for_nn' && t % 2) ctm = 'half_pixel';
    if (mode !== 'nearest' && ctm === 'tf_half_pixel_for_nn') ctm = 'asymmetric';
    const dims = [1, randInt(r, 1, 2), randInt(r, 2, 6), randInt(r, 2, 7)];
    const useSizes = t % 3 === 0;
    const scales = [1, 1, scaleChoices[randInt(r, 0, 6)], scaleChoices[randInt(r, 0, 6)]];
    const sizes = [dims[0], dims[1], randInt(r, 1, 9), randInt(r, 1, 9)];
    const attrs: Record<string, AttrInput> = { mode, coordinate_transformation_mode: ctm };
    if (mode === 'nearest') attrs.nearest_mode = nearestModes[t % 4];
    if (mode === 'cubic' && t % 2) attrs.exclude_outside = 1;
    if (mode === 'cubic' && t % 3 === 1) attrs.cubic_coeff_a = { float: -0.5 };
    const opset = ctm === 'half_pixel_symmetric' ? 19 : [11, 13, 18][t % 3];
    it(`Resize opset ${opset} ${mode} ${ctm} x=[${dims}] ${useSizes ? `sizes=[${sizes}]` : `scales=[${scales}]`} ${JSON.stringify(attrs)}`, async () => {
      await expectMatchesOrt(
        {
          op: 'Resize',
          opset,
          inputs: [
            ['X', randomFloats(r, dims)],
            ['roi', opset < 13 ? f32([0], []) : undefined],
            ['scales', useSizes ? (opset < 13 ? f32([0], []) : undefined) : f32([4], scales)],
            ['sizes', useSizes ? int64Tensor([4], sizes) : undefined],
          ],
          constants: ['roi', 'scales', 'sizes'],
          attrs,
        },
        1e-5,
        1e-6,
      );
    });
  }
  it('Resize opset 10 nearest and linear (scales input)', async () => {
    for (const [mode, scales] of [
      ['nearest', [1, 1, 2.5, 0.5]],
      ['nearest', [1, 1, 0.6, 1.5]],
      ['linear', [1, 1, 1.5, 2]],
    ] as const) {
      await expectMatchesOrt({
        op: 'Resize',
        opset: 10,
        inputs: [
          ['X', randomFloats(r, [1, 2, 5, 6])],
          ['scales', f32([4], scales)],
        ],
        constants: ['scales'],
        attrs: { mode },
      });
    }
  });
  it('Resize tf_crop_and_resize with extrapolation, keep_aspect_ratio_policy, axes (opset 18)', async () => {
    const x = randomFloats(r, [1, 1, 5, 7]);
    await expectMatchesOrt({
      op: 'Resize',
      opset: 13,
      inputs: [
        ['X', x],
        ['roi', f32([8], [0, 0, -0.2, 0.1, 1, 1, 0.9, 1.3])],
        ['scales', undefined],
        ['sizes', int64Tensor([4], [1, 1, 4, 6])],
      ],
      constants: ['roi', 'sizes'],
      attrs: {
        mode: 'linear',
        coordinate_transformation_mode: 'tf_crop_and_resize',
        extrapolation_value: { float: -3.5 },
      },
    });
    for (const policy of ['not_larger', 'not_smaller']) {
      await expectMatchesOrt({
        op: 'Resize',
        opset: 18,
        inputs: [
          ['X', x],
          ['roi', undefined],
          ['scales', undefined],
          ['sizes', int64Tensor([2], [9, 9])],
        ],
        constants: ['sizes'],
        attrs: { mode: 'nearest', axes: [2, 3], keep_aspect_ratio_policy: policy },
      });
    }
    await expectMatchesOrt({
      op: 'Resize',
      opset: 18,
      inputs: [
        ['X', x],
        ['roi', undefined],
        ['scales', f32([2], [1.5, 0.5])],
      ],
      constants: ['scales'],
      attrs: { mode: 'linear', axes: [-2, -1] },
    });
  });
  it('Resize nearest on uint8 (quantized models resize in the integer domain)', async () => {
    const q = makeTensor(
      'uint8',
      [1, 1, 3, 4],
      Array.from({ length: 12 }, (_, i) => i * 20),
    );
    await expectMatchesOrt({
      op: 'Resize',
      opset: 13,
      inputs: [
        ['X', q],
        ['roi', undefined],
        ['scales', f32([4], [1, 1, 2, 1.5])],
      ],
      constants: ['scales'],
      attrs: { mode: 'nearest' },
    });
  });
});

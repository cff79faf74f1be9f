// Resize with antialias = 1 (opset 18+, kernels/resize/antialias-taps.ts) against onnxruntime-node's
// CPU kernel (upsample_antialias.h): linear and cubic downscaling by 0.5, 0.3 and 0.75 and to
// non-integer size ratios, 2-D, 3-D, 4-D NCHW and NHWC, with and without exclude_outside, every
// coordinate transformation, cubic_coeff_a, keep_aspect_ratio_policy, axes, mixed up/down axes,
// uint8, int8 and int32 data, and random cases.
// Tolerances: float32 |ours - ort| <= 5e-6 * |ort| + 5e-6 for data in [-1, 1] (measured: within
// 2e-6; onnxruntime keeps float32 weights and a float32 intermediate between its two separable
// passes, we sum in float64); integers within 1 (onnxruntime rounds the intermediate of each pass
// to the data type, 8-bit in 22-bit fixed point; we round once; 0 fails, measured).
import { describe, expect, it } from 'vitest';
import { separableSum } from '../../kernels/resize/antialias-taps.js';
import { type ResizeParams, resize, resizePlan } from '../../kernels/resize/resize.ref.js';
import { int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { expectMatchesOrt, randInt, randomFloats, rng, runOurs } from './nn-oracle.helper.js';

type Attrs = Record<string, string | number | number[] | { float: number }>;

interface Case {
  x: Tensor;
  attrs: Attrs;
  scales?: number[];
  sizes?: number[];
  roi?: number[];
}

function oneNode(c: Case) {
  const f32 = (v: number[]) => makeTensor('float32', [v.length], v);
  return {
    op: 'Resize',
    opset: 19,
    inputs: [
      ['X', c.x],
      ['roi', c.roi ? f32(c.roi) : undefined],
      ['scales', c.scales ? f32(c.scales) : undefined],
      ['sizes', c.sizes ? int64Tensor([c.sizes.length], c.sizes) : undefined],
    ] as Array<[string, Tensor | undefined]>,
    constants: ['roi', 'scales', 'sizes'],
    attrs: { antialias: 1, ...c.attrs },
  };
}

async function check(c: Case): Promise<void> {
  const integer = c.x.dtype !== 'float32';
  await expectMatchesOrt(
    oneNode(c),
    integer ? 0 : 5e-6,
    integer ? 1 : 5e-6,
    `Resize antialias ${c.x.dtype} [${c.x.dims}] ${JSON.stringify({ a: c.attrs, s: c.scales, z: c.sizes })}`,
  );
}

/**
 * Smooth integer images: a ramp along the last axis plus noise, kept far enough inside the type's
 * range that the cubic kernel's lobes never leave it. onnxruntime stores the intermediate of its
 * separable passes in the data type, so an overshoot it clamps between passes (hard edges in
 * noise) moves its result by several units from the one-pass float64 sum of ONNX's reference.
 * int8 stays non-negative: onnxruntime 1.30 saturates int8 through its uint8 table, so negative
 * int8 results come out as 0 there (we and ONNX's reference keep them; see the test below).
 */
function ints(r: () => number, dtype: 'uint8' | 'int8' | 'int32', dims: number[]): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const [lo, hi] = dtype === 'uint8' ? [40, 215] : dtype === 'int8' ? [20, 107] : [-60000, 60000];
  const w = dims[dims.length - 1];
  return makeTensor(
    dtype,
    dims,
    Array.from({ length: n }, (_, i) =>
      Math.round(lo + (hi - lo) * (0.7 * ((i % w) / Math.max(1, w - 1)) + 0.3 * r())),
    ),
  );
}

const MODES = ['linear', 'cubic'] as const;
const CTMS = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];

describe('antialiased Resize = onnxruntime', () => {
  it('the ONNX conformance examples (4x4 by 0.6 and to 3x3, linear and cubic)', () => {
    // onnx/backend/test/case/node/resize.py, export_resize_downsample_*_antialias: expected
    // values as printed there (8 digits), so within 1e-6.
    const x = makeTensor(
      'float32',
      [1, 1, 4, 4],
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    const cases: Array<[ResizeParams, number[]]> = [
      [{ mode: 'linear', scales: [1, 1, 0.6, 0.6] }, [2.875, 4.5, 9.375, 11]],
      [
        { mode: 'linear', sizes: [1, 1, 3, 3] },
        [2.3636363, 3.590909, 4.818182, 7.2727275, 8.5, 9.727273, 12.181818, 13.409091, 14.636364],
      ],
      [{ mode: 'cubic', scales: [1, 1, 0.6, 0.6] }, [2.5180721, 4.2858863, 9.589329, 11.357142]],
      [
        { mode: 'cubic', sizes: [1, 1, 3, 3] },
        [1.7750092, 3.1200073, 4.4650054, 7.1550016, 8.5, 9.844998, 12.534994, 13.8799925, 15.224991],
      ],
    ];
    for (const [p, want] of cases) {
      const y = [...(resize(x, { ...p, antialias: true }).data as Float32Array)];
      expect(y.length).toBe(want.length);
      y.forEach((v, i) => {
        expect(Math.abs(v - want[i]), `${JSON.stringify(p)} ${i}`).toBeLessThan(1e-6);
      });
    }
  });

  for (const mode of MODES)
    it(`${mode}: 4-D NCHW by 0.5, 0.3 and 0.75, with and without exclude_outside`, async () => {
      const r = rng(mode.length);
      for (const s of [0.5, 0.3, 0.75])
        for (const exclude of [0, 1])
          await check({
            x: randomFloats(r, [2, 3, 13, 11]),
            attrs: { mode, exclude_outside: exclude },
            scales: [1, 1, s, s],
          });
    });

  for (const mode of MODES)
    it(`${mode}: non-integer size ratios, 2-D and 3-D, NHWC, mixed up and down axes`, async () => {
      const r = rng(10 + mode.length);
      for (const exclude of [0, 1]) {
        const attrs = { mode, exclude_outside: exclude };
        await check({ x: randomFloats(r, [1, 2, 17, 9]), attrs, sizes: [1, 2, 7, 4] });
        await check({ x: randomFloats(r, [23, 10]), attrs, sizes: [6, 7] });
        await check({ x: randomFloats(r, [15, 12]), attrs, scales: [0.3, 0.5] });
        // onnxruntime's cubic mode takes 2-D and 4-D tensors only (3-D cubic: see below).
        if (mode === 'linear') await check({ x: randomFloats(r, [3, 14, 9]), attrs, scales: [1, 0.45, 0.8] });
        await check({ x: randomFloats(r, [1, 12, 10, 3]), attrs, scales: [1, 0.4, 0.75, 1] });
        await check({ x: randomFloats(r, [1, 1, 10, 6]), attrs, scales: [1, 1, 0.35, 1.7] });
      }
    });

  for (const mode of MODES)
    it(`${mode}: every coordinate transformation`, async () => {
      const r = rng(20 + mode.length);
      for (const ctm of CTMS)
        for (const exclude of [0, 1])
          await check({
            x: randomFloats(r, [1, 2, 12, 9]),
            attrs: { mode, coordinate_transformation_mode: ctm, exclude_outside: exclude },
            scales: [1, 1, 0.42, 0.6],
          });
    });

  it('cubic_coeff_a, keep_aspect_ratio_policy and axes', async () => {
    const r = rng(30);
    for (const a of [-0.5, -0.75])
      await check({
        x: randomFloats(r, [1, 1, 16, 16]),
        attrs: { mode: 'cubic', cubic_coeff_a: { float: a } },
        scales: [1, 1, 0.3, 0.55],
      });
    for (const policy of ['not_larger', 'not_smaller'])
      for (const mode of MODES)
        await check({
          x: randomFloats(r, [1, 2, 20, 14]),
          attrs: { mode, keep_aspect_ratio_policy: policy, axes: [2, 3] },
          sizes: [7, 6],
        });
    for (const mode of MODES)
      await check({
        x: randomFloats(r, [2, 1, 9, 15]),
        attrs: { mode, axes: [3, 2] },
        scales: [0.4, 0.7],
      });
  });

  for (const dtype of ['uint8', 'int8', 'int32'] as const)
    for (const mode of MODES)
      it(`${dtype} ${mode}: within one unit`, async () => {
        const r = rng(dtype.length * 7 + mode.length);
        for (const s of [0.5, 0.3, 0.75])
          for (const exclude of [0, 1])
            await check({
              x: ints(r, dtype, [1, 2, 11, 13]),
              attrs: { mode, exclude_outside: exclude },
              scales: [1, 1, s, s],
            });
        await check({ x: ints(r, dtype, [19, 8]), attrs: { mode }, sizes: [6, 5] });
      });

  it('uint8 cubic overshoot saturates to 0 and 255', async () => {
    // A hard edge: the cubic kernel's negative lobes push values past the 8-bit range.
    const x = makeTensor(
      'uint8',
      [1, 1, 4, 16],
      Array.from({ length: 64 }, (_, i) => (i % 16 < 8 ? 0 : 255)),
    );
    await check({ x, attrs: { mode: 'cubic' }, scales: [1, 1, 1, 0.75] });
    const y = runOurs(oneNode({ x, attrs: { mode: 'cubic' }, scales: [1, 1, 1, 0.75] })).get('Y')!;
    expect(Math.min(...(y.data as Uint8Array))).toBe(0);
    expect(Math.max(...(y.data as Uint8Array))).toBe(255);
  });

  it('random shapes, factors, modes and exclude_outside', async () => {
    const r = rng(99);
    for (let t = 0; t < 24; t++) {
      const dims = [randInt(r, 1, 2), randInt(r, 1, 3), randInt(r, 2, 24), randInt(r, 2, 24)];
      // Every resized axis changes length: see the next test for one that keeps it.
      const scale = (n: number) => {
        for (;;) {
          const s = r() < 0.8 ? 0.2 + 0.75 * r() : 1 + r();
          const out = Math.trunc(Math.fround(n * Math.fround(s)));
          if (out !== n && out > 0) return s;
        }
      };
      await check({
        x: randomFloats(r, dims),
        attrs: { mode: MODES[randInt(r, 0, 1)], exclude_outside: randInt(r, 0, 1) },
        scales: [1, 1, scale(dims[2]), scale(dims[3])],
      });
    }
  });

  it('an axis whose scale is not 1 but whose length stays is still interpolated (onnxruntime copies it)', () => {
    // ONNX's reference skips an axis only when its scale is 1 and its length stays; onnxruntime's
    // antialias passes copy any axis whose length stays. Ours follows ONNX: the rows of a 2 x 9
    // image upscaled by 1.35 (still 2 rows) blend, as they do without antialias.
    const x = randomFloats(rng(8), [1, 1, 2, 9]);
    const p = { mode: 'linear', scales: [1, 1, 1.35, 0.5] } as const;
    const a = resize(x, { ...p, antialias: true }).data as Float32Array;
    const rows = [0, 1].map((h) => Array.from(x.data as Float32Array).slice(h * 9, h * 9 + 9));
    const copy = resize(makeTensor('float32', [1, 1, 2, 9], rows.flat()), {
      ...p,
      scales: [1, 1, 1, 0.5],
      antialias: true,
    });
    expect([...a]).not.toEqual([...copy.data]);
  });

  it('int8 keeps negative results (onnxruntime 1.30 saturates them to 0)', () => {
    const x = makeTensor(
      'int8',
      [1, 1, 4, 4],
      [-100, -50, 10, 20, -90, -40, 0, 30, -80, -60, 5, 25, -70, -30, 15, 35],
    );
    const y = resize(x, { mode: 'linear', scales: [1, 1, 0.5, 0.5], antialias: true });
    expect(Math.min(...(y.data as Int8Array))).toBeLessThan(-40);
  });

  it('3-D cubic (which onnxruntime refuses) equals 2-D cubic slice by slice', () => {
    const x = randomFloats(rng(9), [3, 14, 9]);
    for (const excludeOutside of [false, true]) {
      const p = { mode: 'cubic', antialias: true, excludeOutside } as const;
      const y = resize(x, { ...p, scales: [1, 0.45, 0.8] }).data as Float32Array;
      const per = 14 * 9;
      const slices = [0, 1, 2].flatMap((c) => [
        ...(resize(
          makeTensor('float32', [14, 9], Array.from(x.data as Float32Array).slice(c * per, (c + 1) * per)),
          {
            ...p,
            scales: [0.45, 0.8],
          },
        ).data as Float32Array),
      ]);
      expect([...y]).toEqual(slices);
    }
  });

  it('tf_crop_and_resize with extrapolated values', async () => {
    // Coordinates a little outside the input at both ends. (onnxruntime 1.30 stops with
    // 'narrowing_error' when the roi reaches far past the end, e.g. 1.3 here; we extrapolate.)
    const r = rng(40);
    for (const mode of MODES)
      await check({
        x: randomFloats(r, [1, 2, 14, 12]),
        attrs: {
          mode,
          coordinate_transformation_mode: 'tf_crop_and_resize',
          extrapolation_value: { float: 3 },
        },
        sizes: [1, 2, 5, 4],
        roi: [0, 0, -0.2, -0.1, 1, 1, 0.9, 1.1],
      });
  });

  it('the axis-by-axis sum equals the sum over the cartesian product of the taps', () => {
    // Cubic float64 Resize sums over the cartesian product; the same plan summed separably must
    // agree to float64 rounding, extrapolated and excluded (index -1) taps included.
    const r = rng(41);
    const dims = [2, 3, 9, 7];
    const x = makeTensor(
      'float64',
      dims,
      Float64Array.from({ length: 378 }, () => r() - 0.5),
    );
    const cases: ResizeParams[] = [
      { mode: 'cubic', scales: [1, 1.5, 0.7, 2] },
      { mode: 'cubic', excludeOutside: true, sizes: [3, 2, 4, 11] },
      {
        mode: 'cubic',
        coordinateTransformationMode: 'tf_crop_and_resize',
        sizes: [2, 3, 6, 5],
        roi: [0, 0, -0.3, 0.2, 1, 1, 0.8, 1.4],
        extrapolationValue: 9,
      },
    ];
    for (const p of cases) {
      const want = resize(x, p).data as Float64Array;
      const got = separableSum(x.data as Float64Array, dims, resizePlan(dims, p));
      expect(got.length).toBe(want.length);
      got.forEach((v, i) => {
        expect(Math.abs(v - want[i]), `${JSON.stringify(p)} ${i}`).toBeLessThan(1e-12);
      });
    }
  });

  it('nearest ignores antialias (onnxruntime refuses the pair; the spec applies it to linear and cubic)', () => {
    const x = randomFloats(rng(5), [1, 1, 9, 7]);
    const ours = (antialias: number) =>
      runOurs({
        ...oneNode({ x, attrs: { mode: 'nearest' }, scales: [1, 1, 0.4, 0.6] }),
        attrs: { mode: 'nearest', antialias },
      }).get('Y')!;
    expect([...ours(1).data]).toEqual([...ours(0).data]);
  });

  it('upscaling is unchanged by antialias (float32 values within float64-vs-float32 rounding)', () => {
    const x = randomFloats(rng(6), [1, 2, 5, 4]);
    for (const mode of MODES) {
      const a = resize(x, { mode, scales: [1, 1, 2, 1.5], antialias: true }).data as Float32Array;
      const b = resize(x, { mode, scales: [1, 1, 2, 1.5] }).data as Float32Array;
      a.forEach((v, i) => {
        expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-6);
      });
    }
  });
});

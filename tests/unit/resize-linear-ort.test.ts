// Linear Resize (kernels/resize/resize.ref.ts) bit for bit against onnxruntime-node's CPU kernel
// (its taps, float32 products and sums in its order; integers truncated toward zero): uint8, int8,
// int32 and float32, every coordinate transformation, scales and sizes up and down, bilinear and
// trilinear, tf_crop_and_resize with an extrapolation value, random cases.
import { describe, expect, it } from 'vitest';
import { resize } from '../../kernels/resize/resize.ref.js';
import { int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { expectMatchesOrt, randInt, rng } from './nn-oracle.helper.js';

type IntType = 'uint8' | 'int8' | 'int32';

function ints(r: () => number, dtype: IntType, dims: number[]): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const [lo, hi] = dtype === 'uint8' ? [0, 255] : dtype === 'int8' ? [-128, 127] : [-100000, 100000];
  return makeTensor(
    dtype,
    dims,
    Array.from({ length: n }, () => randInt(r, lo, hi)),
  );
}

const CTMS = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];

async function check(
  x: Tensor,
  attrs: Record<string, string | number | { float: number }>,
  scales?: number[],
  sizes?: number[],
  roi?: number[],
) {
  const f32 = (v: number[]) => makeTensor('float32', [v.length], v);
  await expectMatchesOrt(
    {
      op: 'Resize',
      opset: 19,
      inputs: [
        ['X', x],
        ['roi', roi ? f32(roi) : undefined],
        ['scales', scales ? f32(scales) : undefined],
        ['sizes', sizes ? int64Tensor([sizes.length], sizes) : undefined],
      ],
      constants: ['roi', 'scales', 'sizes'],
      attrs: { mode: 'linear', ...attrs },
    },
    0,
    0,
    `Resize ${x.dtype} [${x.dims}] ${JSON.stringify({ attrs, scales, sizes })}`,
  );
}

describe('integer bilinear Resize = onnxruntime bit for bit', () => {
  for (const dtype of ['uint8', 'int8', 'int32'] as const)
    it(`${dtype}: every coordinate transformation, up and down, scales and sizes`, async () => {
      const r = rng(dtype.length * 31);
      for (const ctm of CTMS) {
        await check(ints(r, dtype, [2, 3, 5, 6]), { coordinate_transformation_mode: ctm }, [1, 1, 2, 1.5]);
        await check(ints(r, dtype, [1, 4, 7, 7]), { coordinate_transformation_mode: ctm }, [1, 1, 0.6, 1.7]);
        await check(ints(r, dtype, [5, 8]), { coordinate_transformation_mode: ctm }, undefined, [11, 3]);
        await check(ints(r, dtype, [1, 2, 4, 9]), { coordinate_transformation_mode: ctm }, [1, 1, 3, 3]);
      }
    });

  it('tf_crop_and_resize with extrapolated values', async () => {
    const r = rng(5);
    await check(
      ints(r, 'uint8', [1, 2, 6, 6]),
      { coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: { float: 77 } },
      undefined,
      [1, 2, 5, 7],
      [0, 0, -0.2, 0.3, 1, 1, 0.8, 1.4],
    );
  });

  it('random shapes and scales', async () => {
    const r = rng(77);
    for (let t = 0; t < 16; t++) {
      const dims = [randInt(r, 1, 2), randInt(r, 1, 5), randInt(r, 1, 9), randInt(r, 1, 9)];
      const scales = [
        1,
        1,
        [0.4, 0.5, 1, 1.25, 2, 2.5, 4][randInt(r, 0, 6)],
        [0.3, 0.5, 1, 1.5, 2, 3][randInt(r, 0, 5)],
      ];
      const dtype = (['uint8', 'int8', 'int32'] as const)[t % 3];
      await check(ints(r, dtype, dims), { coordinate_transformation_mode: CTMS[t % CTMS.length] }, scales);
    }
  });

  it('trilinear (3-D and 5-D) as onnxruntime', async () => {
    const r = rng(3);
    for (const dtype of ['uint8', 'int8'] as const) {
      await check(ints(r, dtype, [4, 5, 6]), { coordinate_transformation_mode: 'half_pixel' }, [2, 1.5, 0.5]);
      await check(
        ints(r, dtype, [1, 2, 3, 4, 5]),
        { coordinate_transformation_mode: 'asymmetric' },
        [1, 1, 2, 3, 1.4],
      );
    }
  });

  it("float32 bilinear is onnxruntime's float32 sum exactly, not only within a tolerance", async () => {
    const r = rng(8);
    for (const ctm of CTMS) {
      const n = 2 * 3 * 7 * 5;
      const x = makeTensor(
        'float32',
        [2, 3, 7, 5],
        Array.from({ length: n }, () => (r() - 0.5) * 200),
      );
      await check(x, { coordinate_transformation_mode: ctm }, [1, 1, 1.7, 2.3]);
    }
  });

  it('cubic mode on integers is refused in one line', () => {
    expect(() =>
      resize(ints(rng(1), 'uint8', [1, 1, 4, 4]), { mode: 'cubic', scales: [1, 1, 2, 2] }),
    ).toThrow(/needs a float tensor/);
  });
});

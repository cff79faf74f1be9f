// CumProd on the GPU (kernels/misc/cumulative.wgsl via app/exec/webgpu/lower-extra2.ts) as one-node
// models on the WebGPU executor against the CPU reference (cumulativeRef): f32 within
// (len + 1) * 2^-23 relative (the GPU multiplies in f32, the reference in f64 rounding each output
// once; inputs near 1 keep the products in range), int32 exact (both wrap). Every axis, exclusive
// and reverse; each node must run on the GPU (no CPU fallback).
import { describe, it } from 'vitest';
import { type DType, int64Tensor, type Tensor } from '../../kernels/tensor.js';
import {
  expectNear,
  expectSameTensor,
  type OneNode,
  randInt,
  randomDims,
  randomTensor,
  rng,
  runOurs,
} from '../unit/tensor-oracle.helper.js';
import { runOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

async function check(x: Tensor, axis: number, exclusive: number, reverse: number): Promise<void> {
  const what = `CumProd ${x.dtype} [${x.dims}] axis ${axis} exclusive ${exclusive} reverse ${reverse}`;
  const c: OneNode = {
    op: 'CumProd',
    opset: 26,
    inputs: [
      ['x', x],
      ['axis', int64Tensor([], [axis])],
    ],
    constants: ['axis'],
    outputs: [{ name: 'y', dtype: x.dtype }],
    attrs: { exclusive, reverse },
  };
  const got = (await runOnGpu(c, what)).get('y')!;
  const [want] = runOurs(c);
  const len = x.dims[axis < 0 ? axis + x.dims.length : axis];
  if (x.dtype === 'int32') expectSameTensor(got, want, what);
  else expectNear(got, want, what, (len + 1) * 2 ** -23, 0);
}

describe('CumProd on the GPU vs the CPU reference', () => {
  it('curated: zeros, negatives, inf and NaN propagate as in the reference', async () => {
    const x: Tensor = {
      dtype: 'float32',
      dims: [2, 5],
      data: Float32Array.from([2, -3, 0, 4, 0.5, 1.5, Number.POSITIVE_INFINITY, -1, Number.NaN, 2]),
    };
    for (const [e, r] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ])
      await check(x, 1, e, r);
    await check(x, 0, 1, 0);
  });

  it('int32 wraps as the reference does', async () => {
    const x: Tensor = { dtype: 'int32', dims: [6], data: Int32Array.from([65536, 65536, 3, -7, 2 ** 30, 5]) };
    for (const [e, r] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ])
      await check(x, 0, e, r);
  });

  it('seeded random: every axis, exclusive and reverse, f32 and int32', async () => {
    const r = rng(21);
    for (let n = 0; n < 24; n++) {
      const dtype: DType = n % 3 === 2 ? 'int32' : 'float32';
      const dims = randomDims(r, 1, 4, 6);
      const x =
        dtype === 'int32' ? randomTensor(r, dtype, dims, -9, 9) : randomTensor(r, dtype, dims, 0.5, 1.5);
      if (dtype === 'float32') {
        const d = x.data as Float32Array;
        for (let i = 0; i < d.length; i++) if (r() < 0.3) d[i] = -d[i];
      }
      await check(x, randInt(r, -dims.length, dims.length - 1), randInt(r, 0, 1), randInt(r, 0, 1));
    }
  });
});

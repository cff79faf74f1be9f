// reduce.wgsl (the reduction table) and softmax.wgsl's LogSoftmax against the references on Dawn /
// SwiftShader: random shapes and axes, keepdims, noop, NaN / inf edges. Max/Min exact; the sums in
// f32 sequential order (the reference sums in float64) within 1e-4 relative + 1e-5 absolute.
import { describe, it } from 'vitest';
import { prepareReduce } from '../../kernels/reduce/reduce.js';
import { REDUCE_OPS, reduceRef } from '../../kernels/reduce/reduce.ref.js';
import { prepareSoftmax } from '../../kernels/softmax/softmax.js';
import { logSoftmax } from '../../kernels/softmax/softmax.ref.js';
import { makeTensor } from '../../kernels/tensor.js';
import { expectClose, randomFloats, runOnGpu } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

describe('reduce kernel (f32)', () => {
  for (const op of REDUCE_OPS) {
    it(`${op}: random shapes and axes, keepdims, noop`, async () => {
      const r = rng(op.length * 613 + op.charCodeAt(7));
      const ctx = await gpu();
      for (let k = 0; k < 12; k++) {
        const dims = Array.from({ length: randInt(r, 0, 4) }, () => randInt(r, 1, 6));
        const axes = k === 0 ? undefined : [...dims.keys()].filter(() => r() < 0.5);
        const p = { axes, keepdims: r() < 0.5, noopWithEmptyAxes: k === 1 };
        const lo = op === 'ReduceLogSum' ? 0.1 : op === 'ReduceProd' ? 0.5 : -4;
        const values = randomFloats(
          r,
          dims.reduce((a, b) => a * b, 1),
          lo,
          op === 'ReduceProd' ? 1.5 : 4,
        );
        if (
          k === 2 &&
          values.length > 2 &&
          (op === 'ReduceMax' || op === 'ReduceMin' || op === 'ReduceLogSumExp')
        ) {
          values[0] = Number.NaN;
          values[1] = Number.NEGATIVE_INFINITY;
        }
        const x = makeTensor('float32', dims, values);
        const expected = reduceRef(op, x, p);
        const out = await runOnGpu(ctx, [values], Math.max(4, expected.data.length * 4), async ([xb], y) => {
          const d = await prepareReduce(ctx, xb, y, op, dims, p);
          if (!d) throw new Error('no dispatch');
          return d;
        });
        const exact = op === 'ReduceMax' || op === 'ReduceMin';
        expectClose(
          new Float32Array(out, 0, expected.data.length),
          expected.data as Float32Array,
          exact ? 0 : 1e-4,
          exact ? 0 : 1e-5,
        );
      }
    });
  }

  it('LogSoftmax: every axis and the flattened form', async () => {
    const r = rng(31);
    const ctx = await gpu();
    for (let k = 0; k < 12; k++) {
      const dims = Array.from({ length: randInt(r, 1, 4) }, () => randInt(r, 1, 7));
      const axis = randInt(r, -dims.length, dims.length - 1);
      const coerceTo2d = k % 2 === 0;
      const values = randomFloats(
        r,
        dims.reduce((a, b) => a * b, 1),
        -50,
        50,
      );
      const expected = logSoftmax(makeTensor('float32', dims, values), axis, coerceTo2d).data as Float32Array;
      const out = await runOnGpu(ctx, [values], values.length * 4, ([xb], y) =>
        prepareSoftmax(ctx, xb, y, { dims, axis, coerceTo2d, log: true }),
      );
      expectClose(new Float32Array(out), expected, 1e-4, 1e-5);
    }
  });
});

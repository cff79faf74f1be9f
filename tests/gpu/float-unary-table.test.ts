// unary.wgsl (one pipeline per op of kernels/unary/unary.ref.ts) vs the reference on Dawn /
// SwiftShader: edge values (NaN, +-inf, -0, halves) and 3000 random values per op, with non-default
// attributes where the op has them. The reference itself is checked against onnxruntime-node in
// tests/unit/math-unary.test.ts. Tolerance: 1e-4 relative + 1e-6 absolute (WGSL's exp/log/sin ULP
// bounds; sin/cos have their own range reduction, tested up to |x| = 1e4); Neg, Abs, Sign,
// Floor, Ceil, Round, ThresholdedRelu, Shrink exact.
import { describe, it } from 'vitest';
import { makeTensor } from '../../kernels/tensor.js';
import { prepareUnaryTable } from '../../kernels/unary/unary.js';
import { UNARY_TABLE, type UnaryName, unaryRef } from '../../kernels/unary/unary.ref.js';
import { expectClose, randomFloats, runOnGpu } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

const EDGES = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0,
  -0,
  0.5,
  -0.5,
  1.5,
  2.5,
  -2.5,
];
const EXACT = new Set(['Neg', 'Abs', 'Sign', 'Floor', 'Ceil', 'Round', 'ThresholdedRelu', 'Shrink']);
/** Non-default attributes (a, b) to test with, as f32. */
const ATTRS: Partial<Record<UnaryName, [number, number]>> = {
  Elu: [0.5, 0],
  Selu: [2, 0.5],
  Celu: [2.5, 0],
  ThresholdedRelu: [-0.25, 0],
  Shrink: [1.5, 0.25],
};

describe('unary table kernel (f32)', () => {
  for (const op of Object.keys(UNARY_TABLE) as UnaryName[]) {
    it(`${op}: edges and 3000 random values`, async () => {
      const rand = rng(op.length * 131 + 7);
      // sin/cos also far from 0, where the kernel's range reduction matters.
      const wide = op === 'Sin' || op === 'Cos' ? randomFloats(rand, 1000, -1e4, 1e4) : [];
      const x = Float32Array.from([
        ...EDGES,
        ...randomFloats(rand, 1500, -8, 8),
        ...randomFloats(rand, 1500, -1, 1),
        ...wide,
      ]);
      const def = UNARY_TABLE[op] as { attrs?: readonly (readonly [string, number])[] };
      const [a, b] = ATTRS[op] ?? (def.attrs ?? []).map(([, d]) => Math.fround(d)).concat([0, 0]);
      const expected = unaryRef(op, makeTensor('float32', [x.length], x), a, b).data as Float32Array;
      const ctx = await gpu();
      const out = await runOnGpu(ctx, [x], x.length * 4, ([xb], y) =>
        prepareUnaryTable(ctx, xb, y, { op, count: x.length, a, b }),
      );
      const [rtol, atol] = EXACT.has(op) ? [0, 0] : [1e-4, 1e-6];
      expectClose(new Float32Array(out), expected, rtol, atol);
    });
  }
});

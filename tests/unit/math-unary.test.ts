// The unary table's ops (kernels/unary/unary.ref.ts) on the CPU interpreter against
// onnxruntime-node: random shapes and values at the opsets where each op exists, edge values
// (NaN, +-inf, -0, halves for Round), attributes, Gelu's two modes, and integer Neg/Abs/Sign
// (exact). Floats: within 1e-4 relative (plus 1e-7 absolute near 0, where onnxruntime's
// exp(x) - 1 cancels and our expm1 does not), NaN where onnxruntime has NaN.
import { describe, expect, it } from 'vitest';
import type { DType, Tensor } from '../../kernels/tensor.js';
import { UNARY_OPS, unaryDef } from '../../kernels/unary/unary.ref.js';
import type { AttrInput } from '../helpers/onnx-builder.js';
import {
  expectNear,
  type OneNode,
  randomDims,
  randomTensor,
  rng,
  runOrt,
  runOurs,
} from './tensor-oracle.helper.js';

/** Opsets to test each op at: where it appears, and a recent one. */
const OPSETS: Record<string, number[]> = {
  Celu: [12, 17],
  Mish: [18],
  ThresholdedRelu: [10, 17],
  Shrink: [9, 17],
  Sign: [9, 17],
  Round: [11, 17],
  Gelu: [20],
  Swish: [24],
};

/**
 * Absolute tolerances where onnxruntime's kernel is accurate in absolute terms only: its Swish
 * uses MLAS's logistic approximation (about 1e-7 absolute on the sigmoid), so tiny outputs for
 * large negative inputs differ by more than 1e-4 relative.
 */
const ABS: Record<string, number> = { Swish: 1e-6 };

const ATTRS: Record<string, Record<string, AttrInput>[]> = {
  Elu: [{}, { alpha: { float: 0.5 } }],
  Selu: [{}, { alpha: { float: 2 }, gamma: { float: 0.5 } }],
  Celu: [{}, { alpha: { float: 2.5 } }],
  ThresholdedRelu: [{}, { alpha: { float: -0.25 } }],
  Shrink: [{}, { lambd: { float: 1.5 }, bias: { float: 0.25 } }],
  Gelu: [{}, { approximate: 'none' }, { approximate: 'tanh' }],
};

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
  -1.5,
  1e-6,
  -1e-6,
  20,
  -20,
  88,
  -88,
  1e30,
  -1e30,
];

function node(op: string, opset: number, x: Tensor, attrs?: Record<string, AttrInput>): OneNode {
  return { op, opset, inputs: [['X', x]], outputs: [{ name: 'Y', dtype: x.dtype }], attrs };
}

async function compare(c: OneNode, what: string): Promise<void> {
  const [theirs] = await runOrt(c);
  const [ours] = runOurs(c);
  expectNear(ours, theirs, what, 1e-4, ABS[c.op] ?? 1e-7);
}

describe('unary table ops vs onnxruntime (CPU)', () => {
  for (const op of UNARY_OPS) {
    it(`${op}: random shapes, edge values, attributes`, async () => {
      const r = rng(op.length * 7919 + op.charCodeAt(0));
      for (const opset of OPSETS[op] ?? [Math.max(7, unaryDef(op).since), 13]) {
        for (const attrs of ATTRS[op] ?? [{}]) {
          for (let k = 0; k < 3; k++) {
            const dims = randomDims(r, 0, 4, 5);
            const x = randomTensor(r, 'float32', dims, k === 0 ? -3 : -30, k === 0 ? 3 : 30);
            await compare(node(op, opset, x, attrs), `${op}-${opset} ${JSON.stringify(attrs)} [${dims}]`);
          }
          const edges: Tensor = { dtype: 'float32', dims: [EDGES.length], data: Float32Array.from(EDGES) };
          await compare(node(op, opset, edges, attrs), `${op}-${opset} ${JSON.stringify(attrs)} edges`);
        }
      }
    });
  }

  it('Round is half to even and keeps -0', async () => {
    const x = Float32Array.from([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999998, -0.3, 8388607.5, 1e20]);
    const [y] = runOurs(node('Round', 11, { dtype: 'float32', dims: [x.length], data: x }));
    expect(Array.from(y.data as Float32Array)).toEqual([
      0,
      2,
      2,
      -0,
      -2,
      -2,
      2,
      -0,
      8388608,
      Math.fround(1e20),
    ]);
  });

  for (const dtype of ['int8', 'int32', 'int64'] as DType[]) {
    it(`Neg, Abs, Sign on ${dtype} equal onnxruntime exactly (wrapping at the minimum)`, async () => {
      const r = rng(17);
      const lo = dtype === 'int8' ? -128 : -(2 ** 31);
      for (const op of ['Neg', 'Abs', 'Sign']) {
        const x = randomTensor(r, dtype, [3, 5], -100, 100);
        if (x.data instanceof BigInt64Array) x.data[0] = -(2n ** 63n);
        else (x.data as Int32Array)[0] = lo;
        const c = node(op, 13, x);
        const [theirs] = await runOrt(c);
        const [ours] = runOurs(c);
        expect(ours.dtype).toBe(theirs.dtype);
        expect(Array.from(ours.data as ArrayLike<number>), `${op} ${dtype}`).toEqual(
          Array.from(theirs.data as ArrayLike<number>),
        );
      }
    });
  }

  it('refuses Gelu with an unknown approximate mode in one line', () => {
    const x: Tensor = { dtype: 'float32', dims: [2], data: Float32Array.from([1, 2]) };
    expect(() => runOurs(node('Gelu', 20, x, { approximate: 'fast' }))).toThrow(
      /\(Gelu\): approximate 'fast' is not supported/,
    );
  });
});

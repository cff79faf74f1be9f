// float16 ops one node at a time on the WebGPU executor (widened to f32 storage by
// app/exec/webgpu/widen-float16.ts): every unary table op, every reduce, the pools, norms,
// Einsum, Mod, Sum, Max, Where, movement ops and the ops with bool / int64 outputs plan no CPU
// fallback and match the CPU interpreter within 2 float16 ulps (1e-3 absolute near zero);
// integer / bool outputs exactly.
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { floatTensor } from '../../kernels/activation/float-io.js';
import { REDUCE_OPS } from '../../kernels/reduce/reduce.ref.js';
import { int64Tensor, type Tensor } from '../../kernels/tensor.js';
import { UNARY_OPS } from '../../kernels/unary/unary.ref.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { expectFloat16Near, f16Random } from './float16-helpers.js';
import { runModelOnGpu } from './extra-ops.helper.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

/** One node with float16 inputs and one float16 (or other) output, checked on the GPU. */
interface OpCase {
  readonly op: string;
  readonly inputs: readonly (readonly number[])[];
  readonly attrs?: Record<string, number | number[] | string>;
  /** Input value range (default [-2, 2]). */
  readonly range?: readonly [number, number];
  /** Extra constant inputs after the float16 ones. */
  readonly consts?: Record<string, Tensor>;
  readonly opset?: number;
  /** The output's dtype when not float16. */
  readonly out?: 'bool' | 'int64';
}

const UNARY_CASES: OpCase[] = UNARY_OPS.map((op) => {
  const positive = ['Log', 'Acosh'].includes(op);
  const unit = ['Asin', 'Acos', 'Atanh'].includes(op);
  return {
    op,
    inputs: [[3, 17]],
    range: positive ? ([1.1, 4] as const) : unit ? ([-0.9, 0.9] as const) : ([-3, 3] as const),
    opset: 22,
  };
});

const OP_CASES: OpCase[] = [
  ...UNARY_CASES,
  ...REDUCE_OPS.map((op) => ({
    op,
    inputs: [[2, 5, 6]],
    attrs: { axes: [1], keepdims: 1 },
    range: op === 'ReduceLogSum' ? ([0.1, 2] as const) : ([-2, 2] as const),
    opset: 17,
  })),
  { op: 'Sub', inputs: [[4, 5], [5]] },
  {
    op: 'Div',
    inputs: [
      [4, 5],
      [4, 5],
    ],
    range: [0.5, 3],
  },
  {
    op: 'Pow',
    inputs: [
      [4, 5],
      [4, 5],
    ],
    range: [0.5, 2],
  },
  { op: 'Sqrt', inputs: [[4, 5]], range: [0, 5] },
  {
    op: 'PRelu',
    inputs: [
      [2, 3, 4],
      [3, 4],
    ],
  },
  { op: 'HardSwish', inputs: [[30]], range: [-5, 5] },
  {
    op: 'Clip',
    inputs: [[30]],
    consts: { lo: floatTensor('float16', [], [-0.7]), hi: floatTensor('float16', [], [1.3]) },
  },
  { op: 'AveragePool', inputs: [[1, 2, 6, 6]], attrs: { kernel_shape: [3, 3], strides: [1, 1] } },
  { op: 'GlobalAveragePool', inputs: [[1, 3, 5, 5]] },
  { op: 'LpPool', inputs: [[1, 2, 6, 6]], attrs: { kernel_shape: [2, 2], strides: [2, 2], p: 2 } },
  { op: 'LogSoftmax', inputs: [[3, 9]], attrs: { axis: 1 } },
  { op: 'InstanceNormalization', inputs: [[2, 3, 8], [3], [3]] },
  { op: 'GroupNormalization', inputs: [[2, 4, 6], [4], [4]], attrs: { num_groups: 2 }, opset: 21 },
  { op: 'RMSNormalization', inputs: [[2, 3, 8], [8]], attrs: { axis: -1 }, opset: 23 },
  { op: 'LpNormalization', inputs: [[3, 8]], attrs: { axis: 1, p: 2 } },
  { op: 'LRN', inputs: [[1, 5, 3, 3]], attrs: { size: 3 } },
  { op: 'MeanVarianceNormalization', inputs: [[2, 3, 4, 4]] },
  {
    op: 'Einsum',
    inputs: [
      [3, 4],
      [4, 5],
    ],
    attrs: { equation: 'ij,jk->ik' },
  },
  {
    op: 'Mod',
    inputs: [
      [4, 5],
      [4, 5],
    ],
    attrs: { fmod: 1 },
    range: [0.5, 9],
  },
  {
    op: 'Sum',
    inputs: [
      [4, 5],
      [4, 5],
    ],
  },
  { op: 'Max', inputs: [[4, 5], [5]] },
  {
    op: 'Where',
    inputs: [
      [4, 5],
      [4, 5],
    ],
    consts: {},
  },
  {
    op: 'Concat',
    inputs: [
      [2, 3],
      [2, 4],
    ],
    attrs: { axis: 1 },
  },
  { op: 'Transpose', inputs: [[2, 3, 4]], attrs: { perm: [2, 0, 1] } },
  { op: 'Tile', inputs: [[2, 3]], consts: { reps: int64Tensor([2], [2, 3]) } },
  {
    op: 'Pad',
    inputs: [[2, 3]],
    consts: { pads: int64Tensor([4], [1, 0, 2, 1]), v: floatTensor('float16', [], [0.3]) },
  },
  { op: 'Hardmax', inputs: [[3, 7]], attrs: { axis: 1 } },
  { op: 'ArgMax', inputs: [[3, 7]], attrs: { axis: 1 }, out: 'int64' },
  { op: 'Less', inputs: [[3, 7], [7]], out: 'bool' },
  { op: 'IsNaN', inputs: [[3, 7]], out: 'bool' },
];

describe('float16 ops on the WebGPU executor (one node each, vs the CPU interpreter)', () => {
  for (const c of OP_CASES) {
    it(`${c.op} plans on the GPU and matches within 2 float16 ulps`, async () => {
      const r = rng(c.op.length * 131 + c.inputs.length);
      const [lo, hi] = c.range ?? [-2, 2];
      const names = c.inputs.map((_, i) => `x${i}`);
      const feeds = new Map<string, Tensor>(names.map((n, i) => [n, f16Random(r, [...c.inputs[i]], lo, hi)]));
      let nodeInputs = [...names, ...Object.keys(c.consts ?? {})];
      const initializers: Record<string, Tensor> = { ...c.consts };
      if (c.op === 'Where') {
        initializers.cond = { dtype: 'bool', dims: [5], data: Uint8Array.from([1, 0, 0, 1, 1]) };
        nodeInputs = ['cond', ...names];
      }
      const model = decodeModel(
        buildModel({
          opset: c.opset ?? 18,
          inputs: names.map((n, i) => ({ name: n, dtype: 'float16' as const, dims: [...c.inputs[i]] })),
          outputs: [{ name: 'y', dtype: c.out ?? 'float16' }],
          initializers,
          nodes: [{ op: c.op, inputs: nodeInputs, outputs: ['y'], attrs: c.attrs }],
        }),
      );
      const { got, want } = await runModelOnGpu(model, feeds);
      if (c.out) expect(got.get('y')).toEqual(want.get('y'));
      else expectFloat16Near(got.get('y')!, want.get('y')!, c.op);
    });
  }
});

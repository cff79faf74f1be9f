// bfloat16 in float ops without a bfloat16 path of their own (app/exec/cpu/bfloat16-via-float32.ts):
// per op, a bfloat16 case (tests/fixtures/onnx-reference/bfloat16.json, unary, binary, MatMul,
// Conv, pools, reductions) equals the float32 reference on the widened inputs rounded to bfloat16
// and, bit for bit, onnx.reference.ReferenceEvaluator's bfloat16 output. Softmax, LogSoftmax,
// Sigmoid, Softsign, LeakyRelu, Selu, ReduceSum / Mean / L1 / SumSquare / Prod and Attention (causal, float / bool / short masks, scale,
// grouped heads, nonpad_kv_seqlen) follow the reference's numpy steps and equal it bit for bit
// too (so does Gemm). Ops whose reference rounds intermediates in ways not emulated (Gelu, HardSwish,
// ReduceLogSum, CumSum; Elu with an alpha that is not a power of two; Attention with softcap; Sum /
// Mean of three inputs) refuse in one line. Comparisons, ArgMax/ArgMin, GlobalMaxPool, NonZero,
// Unique and Pad (which used to read the raw codes) are among the cases, with -0, NaN, infinities.
import { describe, expect, it } from 'vitest';
import { castRef } from '../../kernels/shape-ops/cast.ref.js';
import { elementAsNumber, int64Tensor, type Tensor } from '../../kernels/tensor.js';
import { runOurs } from './nn-oracle.helper.js';
import { loadCases, oneNodeCase, tensorOf } from './onnx-reference.helper.js';
import { randomTensor, rng } from './tensor-oracle.helper.js';

const values = (t: Tensor) => Array.from({ length: t.data.length }, (_, i) => elementAsNumber(t, i));

describe('bfloat16 through float32 vs the ONNX reference', () => {
  for (const c of loadCases('bfloat16.json'))
    it(`${c.op} ${c.inputs.map((t) => `[${t.dims}]`).join(' ')}`, () => {
      const ours = runOurs(oneNodeCase(c)).get('y')!;
      expect(ours.dtype).toBe(c.output.dtype);
      const want = tensorOf(c.output);
      expect([...ours.dims]).toEqual([...want.dims]);
      expect(values(ours)).toEqual(values(want));
      // Softmax and Attention are emulated step by step (see softmax-bf16.ref.ts): nothing more.
      if ((c as { stepwise?: boolean }).stepwise) return;
      // The same op on float32 inputs (rounded to bfloat16 when the output is) gives the same bits.
      const f32Case = oneNodeCase(c);
      f32Case.inputs = f32Case.inputs.map(([n, t]) => [
        n,
        t?.dtype === 'bfloat16' ? castRef(t, 'float32') : t,
      ]);
      f32Case.outputs = [{ name: 'y', dtype: c.output.dtype === 'bfloat16' ? 'float32' : c.output.dtype }];
      const wide = runOurs(f32Case).get('y')!;
      if (c.output.dtype === 'bfloat16')
        expect(Array.from(ours.data as Uint16Array)).toEqual(
          Array.from(castRef(wide, 'bfloat16').data as Uint16Array),
        );
      else expect(values(ours)).toEqual(values(wide));
    });
});

describe('ops whose ONNX reference rounds intermediates to bfloat16 keep refusing it', () => {
  const r = rng(3);
  const bf = (dims: number[]) => castRef(randomTensor(r, 'float32', dims, -1, 1), 'bfloat16');
  const cases: Array<[string, number, Array<[string, Tensor]>]> = [
    ['Gelu', 20, [['x', bf([2, 5])]]],
    ['HardSwish', 14, [['x', bf([2, 5])]]],
    // These read the codes as integers before (a wrong result, no refusal).
    ['ReduceLogSum', 13, [['x', bf([2, 5])]]],
    [
      'CumSum',
      14,
      [
        ['x', bf([2, 5])],
        ['axis', int64Tensor([], [1])],
      ],
    ],
  ];
  for (const [op, opset, inputs] of cases)
    it(op, () => {
      expect(() => runOurs({ op, opset, inputs, outputs: [{ name: 'y', dtype: 'bfloat16' }] })).toThrow(
        /bfloat16 tensors are not supported/,
      );
    });
  it('Elu with an alpha that is not a power of two, Sum / Mean of three inputs, Attention with softcap', () => {
    const x = bf([2, 5]);
    const run = (op: string, n: number, attrs = {}) =>
      runOurs({
        op,
        opset: 13,
        inputs: Array.from({ length: n }, (_, i): [string, Tensor] => [`x${i}`, x]),
        outputs: [{ name: 'y', dtype: 'bfloat16' }],
        attrs,
      });
    expect(() => run('Elu', 1, { alpha: 0.7 })).toThrow(/alpha 0.69.*not a power of two.*not supported/);
    expect(() => run('Sum', 3)).toThrow(/more than two inputs is not supported/);
    expect(() => run('Mean', 3)).toThrow(/more than two inputs is not supported/);
    expect(run('Sum', 2).get('y')!.dtype).toBe('bfloat16');
    const qkv: Array<[string, Tensor]> = ['q', 'k', 'v'].map((n) => [n, bf([1, 2, 3, 4])]);
    expect(() =>
      runOurs({
        op: 'Attention',
        opset: 23,
        inputs: qkv,
        outputs: [{ name: 'y', dtype: 'bfloat16' }],
        attrs: { softcap: 2 },
      }),
    ).toThrow(/bfloat16 with softcap or softmax_precision is not supported/);
  });
});

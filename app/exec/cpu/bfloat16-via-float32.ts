// bfloat16 for float ops that have no bfloat16 path of their own: the bfloat16 inputs are widened
// to float32 (exact), the float32 reference runs, and when input 0 (the op's T) was bfloat16 its
// float32 outputs are rounded back to bfloat16 (nearest even, as Cast). ONNX's reference runs
// numpy on ml_dtypes.bfloat16, which computes each numpy call in float32 and rounds its result:
// for the ops below that is one call (or an exact one after it), so one rounding here gives the
// same bits; ops whose reference rounds intermediates to bfloat16 (Gemm, Sigmoid, LeakyRelu,
// LogSoftmax, the normalizations, AveragePool, most reductions ...) differ in the
// last bit (beyond the ONNX conformance data's 1e-3 tolerance) and keep refusing bfloat16. The
// list is checked bit for bit against onnx.reference in tests/unit/bfloat16-via-float32.test.ts.
// Softmax, LogSoftmax, Sigmoid, Softsign, LeakyRelu, Selu, Gemm, ReduceSum / Mean / L1 /
// SumSquare / Prod (STEPWISE here) and Attention (its CPU op) instead follow the reference's numpy steps, each rounded to bfloat16 (or float32).

import {
  activationBfloat16Ref,
  logSoftmaxBfloat16Ref,
} from '../../../kernels/activation/bf16-stepwise.ref.js';
import { gemmBfloat16Ref } from '../../../kernels/matmul/gemm-bf16.ref.js';
import { type Bfloat16Reduction, reduceBfloat16Ref } from '../../../kernels/reduce/reduce-bf16.ref.js';
import { castRef } from '../../../kernels/shape-ops/cast.ref.js';
import { softmaxBfloat16Ref } from '../../../kernels/softmax/softmax-bf16.ref.js';
import { type Tensor, toNumbers } from '../../../kernels/tensor.js';
import { attrFloat, attrInt } from '../../model/attributes.js';
import { ModelError } from '../../model/errors.js';
import { type CpuOp, type OpContext, optional } from './op-types.js';
import { reduceParams } from './ops/reduce.js';

export const BFLOAT16_VIA_FLOAT32: ReadonlySet<string> = new Set([
  // unary math and activations
  'Abs',
  'Acos',
  'Acosh',
  'Asin',
  'Asinh',
  'Atan',
  'Atanh',
  'Ceil',
  'Cos',
  'Cosh',
  'Erf',
  'Exp',
  'Floor',
  'Log',
  'Neg',
  'Reciprocal',
  'Relu',
  'Round',
  'Sign',
  'Sin',
  'Sinh',
  'Sqrt',
  'Tan',
  'Tanh',
  'Softplus',
  'Elu',
  'Celu',
  'ThresholdedRelu',
  'HardSigmoid',
  // elementwise binary / variadic
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Mod',
  'Max',
  'Min',
  'Mean',
  'Sum',
  'PRelu',
  'Clip',
  // one float32 dot product per output (ml_dtypes' bfloat16 dot accumulates in float32)
  'MatMul',
  'Conv',
  // comparisons and selections: exact in any precision. Before, these compared the raw bfloat16
  // codes (wrong for negatives, -0 and NaN). (NonZero and Unique decode codes in their refs.)
  'MaxPool',
  'GlobalMaxPool',
  'Hardmax',
  'ReduceMax',
  'ReduceMin',
  'ArgMax',
  'ArgMin',
  'Equal',
  'Less',
  'LessOrEqual',
  'Greater',
  'GreaterOrEqual',
]);

/**
 * Ops whose reference path would read bfloat16 codes as integers (and give a wrong answer), and
 * whose ONNX reference rounds its partial results in ways not emulated here: they refuse bfloat16.
 */
const BFLOAT16_REFUSED: ReadonlySet<string> = new Set(['CumSum', 'ReduceLogSum', 'ReduceLogSumExp']);

/** Opset 13+ (bfloat16's first Softmax / LogSoftmax): one axis, default -1. */
const softmaxAxis = (ctx: OpContext): number => {
  if (ctx.opset < 13)
    throw new ModelError(`node '${ctx.node.name}' (${ctx.node.opType}): bfloat16 needs opset 13`);
  return attrInt(ctx.node, 'axis', -1);
};

/** A reduction's axes / keepdims / noop flag (ReduceMean takes its axes as an input from 18, like L1). */
const reduceAxes = (ctx: OpContext, name: Bfloat16Reduction) =>
  reduceParams(name === 'ReduceMean' ? 'ReduceL1' : name, ctx.opset, ctx.node, () => {
    const t = optional(ctx, 1);
    return t ? toNumbers(t) : undefined;
  });

/** Ops emulated step by step in bfloat16, as ONNX's reference rounds them (not via float32). */
const STEPWISE: Readonly<Record<string, (ctx: OpContext, x: Tensor) => Tensor>> = {
  Softmax: (ctx, x) => softmaxBfloat16Ref(x, softmaxAxis(ctx)),
  LogSoftmax: (ctx, x) => logSoftmaxBfloat16Ref(x, softmaxAxis(ctx)),
  Sigmoid: (_, x) => activationBfloat16Ref('Sigmoid', x),
  Softsign: (_, x) => activationBfloat16Ref('Softsign', x),
  LeakyRelu: (ctx, x) => activationBfloat16Ref('LeakyRelu', x, attrFloat(ctx.node, 'alpha', 0.01)),
  ReduceSum: (ctx, x) => reduceBfloat16Ref('ReduceSum', x, reduceAxes(ctx, 'ReduceSum')),
  ReduceMean: (ctx, x) => reduceBfloat16Ref('ReduceMean', x, reduceAxes(ctx, 'ReduceMean')),
  ReduceL1: (ctx, x) => reduceBfloat16Ref('ReduceL1', x, reduceAxes(ctx, 'ReduceL1')),
  ReduceSumSquare: (ctx, x) => reduceBfloat16Ref('ReduceSumSquare', x, reduceAxes(ctx, 'ReduceSumSquare')),
  ReduceProd: (ctx, x) => reduceBfloat16Ref('ReduceProd', x, reduceAxes(ctx, 'ReduceProd')),
  Gemm: (ctx, x) => {
    const b = ctx.inputs[1];
    const c = ctx.inputs[2];
    if (b?.dtype !== 'bfloat16' || (c && c.dtype !== 'bfloat16'))
      throw new ModelError(`node '${ctx.node.name}' (Gemm): mixed bfloat16 inputs are not supported`);
    return gemmBfloat16Ref(x, b, c?.data.length ? c : undefined, {
      alpha: attrFloat(ctx.node, 'alpha'),
      beta: attrFloat(ctx.node, 'beta'),
      transA: attrInt(ctx.node, 'transA') !== 0,
      transB: attrInt(ctx.node, 'transB') !== 0,
    });
  },
  Selu: (ctx, x) =>
    activationBfloat16Ref('Selu', x, attrFloat(ctx.node, 'alpha'), attrFloat(ctx.node, 'gamma')),
};

const isPowerOfTwo = (v: number) =>
  v !== 0 && Number.isFinite(v) && 2 ** Math.round(Math.log2(Math.abs(v))) === Math.abs(v);

/**
 * Why a node of the list above would not match ONNX's reference in bfloat16, if it would not:
 * Elu scales expm1's bfloat16 result by alpha (a float32 scalar there) and rounds again, which
 * equals one rounding only for a power-of-two alpha (Celu and HardSigmoid, whose float32 scalars
 * carry the whole computation to float32, round once); Sum / Mean of more than two inputs round
 * each partial sum.
 */
function mismatch(ctx: OpContext): string | undefined {
  const { node } = ctx;
  if (node.opType === 'Elu') {
    const alpha = attrFloat(node, 'alpha', 1);
    if (!isPowerOfTwo(alpha)) return `bfloat16 with alpha ${alpha} (not a power of two) is not supported`;
  }
  if ((node.opType === 'Sum' || node.opType === 'Mean') && ctx.inputs.length > 2)
    return `bfloat16 with more than two inputs is not supported`;
  return undefined;
}

/** `op` as is, or (for the ai.onnx ops above) with bfloat16 computed through float32 or refused. */
export function viaFloat32ForBfloat16(
  domain: string,
  opType: string,
  op: CpuOp | undefined,
): CpuOp | undefined {
  if (!op || (domain !== '' && domain !== 'ai.onnx')) return op;
  if (BFLOAT16_REFUSED.has(opType))
    return (ctx) => {
      if (ctx.inputs.some((t) => t?.dtype === 'bfloat16'))
        throw new ModelError(
          `node '${ctx.node.name}' (${opType}): bfloat16 tensors are not supported by this op`,
        );
      return op(ctx);
    };
  const stepwise = STEPWISE[opType];
  if (stepwise)
    return (ctx) => {
      const x = ctx.inputs[0];
      if (x?.dtype !== 'bfloat16') return op(ctx);
      return [stepwise(ctx, x)];
    };
  if (!BFLOAT16_VIA_FLOAT32.has(opType)) return op;
  return (ctx) => {
    if (!ctx.inputs.some((t) => t?.dtype === 'bfloat16')) return op(ctx);
    const why = mismatch(ctx);
    if (why) throw new ModelError(`node '${ctx.node.name}' (${ctx.node.opType}): ${why}`);
    const inputs = ctx.inputs.map((t) => (t?.dtype === 'bfloat16' ? castRef(t, 'float32') : t));
    const outputs = op({ ...ctx, inputs });
    if (ctx.inputs[0]?.dtype !== 'bfloat16') return outputs;
    return outputs.map((t) => (t?.dtype === 'float32' ? castRef(t, 'bfloat16') : t));
  };
}

// What a CPU op implementation sees. Adapters in app/exec/cpu/ops/ read attributes and call the
// pure reference functions in kernels/<op>/<op>.ref.ts, where each op's meaning is written once.
import type { AccumulatorMode } from '../../../kernels/quant-math/accumulator.js';
import type { RequantScheme } from '../../../kernels/requantize/requantize.ref.js';
import type { Tensor } from '../../../kernels/tensor.js';
import type { GraphNode } from '../../model/ir.js';

/**
 * How integer kernels accumulate. `exact`: the ONNX meaning (exact int32 sums). `x86-u8s8-pairwise`:
 * uint8 x int8 products summed in int16-saturated pairs, as onnxruntime's MLAS does on x86 CPUs
 * without VNNI (VPMADDUBSW); `auto` picks what onnxruntime does on this host.
 */
export type IntegerAccumulation = 'exact' | 'x86-u8s8-pairwise';

/**
 * What one integer conv / matmul node's accumulators did in one run (app/exec/accumulator-stats.ts
 * computes it the same way on both backends).
 */
export interface AccumulatorStats {
  /** Accumulators that overflowed the mode (wrapped, or saturated at least once). */
  readonly overflowCount: number;
  /** The largest |exact accumulator| (unbounded, bias included), capped at 2^32 - 1 as the GPU's u32. */
  readonly maxAbs: number;
  /** The largest |acc| the node's mode holds: 2^31-1 (int32), 2^(N-1)-1 (wrap/sat N), 32767 (pairwise, per pair). */
  readonly limit: number;
  /** Accumulators computed (output elements of the node). */
  readonly count: number;
}

export interface ExecSettings {
  readonly integerAccumulation: IntegerAccumulation;
  /**
   * A simulated accumulator for QLinearConv, QLinearMatMul, com.microsoft QGemm, ConvInteger and
   * MatMulInteger; it overrides `integerAccumulation`. int32 / wrap N / saturate N apply to every
   * one of those nodes; 'pairwise-int16-saturate' applies only where onnxruntime's MLAS pairs
   * uint8 x int8 on x86 without VNNI (pairsU8S8; not depthwise convs, not ConvInteger), the
   * others then sum exactly in int32. Absent: `integerAccumulation` decides, as before.
   */
  readonly accumulator?: AccumulatorMode;
  /** How QLinearConv / QLinearMatMul / QGemm (with y_scale) requantize. Absent: onnxruntime's f32 rule. */
  readonly requantize?: RequantScheme;
  /**
   * Called once per run for each integer conv / matmul node with its accumulator statistics: by
   * the CPU ops as the node runs (the CPU interpreter, and nodes the WebGPU executor leaves to the
   * CPU), and for GPU nodes after the run's last submit, in plan order. Costs the GPU its fastest
   * (packed) kernels while set. A node whose inputs are all constant is folded when the WebGPU
   * executor plans, and reports then, not per run.
   */
  readonly onAccumulatorStats?: (nodeName: string, stats: AccumulatorStats) => void;
}

export const DEFAULT_SETTINGS: ExecSettings = { integerAccumulation: 'exact' };

export interface OpContext {
  readonly node: GraphNode;
  /** Inputs in node order; `undefined` for an omitted optional input. */
  readonly inputs: readonly (Tensor | undefined)[];
  /** The opset version of the node's domain in this model. */
  readonly opset: number;
  /**
   * Which inputs are constant initializers (onnxruntime prepacks constant GEMM weights, which
   * changes its float summation order). Absent: none known to be constant.
   */
  readonly constantInputs?: readonly boolean[];
  /** Absent: DEFAULT_SETTINGS. */
  readonly settings?: ExecSettings;
}

export type CpuOp = (ctx: OpContext) => Tensor[];

/** An op table keyed `<domain>::<opType>` ('' domain for ai.onnx). */
export type OpTable = Readonly<Record<string, CpuOp>>;

export function opKey(domain: string, opType: string): string {
  return `${domain === 'ai.onnx' ? '' : domain}::${opType}`;
}

/** Input i, which the op requires. */
export function required(ctx: OpContext, i: number): Tensor {
  const t = ctx.inputs[i];
  if (!t) throw new Error(`node '${ctx.node.name}' (${ctx.node.opType}) is missing required input ${i}`);
  return t;
}

/** Input i, or `undefined` when omitted or empty (ONNX also uses empty tensors for "not given"). */
export function optional(ctx: OpContext, i: number): Tensor | undefined {
  const t = ctx.inputs[i];
  return t && t.data.length > 0 ? t : undefined;
}

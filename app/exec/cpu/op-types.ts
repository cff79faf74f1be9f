// What a CPU op implementation sees. Adapters in app/exec/cpu/ops/ read attributes and call the
// pure reference functions in kernels/<op>/<op>.ref.ts, where each op's meaning is written once.
import type { Tensor } from '../../../kernels/tensor.js';
import type { GraphNode } from '../../model/ir.js';

/**
 * How integer kernels accumulate. `exact`: the ONNX meaning (exact int32 sums). `x86-u8s8-pairwise`:
 * uint8 x int8 products summed in int16-saturated pairs, as onnxruntime's MLAS does on x86 CPUs
 * without VNNI (VPMADDUBSW); `auto` picks what onnxruntime does on this host.
 */
export type IntegerAccumulation = 'exact' | 'x86-u8s8-pairwise';

export interface ExecSettings {
  readonly integerAccumulation: IntegerAccumulation;
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

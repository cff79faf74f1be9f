// Which accumulator an integer conv / matmul node runs with under the execution settings, and the
// statistics it reports: one rule shared by the CPU ops (app/exec/cpu/ops/quant-int8.ts, qgemm.ts)
// and the WebGPU lowering (app/exec/webgpu/lower-int8-gemm.ts), so both backends pick the same
// mode for the same node and report the same numbers.
import {
  type AccumulatorMode,
  INT32_ACCUMULATOR,
  MAX_ABS_U32,
  validateAccumulatorMode,
} from '../../kernels/quant-math/accumulator.js';
import type { AccumulatorStats, ExecSettings } from './cpu/op-types.js';
import { pairsU8S8 } from './host-integer-accumulation.js';

export const PAIRWISE_ACCUMULATOR: AccumulatorMode = { kind: 'pairwise-int16-saturate' };

/**
 * The kinds of integer node. onnxruntime never runs ConvInteger through its U8S8 kernel (uint8
 * only; its GEMM takes the weights as A), and depthwise convs use exact kernels: neither pairs.
 */
export type IntegerNodeKind = 'qlinear-conv' | 'conv-integer' | 'matmul';

export interface IntegerNode {
  readonly kind: IntegerNodeKind;
  /** Activation (A / x) and weight (B / w) element types. */
  readonly xType: string;
  readonly wType: string;
  /** A conv with one input and one output channel per group (MLAS depthwise). */
  readonly depthwise?: boolean;
}

/** The accumulator of one node (see ExecSettings.accumulator for the rule). */
export function nodeAccumulator(settings: ExecSettings | undefined, node: IntegerNode): AccumulatorMode {
  const chosen = settings?.accumulator;
  if (chosen && chosen.kind !== 'pairwise-int16-saturate') {
    validateAccumulatorMode(chosen);
    return chosen;
  }
  const rule = chosen ? 'x86-u8s8-pairwise' : settings?.integerAccumulation;
  const pairs = pairsU8S8(rule, node.xType, node.wType) && node.kind !== 'conv-integer' && !node.depthwise;
  return pairs ? PAIRWISE_ACCUMULATOR : INT32_ACCUMULATOR;
}

/** The largest |acc| a mode holds (pairwise: per pair of products, the int16 VPMADDUBSW lane). */
export function accumulatorLimit(mode: AccumulatorMode): number {
  if (mode.kind === 'wrap' || mode.kind === 'saturate') return 2 ** (mode.bits - 1) - 1;
  if (mode.kind === 'pairwise-int16-saturate') return 32767;
  return 2 ** 31 - 1;
}

/**
 * A node's statistics from its per-channel overflow counts and max |exact acc|. maxAbs is capped
 * at MAX_ABS_U32 on both backends: the GPU keeps it in a u32 (atomicMax), see accumulator.ts.
 */
export function accumulatorStats(
  mode: AccumulatorMode,
  overflowCount: ArrayLike<number>,
  maxAbs: ArrayLike<number>,
  count: number,
): AccumulatorStats {
  let overflows = 0;
  let max = 0;
  for (let i = 0; i < overflowCount.length; i++) overflows += overflowCount[i];
  for (let i = 0; i < maxAbs.length; i++) max = Math.max(max, maxAbs[i]);
  return {
    overflowCount: overflows,
    maxAbs: Math.min(max, MAX_ABS_U32),
    limit: accumulatorLimit(mode),
    count,
  };
}

// Shared by the metrics: which tensor carries each layer's output, where a quantized tensor's
// value sits in a run of the simulated graph, and one affine run with its accumulator statistics.
import { type Tensor, toFloat32 } from '../../kernels/tensor.js';
import type { AccumulatorStats, ExecSettings } from '../exec/cpu/op-types.js';
import type { GraphNode, Model } from '../model/ir.js';
import type { MetricsInput } from './metrics.js';
import type { QParams } from './params.js';
import type { QuantPlan } from './quant-plan.js';
import { createExecutor, executionGraph, runSamples } from './simulate.js';
import { buildSimulatedModel, type ParamSet, qdqNames } from './simulated-model.js';

export const LAYER_OPS: ReadonlySet<string> = new Set(['Conv', 'Gemm', 'MatMul']);

export interface Layer {
  readonly node: GraphNode;
  /** The quantized tensor that carries its output. */
  readonly tensor: string;
}

/** The tensor that carries a quantized node's output (a folded Relu/Clip's output). */
export function layerTensor(
  plan: QuantPlan,
  node: GraphNode,
  consumers: Map<string, GraphNode[]>,
): string | undefined {
  const out = node.outputs[0];
  if (plan.activations.has(out)) return out;
  const next = consumers.get(out)?.[0];
  if (next && (next.opType === 'Relu' || next.opType === 'Clip') && plan.activations.has(next.outputs[0])) {
    return next.outputs[0];
  }
  return undefined;
}

/** The value names of a quantized tensor in the simulated graph. */
export function simulatedNames(model: Model, t: string) {
  const n = qdqNames(t);
  const isOutput = model.graph.outputs.some((o) => o.name === t);
  return {
    beforeQ: isOutput ? n.floatOutput : t,
    dequantized: isOutput ? t : n.dequantized,
    quantized: n.quantized,
  };
}

/** A quantized tensor's value in a run of the simulated graph (dequantizing a fused int8 output). */
export function simulatedValue(
  run: Map<string, Tensor>,
  model: Model,
  t: string,
  p: QParams | undefined,
  live: boolean,
): Float32Array | undefined {
  if (!live) return run.has(t) ? toFloat32(run.get(t)!) : undefined;
  const names = simulatedNames(model, t);
  const dq = run.get(names.dequantized);
  if (dq) return toFloat32(dq);
  const q = run.get(names.quantized);
  if (q && p) {
    const v = toFloat32(q);
    return Float32Array.from(v, (x) => Math.fround(Math.fround(x - p.zeroPoint[0]) * p.scale[0]));
  }
  return undefined;
}

/** The fused integer graph of a parameter set on the samples, with accumulator statistics per layer. */
export async function runAffine(
  input: MetricsInput,
  params: ParamSet,
  settings: ExecSettings,
  layers: readonly Layer[],
): Promise<{ runs: Map<string, Tensor>[]; stats: Map<string, AccumulatorStats> }> {
  const stats = new Map<string, AccumulatorStats>();
  const withStats: ExecSettings = {
    ...settings,
    onAccumulatorStats: (nodeName, s) => {
      // Fused nodes are named after their float node: `<name>_quant`, `<name>_MatMulInteger`.
      const layer = nodeName.replace(/_(quant|MatMulInteger)(_\d+)?$/, '');
      const old = stats.get(layer);
      stats.set(layer, {
        overflowCount: (old?.overflowCount ?? 0) + s.overflowCount,
        maxAbs: Math.max(old?.maxAbs ?? 0, s.maxAbs),
        limit: s.limit,
        count: (old?.count ?? 0) + s.count,
      });
    },
  };
  const graph = executionGraph(buildSimulatedModel(input.model, input.plan, params), 'affine');
  const exec = await createExecutor(graph, input.backend, withStats);
  const wanted = layers.flatMap((l) => Object.values(simulatedNames(input.model, l.tensor)));
  try {
    return { runs: await runSamples(exec, graph, input.samples, wanted, input.signal), stats };
  } finally {
    exec.dispose();
  }
}

// Per-layer metrics, float against quantized, over the calibration samples (onnxruntime's
// qdq_loss_debug and AIMET's QuantAnalyzer, in one place):
// - cumulative: the tensor in the simulated graph (everything up to it quantized) against float;
// - local: only this operator quantized — its float inputs quantized with their parameters, its
//   weights and bias quantized, its output quantized — against float;
// - clip rate: the share of values entering the tensor's quantizer (in the simulated graph) that
//   fall outside the representable range and are clamped;
// - overflows: accumulators of the layer's integer kernel that overflowed the chosen accumulator,
//   and the largest |accumulator| against the mode's limit (affine mode);
// - outputs: SQNR and top-1 agreement of the model outputs;
// - sensitivity: the output SQNR with every layer quantized but one (that one's weights, bias and
//   output in float), one layer at a time, highest first: the layer that costs most leads.
import { makeTensor, type Tensor, toFloat32 } from '../../kernels/tensor.js';
import type { AccumulatorStats, ExecSettings } from '../exec/cpu/op-types.js';
import type { BackendName } from '../exec/executor.js';
import type { GraphNode, Model } from '../model/ir.js';
import { accumulatorPreview, type LayerPreview } from './accumulator-preview.js';
import { argmaxRows, ErrorAccumulator } from './compare.js';
import type { QuantConfig } from './config.js';
import {
  LAYER_OPS,
  type Layer,
  layerTensor,
  runAffine,
  simulatedNames,
  simulatedValue,
} from './metrics-runs.js';
import { runNode } from './node-runner.js';
import { clippedCount, dequantizedBias, fakeQuantize, type QParams, quantizeBias } from './params.js';
import type { QuantPlan } from './quant-plan.js';
import { createExecutor, executionGraph, runSamples, type SimulationMode } from './simulate.js';
import { buildSimulatedModel, type ParamSet } from './simulated-model.js';

export type { AccumulatorStats } from '../exec/cpu/op-types.js';

export interface LayerMetrics {
  readonly node: string;
  readonly opType: string;
  /** The quantized tensor that carries this layer's output. */
  readonly tensor: string;
  readonly sqnr: { readonly local: number; readonly cumulative: number };
  readonly cosine: number;
  readonly maxAbsError: number;
  readonly clipRate: number;
  readonly overflows: number;
  readonly accumulator?: AccumulatorStats;
  /** What onnxruntime's x86 pairwise sums and the other weight range would do (conv/dense). */
  readonly preview?: LayerPreview;
}

export interface OutputMetrics {
  readonly name: string;
  readonly sqnr: number;
  /** Share of samples (rows of a [N, classes] output) whose argmax agrees; undefined for non-classifiers. */
  readonly top1Agreement?: number;
}

export interface SensitivityEntry {
  readonly node: string;
  readonly outputSqnr: number;
}

export interface QuantMetrics {
  readonly mode: SimulationMode;
  readonly layers: readonly LayerMetrics[];
  readonly outputs: readonly OutputMetrics[];
  readonly sensitivity: readonly SensitivityEntry[];
}

export interface MetricsInput {
  /** The float model (constants materialized) the plan was made on. */
  readonly model: Model;
  readonly plan: QuantPlan;
  readonly params: ParamSet;
  /** The configuration the parameters were made with (weight settings and overrides). */
  readonly config: QuantConfig;
  readonly samples: readonly ReadonlyMap<string, Tensor>[];
  readonly mode: SimulationMode;
  readonly backend: BackendName;
  readonly settings: ExecSettings;
  /** Per conv/dense layer: x86 pairwise int16 sums and the other weight range (three more runs). */
  readonly accumulatorPreview?: boolean;
  /** Skip the sensitivity ranking (one inference per layer and sample). */
  readonly sensitivity?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, what: string) => void;
}

export async function computeMetrics(input: MetricsInput): Promise<QuantMetrics> {
  const { model, plan, params, samples } = input;
  const consumers = new Map<string, GraphNode[]>();
  for (const n of plan.order)
    for (const i of n.inputs) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const byName = new Map(plan.order.map((n) => [n.name, n]));
  const layers = plan.quantizedNodes
    .map((name) => byName.get(name)!)
    .map((node) => ({ node, tensor: layerTensor(plan, node, consumers) }))
    .filter((l): l is Layer => l.tensor !== undefined)
    .filter((l) => LAYER_OPS.has(l.node.opType) || l.node.outputs[0] === l.tensor);
  const outputNames = model.graph.outputs.map((o) => o.name);
  const live = (t: string) => !params.passthrough.has(t);

  // Float values of every quantized tensor and layer input.
  const floatExec = await createExecutor(model, input.backend, input.settings);
  const floatWanted = [
    ...plan.activations.keys(),
    ...layers.flatMap((l) => [...l.node.inputs, ...l.node.outputs]),
  ];
  const floatRuns = await runSamples(floatExec, model, samples, floatWanted, input.signal);
  floatExec.dispose();
  input.onProgress?.(1, 4, 'float reference');

  // The simulated graph in real space: what enters each quantizer (clip rates).
  const qdq = buildSimulatedModel(model, plan, params);
  const fakeExec = await createExecutor(qdq, input.backend, input.settings);
  const beforeQ = layers.map((l) => simulatedNames(model, l.tensor).beforeQ);
  const fakeRuns = await runSamples(
    fakeExec,
    qdq,
    samples,
    [...beforeQ, ...layers.map((l) => simulatedNames(model, l.tensor).dequantized)],
    input.signal,
  );
  fakeExec.dispose();
  input.onProgress?.(2, 4, 'fake-quant run');

  // The chosen mode (affine: the fused integer graph, with its accumulator statistics).
  let modeRuns = fakeRuns;
  let accStats = new Map<string, AccumulatorStats>();
  if (input.mode === 'affine') {
    ({ runs: modeRuns, stats: accStats } = await runAffine(input, params, input.settings, layers));
  }
  let preview: Map<string, LayerPreview> | undefined;
  if (input.accumulatorPreview) preview = await accumulatorPreview(input, layers, floatRuns);
  input.onProgress?.(3, 4, `${input.mode} run`);

  const layerMetrics: LayerMetrics[] = layers.map(({ node, tensor }) => {
    const p = params.activations.get(tensor);
    const cumulative = new ErrorAccumulator();
    const local = new ErrorAccumulator();
    let clipped = 0;
    let total = 0;
    samples.forEach((_, s) => {
      const ref = toFloat32(floatRuns[s].get(tensor)!);
      const q = simulatedValue(modeRuns[s], model, tensor, p, live(tensor));
      if (q) cumulative.add(ref, q);
      const pre = fakeRuns[s].get(simulatedNames(model, tensor).beforeQ) ?? fakeRuns[s].get(tensor);
      if (pre && p && live(tensor)) {
        clipped += clippedCount(toFloat32(pre), [], p);
        total += pre.data.length;
      }
      local.add(ref, localOutput(input, node, tensor, floatRuns[s], consumers));
    });
    const acc = accStats.get(node.name);
    return {
      node: node.name,
      opType: node.opType,
      tensor,
      sqnr: { local: local.sqnr(), cumulative: cumulative.sqnr() },
      cosine: cumulative.cosine(),
      maxAbsError: cumulative.maxAbsError(),
      clipRate: total === 0 ? 0 : clipped / total,
      overflows: acc?.overflowCount ?? 0,
      ...(acc ? { accumulator: acc } : {}),
      ...(preview?.has(node.name) ? { preview: preview.get(node.name) } : {}),
    };
  });

  const outputs = outputMetrics(outputNames, floatRuns, modeRuns);
  let sensitivity: SensitivityEntry[] = [];
  if (input.sensitivity !== false) {
    sensitivity = await sensitivityRanking(input, layers, floatRuns, (done, total) =>
      input.onProgress?.(3 + done / total, 4, 'sensitivity'),
    );
  }
  input.onProgress?.(4, 4, 'done');
  return { mode: input.mode, layers: layerMetrics, outputs, sensitivity };
}

function outputMetrics(
  names: readonly string[],
  floatRuns: Map<string, Tensor>[],
  qRuns: Map<string, Tensor>[],
): OutputMetrics[] {
  return names.map((name) => {
    const acc = new ErrorAccumulator();
    let agree = 0;
    let rows = 0;
    let classifier = true;
    floatRuns.forEach((f, s) => {
      const ref = f.get(name);
      const q = qRuns[s].get(name);
      if (!ref || !q) return;
      const a = toFloat32(ref);
      const b = toFloat32(q);
      acc.add(a, b);
      // A classifier's output: [N, classes] (or with trailing 1s, [N, classes, 1, 1]).
      const trailing = ref.dims.slice(2).every((d) => d === 1);
      const cls = ref.dims.length >= 2 && trailing ? ref.dims[1] : ref.dims.length === 1 ? ref.dims[0] : 0;
      if (cls < 2 || !(ref.dims.length <= 2 || trailing)) classifier = false;
      if (!classifier) return;
      const ra = argmaxRows(a, cls);
      const rb = argmaxRows(b, cls);
      ra.forEach((c, i) => {
        rows++;
        if (c === rb[i]) agree++;
      });
    });
    return { name, sqnr: acc.sqnr(), ...(classifier && rows > 0 ? { top1Agreement: agree / rows } : {}) };
  });
}

/** The node's output with only this node quantized (its inputs float, then quantized as it reads them). */
function localOutput(
  input: MetricsInput,
  node: GraphNode,
  tensor: string,
  floats: Map<string, Tensor>,
  consumers: Map<string, GraphNode[]>,
): Float32Array {
  const { model, plan, params } = input;
  const live = (t: string) => !params.passthrough.has(t);
  const g = model.graph;
  const quantizeInput = (name: string): Tensor | undefined => {
    if (!name) return undefined;
    const p = params.activations.get(name);
    const f = floats.get(name) ?? g.initializers.get(name);
    if (!f) return undefined;
    if (p && live(name) && plan.activations.has(name))
      return makeTensor('float32', f.dims, fakeQuantize(toFloat32(f), [], p));
    const w = params.weights.get(name);
    if (w && live(name) && plan.weights.has(name))
      return makeTensor('float32', f.dims, fakeQuantize(toFloat32(f), f.dims, w));
    const b = plan.biases.get(name);
    const bx = b && params.activations.get(b.input);
    const bw = b && params.weights.get(b.weight);
    if (b && bx && bw && live(name) && live(b.input) && live(b.weight)) {
      return makeTensor('float32', f.dims, dequantizedBias(quantizeBias(f, bx.scale[0], bw.scale)));
    }
    return f;
  };
  const constant = node.inputs.map(
    (i) => !!i && g.initializers.has(i) && !plan.weights.has(i) && !plan.biases.has(i),
  );
  let out = runNode(model, node, node.inputs.map(quantizeInput), constant)[0];
  if (tensor !== node.outputs[0]) {
    const act = consumers.get(node.outputs[0])![0];
    const inputs = act.inputs.map((i, k) =>
      k === 0 ? out : i ? (floats.get(i) ?? g.initializers.get(i)) : undefined,
    );
    out = runNode(
      model,
      act,
      inputs,
      act.inputs.map((i) => !!i && g.initializers.has(i)),
    )[0];
  }
  const p = params.activations.get(tensor);
  const v = toFloat32(out);
  return p && live(tensor) ? fakeQuantize(v, [], p) : v;
}

async function sensitivityRanking(
  input: MetricsInput,
  layers: readonly { node: GraphNode; tensor: string }[],
  floatRuns: Map<string, Tensor>[],
  onProgress: (done: number, total: number) => void,
): Promise<SensitivityEntry[]> {
  const { model, plan, params } = input;
  const outputNames = model.graph.outputs.map((o) => o.name);
  const entries: SensitivityEntry[] = [];
  const candidates = layers.filter((l) => LAYER_OPS.has(l.node.opType));
  for (const [k, { node, tensor }] of candidates.entries()) {
    input.signal?.throwIfAborted();
    const floatHere = new Set(params.passthrough);
    floatHere.add(tensor);
    for (const i of node.inputs.slice(1))
      if (i && (plan.weights.has(i) || plan.biases.has(i))) floatHere.add(i);
    const graph = executionGraph(
      buildSimulatedModel(model, plan, { ...params, passthrough: floatHere }),
      input.mode,
    );
    const exec = await createExecutor(graph, input.backend, input.settings);
    const runs = await runSamples(exec, graph, input.samples, outputNames, input.signal);
    exec.dispose();
    const acc = new ErrorAccumulator();
    runs.forEach((r, s) => {
      for (const name of outputNames) acc.add(toFloat32(floatRuns[s].get(name)!), toFloat32(r.get(name)!));
    });
    entries.push({ node: node.name, outputSqnr: acc.sqnr() });
    onProgress(k + 1, candidates.length);
  }
  return entries.sort((a, b) => b.outputSqnr - a.outputSqnr);
}

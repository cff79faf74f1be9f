// Running the simulated graph: fake-quant (real space: the QDQ graph as is, onnxruntime
// 'disabled') or affine (integer: QDQ groups fused into int8 kernels with int32 or simulated
// accumulators and a requantize, onnxruntime 'all'), on the CPU interpreter or the WebGPU executor.
import type { Tensor } from '../../kernels/tensor.js';
import { CpuInterpreter } from '../exec/cpu/interpreter.js';
import type { ExecSettings } from '../exec/cpu/op-types.js';
import type { BackendName, Executor } from '../exec/executor.js';
import type { Model } from '../model/ir.js';
import { fuseQdqForIntegerExecution } from './fuse-qdq.js';

export type SimulationMode = 'affine' | 'fake';

/** The graph an executor runs for a mode. */
export function executionGraph(qdq: Model, mode: SimulationMode): Model {
  return mode === 'affine' ? fuseQdqForIntegerExecution(qdq) : qdq;
}

/** An executor for a graph on a backend (WebGPU loaded lazily: Node without Dawn never loads it). */
export async function createExecutor(
  model: Model,
  backend: BackendName,
  settings: ExecSettings,
): Promise<Executor> {
  if (backend === 'cpu') return new CpuInterpreter(model, settings);
  const { WebGpuExecutor } = await import('../exec/webgpu/webgpu-executor.js');
  return WebGpuExecutor.create(model, settings);
}

/** Runs every sample, asking for the named values where the graph has them. */
export async function runSamples(
  executor: Executor,
  graph: Model,
  samples: readonly ReadonlyMap<string, Tensor>[],
  wanted: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, Tensor>[]> {
  const produced = new Set<string>(graph.graph.outputs.map((o) => o.name));
  for (const n of graph.graph.nodes) for (const o of n.outputs) if (o) produced.add(o);
  const outputs = [
    ...new Set([...graph.graph.outputs.map((o) => o.name), ...wanted.filter((w) => produced.has(w))]),
  ];
  const results: Map<string, Tensor>[] = [];
  for (const feeds of samples) {
    signal?.throwIfAborted();
    const r = await executor.run(feeds, { outputs, signal });
    for (const i of graph.graph.inputs) if (wanted.includes(i.name)) r.set(i.name, feeds.get(i.name)!);
    results.push(r);
  }
  return results;
}

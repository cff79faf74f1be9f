// Plans a model for the WebGPU executor once per set of input sizes: shapes from inferShapes
// at the bound sizes of the symbolic input dims, constants folded with the
// CPU reference ops, each node lowered to GPU work (or a view, a fusion into its producer, or a
// host step on the CPU reference when no kernel fits), buffers assigned by liveness.
import type { GpuContext } from '../../../kernels/gpu/device.js';
import { destroyDispatches } from '../../../kernels/gpu-float/float-dispatch.js';
import type { Tensor } from '../../../kernels/tensor.js';
import { type GraphNode, type Model, opsetVersion } from '../../model/ir.js';
import { inferShapes, type ShapeResult, shapeOf } from '../../model/shape-inference.js';
import { cpuConstantEvaluator } from '../cpu/constant-evaluator.js';
import type { ExecSettings } from '../cpu/op-types.js';
import { findCpuOp } from '../cpu/registry.js';
import { planExecution } from '../plan.js';
import { gpuByteLength, gpuElementBytes, StorageArena, tensorBytes } from './gpu-storage.js';
import { floatLowerings } from './lower-float.js';
import { int8GemmLowerings, int8GemmMsLowerings } from './lower-int8-gemm.js';
import { qlinearLowerings, qlinearMsLowerings } from './lower-qlinear.js';
import { qpoolLowerings, qpoolMsLowerings } from './lower-qpool.js';
import { qsoftmaxMsLowerings } from './lower-qsoftmax.js';
import { resizeLowerings } from './lower-resize.js';
import { quantLowerings } from './lower-quant.js';
import { tensorLowerings } from './lower-tensor.js';
import type { GpuWork, LowerContext, Lowering } from './lowering.js';

/** Lowerings by domain ('' is ai.onnx) and op type. */
const LOWERINGS: Readonly<Record<string, Readonly<Record<string, Lowering>>>> = {
  '': {
    ...floatLowerings,
    ...tensorLowerings,
    ...quantLowerings,
    ...int8GemmLowerings,
    ...qlinearLowerings,
    ...qpoolLowerings,
    ...resizeLowerings,
  },
  'com.microsoft': {
    ...int8GemmMsLowerings,
    ...qlinearMsLowerings,
    ...qpoolMsLowerings,
    ...qsoftmaxMsLowerings,
  },
};

export type PlanStep =
  | {
      readonly kind: 'gpu';
      readonly node: GraphNode;
      readonly work: GpuWork;
      readonly inputs: readonly string[];
    }
  | {
      readonly kind: 'host';
      readonly node: GraphNode;
      readonly inputs: readonly string[];
      readonly run: (inputs: readonly (Tensor | undefined)[]) => Promise<Tensor[]>;
    };

/** What the plan did with each node: the CPU fallbacks are the ones to keep rare. */
export interface PlanSummary {
  readonly gpuNodes: number;
  readonly viewNodes: number;
  readonly fusedNodes: number;
  readonly foldedNodes: number;
  /** Nodes run by GPU kernels that need their inputs on the host (none at present). */
  readonly gpuHostNodes: number;
  /** Nodes run on the CPU reference, with a readback: `opType (node)`. */
  readonly cpuFallbacks: readonly string[];
  /** Why a kernel refused a node it normally runs (limits, compile errors): those fall back too. */
  readonly kernelErrors: readonly string[];
  /** Distinct GPU buffers for values (after reuse), and their bytes. */
  readonly buffers: number;
  readonly bufferBytes: number;
  /** Values given GPU storage (views excluded) and their bytes: the cost without reuse. */
  readonly values: number;
  readonly valueBytes: number;
}

export interface GpuPlan {
  readonly steps: readonly PlanStep[];
  readonly arena: StorageArena;
  readonly shapes: ShapeResult;
  readonly constants: ReadonlyMap<string, Tensor>;
  /** Graph inputs written to the GPU each run. */
  readonly gpuInputs: readonly string[];
  readonly summary: PlanSummary;
  destroy(): void;
}

const isConstantInput = (constants: Map<string, Tensor>, n: GraphNode) =>
  n.inputs.every((i) => i === '' || constants.has(i));

export async function buildPlan(
  gpu: GpuContext,
  model: Model,
  keep: readonly string[],
  settings: ExecSettings,
  bindings: Readonly<Record<string, number>>,
): Promise<GpuPlan> {
  const graph = model.graph;
  // Every symbolic input dim must be bound: a guessed size would plan buffers and kernels for
  // a shape the run never has (and fail on pools whose window exceeds the guess).
  const shapes = inferShapes(model, { evaluate: cpuConstantEvaluator(model), bindings, defaultDim: 'error' });
  const { order, lastUse } = planExecution(graph, keep);
  const keepSet = new Set(keep);
  const constants = new Map<string, Tensor>(graph.initializers);
  for (const [k, v] of shapes.constants) constants.set(k, v);
  const readers = new Map<string, GraphNode[]>();
  for (const n of order)
    for (const i of new Set(n.inputs)) if (i) readers.set(i, [...(readers.get(i) ?? []), n]);

  const arena = new StorageArena(gpu);
  const constBuffers = new Map<string, GPUBuffer>();
  const extraBuffers: GPUBuffer[] = [];
  const steps: PlanStep[] = [];
  const skipped = new Map<GraphNode, string>(); // fused node -> the producer's output name it replaces
  const counts = { gpu: 0, view: 0, fused: 0, folded: 0, gpuHost: 0 };
  const cpuFallbacks: string[] = [];
  const kernelErrors: string[] = [];

  const upload = (label: string, t: Tensor): GPUBuffer => {
    const buffer = gpu.device.createBuffer({
      label: `webgpu.${label}`,
      size: gpuByteLength(t.dtype, t.dims),
      usage: 0x80 | 0x04 | 0x08,
      mappedAtCreation: true,
    });
    new Uint8Array(buffer.getMappedRange()).set(tensorBytes(t));
    buffer.unmap();
    extraBuffers.push(buffer);
    return buffer;
  };
  const bufferOf = (name: string): GPUBuffer => {
    if (arena.has(name)) return arena.buffer(name);
    const c = constants.get(name);
    if (!c || gpuElementBytes(c.dtype) === 0) throw new Error(`value '${name}' is not on the GPU`);
    let b = constBuffers.get(name);
    if (!b) {
      b = upload(name, c);
      constBuffers.set(name, b);
    }
    return b;
  };
  const allocate = (name: string): GPUBuffer => {
    const s = shapeOf(shapes, name);
    if (gpuElementBytes(s.dtype) === 0)
      throw new Error(`value '${name}' (${s.dtype}) cannot live on the GPU`);
    return arena.allocate(name, gpuByteLength(s.dtype, s.dims));
  };

  const gpuInputs: string[] = [];
  for (const input of graph.inputs) {
    const s = shapeOf(shapes, input.name);
    if (gpuElementBytes(s.dtype) > 0 && !constants.has(input.name)) {
      allocate(input.name);
      gpuInputs.push(input.name);
    }
  }

  for (const [step, node] of order.entries()) {
    const opset = opsetVersion(model, node.domain) ?? 1;
    const outputs = node.outputs.filter(Boolean);
    const replaced = skipped.get(node);
    if (replaced !== undefined) {
      // Fused into its producer: the output already has the producer's storage.
      counts.fused++;
    } else if (
      isConstantInput(constants, node) &&
      findCpuOp(node.domain, node.opType) &&
      !outputs.every((o) => constants.has(o))
    ) {
      const op = findCpuOp(node.domain, node.opType)!;
      const results = op({
        node,
        inputs: node.inputs.map((i) => (i ? constants.get(i) : undefined)),
        opset,
        settings,
      });
      node.outputs.forEach((o, k) => {
        if (o && results[k]) constants.set(o, results[k]);
      });
      counts.folded++;
    } else if (outputs.every((o) => constants.has(o))) {
      counts.folded++;
    } else {
      const lowering = LOWERINGS[node.domain]?.[node.opType];
      let outcome: GpuWork | 'view' | undefined;
      if (lowering) {
        const lc: LowerContext = {
          gpu,
          node,
          opset,
          settings,
          shape: (name) => shapeOf(shapes, name),
          constant: (name) => constants.get(name),
          input: (i) => bufferOf(node.inputs[i]),
          upload,
          isUsed: (name) => readers.has(name) || keepSet.has(name),
          output: (i) => allocate(node.outputs[i]),
          view: (i, j) => {
            arena.alias(node.outputs[i], node.inputs[j]);
          },
          fuseFollowing: (accept) => {
            const out = node.outputs[0];
            const next = readers.get(out);
            if (!out || keepSet.has(out) || next?.length !== 1 || next[0].inputs[0] !== out) return undefined;
            if (next[0].inputs.slice(1).includes(out) || !accept(next[0])) return undefined;
            skipped.set(next[0], out);
            // This node's output 0 now names the fused node's output.
            lc.output = (i) => allocate(i === 0 ? next[0].outputs[0] : node.outputs[i]);
            return next[0];
          },
        };
        const skippedBefore = new Set(skipped.keys());
        try {
          outcome = await lowering(lc);
        } catch (e) {
          // A kernel refused the parameters (limits, shapes): the CPU reference runs it instead.
          if (!(e instanceof Error)) throw e;
          kernelErrors.push(`${node.opType} (${node.name}): ${e.message.split('\n')[0]}`);
          outcome = undefined;
        }
        // A node that falls back to the CPU fuses nothing.
        if (!outcome) for (const k of [...skipped.keys()]) if (!skippedBefore.has(k)) skipped.delete(k);
        if (outcome === 'view' && !arena.has(node.inputs[0])) outcome = undefined; // a view of a host value
        if (outcome === 'view') {
          arena.alias(node.outputs[0], node.inputs[0]);
          counts.view++;
        } else if (outcome?.host) {
          steps.push({ kind: 'host', node, inputs: node.inputs, run: outcome.host });
          for (const o of outputs)
            if (gpuElementBytes(shapeOf(shapes, o).dtype) > 0 && !arena.has(o)) allocate(o);
          counts.gpuHost++;
        } else if (outcome) {
          steps.push({ kind: 'gpu', node, work: outcome, inputs: node.inputs });
          counts.gpu++;
        }
      }
      if (!outcome) {
        const op = findCpuOp(node.domain, node.opType);
        if (!op) throw new Error(`no CPU op for ${node.opType}`);
        cpuFallbacks.push(`${node.opType} (${node.name})`);
        steps.push({
          kind: 'host',
          node,
          inputs: node.inputs,
          run: async (inputs) => op({ node, inputs, opset, settings }),
        });
        for (const o of outputs)
          if (gpuElementBytes(shapeOf(shapes, o).dtype) > 0 && !arena.has(o)) allocate(o);
      }
    }
    // Liveness: values whose last reader was this node give their buffers back.
    for (const i of new Set(node.inputs))
      if (i && lastUse.get(i) === step && !keepSet.has(i)) arena.release(i);
    for (const o of outputs) if (!lastUse.has(o) && !keepSet.has(o) && !readers.has(o)) arena.release(o);
  }

  const summary: PlanSummary = {
    gpuNodes: counts.gpu,
    viewNodes: counts.view,
    fusedNodes: counts.fused,
    foldedNodes: counts.folded,
    gpuHostNodes: counts.gpuHost,
    cpuFallbacks,
    kernelErrors,
    buffers: arena.bufferCount,
    bufferBytes: arena.bufferBytes,
    values: arena.valueCount,
    valueBytes: arena.valueBytes,
  };
  return {
    steps,
    arena,
    shapes,
    constants,
    gpuInputs,
    summary,
    destroy() {
      for (const s of steps) {
        if (s.kind !== 'gpu') continue;
        if (s.work.dispatches) destroyDispatches(s.work.dispatches);
        s.work.destroy?.();
      }
      for (const b of extraBuffers) b.destroy();
      arena.destroy();
    },
  };
}

// Plans a model for the WebGPU executor once per set of input sizes: shapes from inferShapes
// at the bound sizes of the symbolic input dims, constants folded with the
// CPU reference ops, each node lowered to GPU work (or a view, a fusion into its producer, or a
// host step on the CPU reference when no kernel fits), buffers assigned by liveness.
import { STORAGE_USAGE } from '../../../kernels/gpu/buffers.js';
import type { GpuContext } from '../../../kernels/gpu/device.js';
import { destroyDispatches } from '../../../kernels/gpu-float/float-dispatch.js';
import { makeTensor, type Tensor } from '../../../kernels/tensor.js';
import { type GraphNode, type Model, opsetVersion } from '../../model/ir.js';
import { inferShapes, type ShapeResult, shapeOf } from '../../model/shape-inference.js';
import { cpuConstantEvaluator } from '../cpu/constant-evaluator.js';
import type { ExecSettings } from '../cpu/op-types.js';
import { findCpuOp } from '../cpu/registry.js';
import { planExecution } from '../plan.js';
import { fuseDecomposedLayerNorms } from './fuse-layernorm.js';
import { gpuByteLength, gpuElementBytes, gpuStorageBytes, StorageArena, tensorBytes } from './gpu-storage.js';
import { threeDLowerings } from './lower-3d.js';
import { attentionLowerings } from './lower-attention.js';
import { batchNormRuntimeLowerings } from './lower-batchnorm-runtime.js';
import { convTransposeLowerings } from './lower-conv-transpose.js';
import { extraLowerings } from './lower-extra.js';
import { extra2Lowerings } from './lower-extra2.js';
import { floatLowerings } from './lower-float.js';
import { gatherLowerings } from './lower-gather.js';
import { gridSampleLowerings } from './lower-grid-sample.js';
import { intLowerings } from './lower-int.js';
import { int8GemmLowerings, int8GemmMsLowerings } from './lower-int8-gemm.js';
import { miscLowerings } from './lower-misc.js';
import { normLowerings } from './lower-norm.js';
import { qlinearLowerings, qlinearMsLowerings } from './lower-qlinear.js';
import { qpoolLowerings, qpoolMsLowerings } from './lower-qpool.js';
import { qsoftmaxMsLowerings } from './lower-qsoftmax.js';
import { quantLowerings } from './lower-quant.js';
import { quantRuntimeLowerings } from './lower-quant-runtime.js';
import { resizeLowerings } from './lower-resize.js';
import { rnnLowerings } from './lower-rnn.js';
import { roundF16Lowerings } from './lower-round-f16.js';
import { scatterLowerings } from './lower-scatter.js';
import { tableLowerings } from './lower-table.js';
import { tensorLowerings } from './lower-tensor.js';
import { type GpuWork, type LowerContext, type Lowering, mergeLowerings } from './lowering.js';
import { narrowIndexInputs } from './narrow-indices.js';
import { ROUND_F16_DOMAIN, ROUND_F16_OP, roundToFloat16CpuOp, widenFloat16Values } from './widen-float16.js';

/** Lowerings by domain ('' is ai.onnx) and op type; where families share an op, earlier ones first. */
const LOWERINGS: Readonly<Record<string, Readonly<Record<string, Lowering>>>> = {
  '': mergeLowerings(
    floatLowerings,
    tableLowerings,
    tensorLowerings,
    quantLowerings,
    int8GemmLowerings,
    qlinearLowerings,
    qpoolLowerings,
    resizeLowerings,
    normLowerings,
    miscLowerings,
    gridSampleLowerings,
    scatterLowerings,
    convTransposeLowerings,
    attentionLowerings,
    extraLowerings,
    extra2Lowerings,
    gatherLowerings,
    rnnLowerings,
    quantRuntimeLowerings,
    batchNormRuntimeLowerings,
    threeDLowerings,
    intLowerings,
  ),
  'com.microsoft': mergeLowerings(
    int8GemmMsLowerings,
    qlinearMsLowerings,
    qpoolMsLowerings,
    qsoftmaxMsLowerings,
  ),
  [ROUND_F16_DOMAIN]: roundF16Lowerings,
};

/** The CPU reference of a node, the plan's private float16 rounding included (folding, fallback). */
const planCpuOp = (domain: string, opType: string) =>
  domain === ROUND_F16_DOMAIN && opType === ROUND_F16_OP ? roundToFloat16CpuOp : findCpuOp(domain, opType);

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
  /** float16 values stored as float32 (widen-float16.ts): converted on upload and readback. */
  readonly widened: ReadonlySet<string>;
  readonly summary: PlanSummary;
  destroy(): void;
}

/** CastLike reads only its second input's element type, never its values. */
const typeOnlyInput = (n: GraphNode, k: number) => n.opType === 'CastLike' && n.domain === '' && k === 1;

/** Every value input of the node is a constant (so the node folds at plan time). */
const isConstantInput = (constants: Map<string, Tensor>, n: GraphNode) =>
  n.inputs.every((i, k) => i === '' || constants.has(i) || typeOnlyInput(n, k));

/**
 * The plan under construction: buffer assignment (graph inputs, constants uploaded on first use,
 * outputs allocated and released by liveness in the arena), constant folding, lowering with
 * fusion, and the CPU fallbacks. `buildPlan` walks the nodes in order through it.
 */
class PlanBuilder {
  readonly arena: StorageArena;
  readonly constants: Map<string, Tensor>;
  readonly steps: PlanStep[] = [];
  readonly gpuInputs: string[] = [];
  readonly counts = { gpu: 0, view: 0, fused: 0, folded: 0, gpuHost: 0 };
  readonly cpuFallbacks: string[] = [];
  readonly kernelErrors: string[] = [];
  /** Fused node -> the producer's output name it replaces. */
  readonly skipped = new Map<GraphNode, string>();
  private readonly constBuffers = new Map<string, GPUBuffer>();
  private readonly extraBuffers: GPUBuffer[] = [];
  private readonly readers = new Map<string, GraphNode[]>();

  constructor(
    private readonly gpu: GpuContext,
    private readonly model: Model,
    readonly shapes: ShapeResult,
    order: readonly GraphNode[],
    private readonly keepSet: ReadonlySet<string>,
    private readonly settings: ExecSettings,
  ) {
    this.arena = new StorageArena(gpu);
    this.constants = new Map<string, Tensor>(model.graph.initializers);
    for (const [k, v] of shapes.constants) this.constants.set(k, v);
    for (const n of order)
      for (const i of new Set(n.inputs)) if (i) this.readers.set(i, [...(this.readers.get(i) ?? []), n]);
    for (const input of model.graph.inputs) {
      const sh = shapeOf(shapes, input.name);
      // int64 inputs too (two words each): the kernels that read indices take them from there.
      if (gpuStorageBytes(sh.dtype) > 0 && !this.constants.has(input.name)) {
        this.allocate(input.name);
        this.gpuInputs.push(input.name);
      }
    }
  }

  // --- buffer assignment ---

  readonly upload = (label: string, t: Tensor): GPUBuffer => {
    const buffer = this.gpu.device.createBuffer({
      label: `webgpu.${label}`,
      size: gpuByteLength(t.dtype, t.dims),
      usage: STORAGE_USAGE,
      mappedAtCreation: true,
    });
    new Uint8Array(buffer.getMappedRange()).set(tensorBytes(t));
    buffer.unmap();
    this.extraBuffers.push(buffer);
    return buffer;
  };

  bufferOf(name: string): GPUBuffer {
    if (this.arena.has(name)) return this.arena.buffer(name);
    const c = this.constants.get(name);
    if (!c || gpuStorageBytes(c.dtype) === 0) throw new Error(`value '${name}' is not on the GPU`);
    let b = this.constBuffers.get(name);
    if (!b) {
      b = this.upload(name, c);
      this.constBuffers.set(name, b);
    }
    return b;
  }

  allocate(name: string): GPUBuffer {
    const sh = shapeOf(this.shapes, name);
    if (gpuStorageBytes(sh.dtype) === 0)
      throw new Error(`value '${name}' (${sh.dtype}) cannot live on the GPU`);
    return this.arena.allocate(name, gpuByteLength(sh.dtype, sh.dims));
  }

  /** Storage for the outputs a host step writes that the GPU can hold. */
  private allocateHostOutputs(outputs: readonly string[]): void {
    for (const o of outputs)
      if (gpuElementBytes(shapeOf(this.shapes, o).dtype) > 0 && !this.arena.has(o)) this.allocate(o);
  }

  /** Liveness: values whose last reader was node `step` give their buffers back. */
  release(step: number, node: GraphNode, lastUse: ReadonlyMap<string, number>): void {
    for (const i of new Set(node.inputs))
      if (i && lastUse.get(i) === step && !this.keepSet.has(i)) this.arena.release(i);
    for (const o of node.outputs.filter(Boolean))
      if (!lastUse.has(o) && !this.keepSet.has(o) && !this.readers.has(o)) this.arena.release(o);
  }

  // --- planning ---

  /** One node: fused away, folded into a constant, lowered to GPU work or a view, or a CPU step. */
  async plan(node: GraphNode): Promise<void> {
    const opset = opsetVersion(this.model, node.domain) ?? 1;
    const outputs = node.outputs.filter(Boolean);
    if (this.skipped.get(node) !== undefined) {
      // Fused into its producer: the output already has the producer's storage.
      this.counts.fused++;
    } else if (
      isConstantInput(this.constants, node) &&
      planCpuOp(node.domain, node.opType) &&
      !outputs.every((o) => this.constants.has(o))
    ) {
      const op = planCpuOp(node.domain, node.opType)!;
      const results = op({
        node,
        inputs: node.inputs.map((i, k) =>
          !i
            ? undefined
            : (this.constants.get(i) ??
              // A computed CastLike target: an empty tensor of its element type stands in.
              (typeOnlyInput(node, k) ? makeTensor(shapeOf(this.shapes, i).dtype, [0]) : undefined)),
        ),
        opset,
        settings: this.settings,
      });
      node.outputs.forEach((o, k) => {
        if (o && results[k]) this.constants.set(o, results[k]);
      });
      this.counts.folded++;
    } else if (outputs.every((o) => this.constants.has(o))) {
      this.counts.folded++;
    } else if (!(await this.lower(node, opset, outputs))) {
      this.cpuFallback(node, opset, outputs);
    }
  }

  /** Lowers a node to GPU work or a view; false when no lowering took it. */
  private async lower(node: GraphNode, opset: number, outputs: readonly string[]): Promise<boolean> {
    const lowering = LOWERINGS[node.domain]?.[node.opType];
    if (!lowering) return false;
    const skippedBefore = new Set(this.skipped.keys());
    let outcome: GpuWork | 'view' | undefined;
    try {
      outcome = await lowering(this.lowerContext(node, opset));
    } catch (e) {
      // A kernel refused the parameters (limits, shapes): the CPU reference runs it instead.
      if (!(e instanceof Error)) throw e;
      this.kernelErrors.push(`${node.opType} (${node.name}): ${e.message.split('\n')[0]}`);
      outcome = undefined;
    }
    // A node that falls back to the CPU fuses nothing.
    if (!outcome) for (const k of [...this.skipped.keys()]) if (!skippedBefore.has(k)) this.skipped.delete(k);
    if (outcome === 'view' && !this.arena.has(node.inputs[0])) outcome = undefined; // a view of a host value
    if (outcome === 'view') {
      this.arena.alias(node.outputs[0], node.inputs[0]);
      this.counts.view++;
    } else if (outcome?.host) {
      this.steps.push({ kind: 'host', node, inputs: node.inputs, run: outcome.host });
      this.allocateHostOutputs(outputs);
      this.counts.gpuHost++;
    } else if (outcome) {
      this.steps.push({ kind: 'gpu', node, work: outcome, inputs: node.inputs });
      this.counts.gpu++;
    }
    return outcome !== undefined;
  }

  /** What a lowering sees of the plan; fuseFollowing redirects output 0 to the fused node's. */
  private lowerContext(node: GraphNode, opset: number): LowerContext {
    const lc: LowerContext = {
      gpu: this.gpu,
      node,
      opset,
      settings: this.settings,
      shape: (name) => shapeOf(this.shapes, name),
      constant: (name) => this.constants.get(name),
      input: (i) => this.bufferOf(node.inputs[i]),
      upload: this.upload,
      isUsed: (name) => this.readers.has(name) || this.keepSet.has(name),
      readers: (name) => this.readers.get(name) ?? [],
      isInitializer: (name) => this.model.graph.initializers.has(name),
      output: (i) => this.allocate(node.outputs[i]),
      view: (i, j) => {
        this.arena.alias(node.outputs[i], node.inputs[j]);
      },
      fuseFollowing: (accept) => {
        const out = node.outputs[0];
        const next = this.readers.get(out);
        if (!out || this.keepSet.has(out) || next?.length !== 1 || next[0].inputs[0] !== out)
          return undefined;
        if (next[0].inputs.slice(1).includes(out) || !accept(next[0])) return undefined;
        this.skipped.set(next[0], out);
        // This node's output 0 now names the fused node's output.
        lc.output = (i) => this.allocate(i === 0 ? next[0].outputs[0] : node.outputs[i]);
        return next[0];
      },
    };
    return lc;
  }

  /** The CPU reference runs the node, with its inputs read back. */
  private cpuFallback(node: GraphNode, opset: number, outputs: readonly string[]): void {
    const op = planCpuOp(node.domain, node.opType);
    if (!op) throw new Error(`no CPU op for ${node.opType}`);
    this.cpuFallbacks.push(`${node.opType} (${node.name})`);
    const settings = this.settings;
    // As the CPU interpreter: which inputs are initializers (onnxruntime prepacks those).
    const constantInputs = node.inputs.map((i) => this.model.graph.initializers.has(i));
    this.steps.push({
      kind: 'host',
      node,
      inputs: node.inputs,
      run: async (inputs) => op({ node, inputs, opset, settings, constantInputs }),
    });
    this.allocateHostOutputs(outputs);
  }

  // --- result ---

  finish(widened: ReadonlySet<string>): GpuPlan {
    const { arena, steps, extraBuffers, counts } = this;
    const summary: PlanSummary = {
      gpuNodes: counts.gpu,
      viewNodes: counts.view,
      fusedNodes: counts.fused,
      foldedNodes: counts.folded,
      gpuHostNodes: counts.gpuHost,
      cpuFallbacks: this.cpuFallbacks,
      kernelErrors: this.kernelErrors,
      buffers: arena.bufferCount,
      bufferBytes: arena.bufferBytes,
      values: arena.valueCount,
      valueBytes: arena.valueBytes,
    };
    return {
      steps,
      arena,
      shapes: this.shapes,
      constants: this.constants,
      gpuInputs: this.gpuInputs,
      widened,
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
}

export async function buildPlan(
  gpu: GpuContext,
  model: Model,
  keep: readonly string[],
  settings: ExecSettings,
  bindings: Readonly<Record<string, number>>,
  knownValues?: ReadonlyMap<string, Tensor>,
): Promise<GpuPlan> {
  // Every symbolic input dim must be bound: a guessed size would plan buffers and kernels for
  // a shape the run never has (and fail on pools whose window exceeds the guess). Values a shape
  // depends on (a Reshape's computed shape, fed reduction axes) come from the run's inputs.
  const shapes = inferShapes(model, {
    evaluate: cpuConstantEvaluator(model),
    bindings,
    defaultDim: 'error',
    knownValues,
  });
  // Decomposed LayerNorms (ReduceMean ... Sqrt, Div, Mul, Add) become one LayerNormalization node.
  const fused = fuseDecomposedLayerNorms(model, shapes, keep).model;
  // float16 values are stored as float32, float16 nodes planned as float32 twins + rounding.
  const wide = widenFloat16Values(fused, shapes);
  // Run-time int64 index inputs of RotaryEmbedding / Attention are cast to int32 (narrow-indices.ts).
  const { model: planned, shapes: plannedShapes } = narrowIndexInputs(wide.model, wide.shapes);
  const { order, lastUse } = planExecution(planned.graph, keep);
  const builder = new PlanBuilder(gpu, planned, plannedShapes, order, new Set(keep), settings);
  for (const [step, node] of order.entries()) {
    await builder.plan(node);
    builder.release(step, node, lastUse);
  }
  return builder.finish(wide.widened);
}

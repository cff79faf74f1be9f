// How one graph node becomes GPU work at plan time. Each lowering checks everything it needs
// (dtypes, constant parameters) BEFORE it asks for output storage, and returns undefined when the
// node cannot run on the GPU: the planner then runs it on the CPU reference with a readback.
import type { GpuContext } from '../../../kernels/gpu/device.js';
import type { PreparedDispatch } from '../../../kernels/gpu-float/float-dispatch.js';
import type { FusedFloatActivation } from '../../../kernels/matmul/matmul.js';
import type { Tensor } from '../../../kernels/tensor.js';
import type { GraphNode } from '../../model/ir.js';
import type { ValueShape } from '../../model/shape-inference.js';
import type { ExecSettings } from '../cpu/op-types.js';

/** GPU work of one node: prepared dispatches, or work recorded anew each run (quantize). */
export interface GpuWork {
  readonly dispatches?: readonly PreparedDispatch[];
  readonly record?: (encoder: GPUCommandEncoder) => Promise<void>;
  /** Frees what the lowering prepared outside the dispatches (prepared int8 ops). */
  readonly destroy?: () => void;
  /**
   * After the run's last submit: reads back what `record` left for the host (accumulator
   * statistics) and returns the report to make; the executor makes them in plan order.
   */
  readonly collect?: () => Promise<() => void>;
  /** Host-side GPU kernels (the int8 conv/dense hosts upload and read back themselves). */
  readonly host?: (inputs: readonly (Tensor | undefined)[]) => Promise<Tensor[]>;
}

export interface LowerContext {
  readonly gpu: GpuContext;
  readonly node: GraphNode;
  readonly opset: number;
  readonly settings: ExecSettings;
  /** dtype and dims of a value ('' is never asked). */
  shape(name: string): ValueShape;
  /** The value when known at plan time (initializers, Constant, folded). */
  constant(name: string): Tensor | undefined;
  /** The GPU buffer of node input i (constants are uploaded once). */
  input(i: number): GPUBuffer;
  /** A GPU buffer for a constant made at plan time (folded weights). */
  upload(label: string, t: Tensor): GPUBuffer;
  /** Whether a value is read by a later node or requested as an output. */
  isUsed(name: string): boolean;
  /** The nodes that read a value. */
  readers(name: string): readonly GraphNode[];
  /** Whether a value is a graph initializer (onnxruntime prepacks those: it changes float orders). */
  isInitializer(name: string): boolean;
  /** Storage for node output i. */
  output(i: number): GPUBuffer;
  /** Output i is a view of input j (same buffer). */
  view(i: number, j: number): void;
  /**
   * If the only reader of output 0 is a node that `accept`s (and output 0 is not requested), fuses
   * that node: it is skipped and its output takes this node's output 0. Returns the fused node.
   * Call before `output(0)`.
   */
  fuseFollowing(accept: (next: GraphNode) => boolean): GraphNode | undefined;
}

export type Lowering = (lc: LowerContext) => Promise<GpuWork | 'view' | undefined>;

/** Each lowering in turn until one takes the node (returns work or a view). */
export function firstOf(...lowerings: readonly Lowering[]): Lowering {
  if (lowerings.length === 1) return lowerings[0];
  return async (lc) => {
    for (const lower of lowerings) {
      const outcome = await lower(lc);
      if (outcome !== undefined) return outcome;
    }
    return undefined;
  };
}

/**
 * Families of lowerings merged op by op. Where several families lower one op (float32 Conv and 3-D
 * Conv, constant and run-time quantization parameters, float and integer Add ...), each takes the
 * cases it handles and declines the rest: they are tried in the order of `families`, so a family
 * never needs to know the others.
 */
export function mergeLowerings(
  ...families: readonly Readonly<Record<string, Lowering>>[]
): Readonly<Record<string, Lowering>> {
  const byOp = new Map<string, Lowering[]>();
  for (const family of families)
    for (const [op, lower] of Object.entries(family)) byOp.set(op, [...(byOp.get(op) ?? []), lower]);
  return Object.fromEntries([...byOp].map(([op, lowerings]) => [op, firstOf(...lowerings)]));
}

/** Input i's name, '' when omitted. */
export function inputName(lc: LowerContext, i: number): string {
  return lc.node.inputs[i] ?? '';
}

/** Whether input i is present and float32. */
export function isFloatInput(lc: LowerContext, i: number): boolean {
  const name = inputName(lc, i);
  return name !== '' && lc.shape(name).dtype === 'float32';
}

/** A following Relu / Clip (constant bounds) fused into the producer, when there is one. */
export function fuseActivation(lc: LowerContext): FusedFloatActivation {
  const next = lc.fuseFollowing(
    (n) => n.opType === 'Relu' || (n.opType === 'Clip' && clipBoundsConstant(lc, n)),
  );
  if (!next) return { kind: 'none' };
  if (next.opType === 'Relu') return { kind: 'relu' };
  return { kind: 'clip', ...clipBounds(lc, next) };
}

/** Clip's bounds as numbers (attributes before opset 11, constant inputs after). */
export function clipBounds(lc: LowerContext, node: GraphNode): { min: number; max: number } {
  if (lc.opset < 11) {
    const attr = (n: string, d: number) => {
      const a = node.attributes[n];
      return a?.kind === 'float' ? a.value : d;
    };
    return { min: attr('min', Number.NEGATIVE_INFINITY), max: attr('max', Number.POSITIVE_INFINITY) };
  }
  const bound = (i: number, d: number) => {
    const name = node.inputs[i];
    if (!name) return d;
    const t = lc.constant(name);
    return t?.data.length ? Number(t.data[0]) : d;
  };
  return { min: bound(1, Number.NEGATIVE_INFINITY), max: bound(2, Number.POSITIVE_INFINITY) };
}

/** Whether Clip's bounds are known at plan time. */
export function clipBoundsConstant(lc: LowerContext, node: GraphNode): boolean {
  if (lc.opset < 11) return true;
  return [1, 2].every((i) => !node.inputs[i] || lc.constant(node.inputs[i]) !== undefined);
}

// The part of onnxruntime's Level-1 ConstantFolding that changes which QDQ groups fuse: Shape of a
// tensor whose dims are static becomes a constant (ConstantFoldShapeNode), and so do the integer
// shape-math chains after it and Constant nodes (onnxruntime makes those initializers when it loads
// a model). The DequantizeLinear copy that EnsureUniqueDQForNodeUnit gave the Shape then has no
// reader and disappears, so the Q before it has a single DQ again: QDQS8ToU8Transformer converts
// that pair, and the group around it (GlobalAveragePool -> Q -> DQ -> Reshape in a PyTorch
// `x.view(x.size(0), -1)` head) fuses as it does in onnxruntime. Where the batch dim is symbolic,
// Level-1 ReshapeFusion does the same for that head: Reshape(x, Concat(Unsqueeze(Gather(Shape(x),
// i)) at position i, constants...)) gets the constant shape with 0 ("copy this dim") at those
// positions. None of this changes a number.
import { int64Tensor, isIntegerDType, type Tensor, toNumbers } from '../../kernels/tensor.js';
import type { Model } from '../model/ir.js';
import { inferShapes, type ShapeResult } from '../model/shape-inference.js';
import type { EditableGraph, EditNode } from './qdq-graph.js';
import { tensorsEqual } from './qdq-graph.js';

/** Constants whose value does not depend on how symbolic input dims are bound. */
function staticConstants(model: Model): Map<string, Tensor> | undefined {
  let runs: ShapeResult[];
  try {
    const symbolic = model.graph.inputs.some((i) => i.dims?.some((d) => typeof d !== 'number'));
    // Two bindings of the symbolic dims: a value that comes out the same both times is one
    // onnxruntime's symbolic shape inference knows statically too (a batch-dependent one is not).
    const opts = { maxConstantElements: Number.POSITIVE_INFINITY };
    runs = [inferShapes(model, { ...opts, defaultDim: 1 })];
    if (symbolic) runs.push(inferShapes(model, { ...opts, defaultDim: 2 }));
  } catch {
    return undefined; // an op without shape inference: fold nothing (onnxruntime folds at most more)
  }
  const out = new Map<string, Tensor>();
  for (const [name, t] of runs[0].constants) {
    if (runs.every((r) => r.constants.has(name) && tensorsEqual(r.constants.get(name)!, t))) out.set(name, t);
  }
  return out;
}

/** Constant (any type), Shape, or integer math on constant inputs, none of it a graph output. */
function foldable(g: EditableGraph, node: EditNode, constants: ReadonlyMap<string, Tensor>): boolean {
  if (node.domain !== '' || node.opType === 'QuantizeLinear' || node.opType === 'DequantizeLinear')
    return false;
  if (g.producesGraphOutput(node) || !node.outputs.every((o) => o && constants.has(o))) return false;
  if (node.opType === 'Constant') return true;
  // Float math stays where it is: onnxruntime would fold it too, but with its own f32 kernels.
  if (!node.outputs.every((o) => isIntegerDType(constants.get(o)!.dtype))) return false;
  return node.opType === 'Shape' || node.inputs.every((i) => !i || g.initializers.has(i));
}

/** Replaces statically known Shape/Constant/integer nodes with initializers; removes what fed only them. */
export function foldStaticShapes(g: EditableGraph, model: Model): void {
  // Only QDQ graphs: the rewrite leaves every other graph exactly as it was.
  if (!g.nodes.some((n) => n.opType === 'DequantizeLinear')) return;
  const constants = staticConstants({ ...model, graph: g.toGraph() });
  if (!constants) return;
  const orphans: string[] = [];
  for (const node of g.sortedNodes()) {
    if (!foldable(g, node, constants)) continue;
    for (const o of node.outputs) g.initializers.set(o, constants.get(o)!);
    orphans.push(...node.inputs.filter(Boolean));
    g.remove(node);
  }
  for (const node of g.sortedNodes()) {
    if (node.opType === 'Reshape' && node.domain === '') orphans.push(...fuseReshapeShape(g, node));
  }
  // Nodes that only fed folded ones (the DQ copy read by Shape, say) are dead now.
  while (orphans.length > 0) {
    const p = g.producer(orphans.pop()!);
    if (!p || g.producesGraphOutput(p) || g.outputUses(p).length > 0) continue;
    orphans.push(...p.inputs.filter(Boolean));
    g.remove(p);
  }
}

/**
 * ReshapeFusion::Fuse_Subgraph, for the inputs it matches exactly: the Concat giving the Reshape's
 * shape (read only by it) has, at each position i, an integer initializer or
 * Shape(root) -> Gather(i) -> Unsqueeze(axes [0]) with root the Reshape's data input; it becomes an
 * initializer with 0 at the Shape positions, at most one -1 in all. (onnxruntime also accepts some
 * one-element Shape -> Slice -> Squeeze chains as -1; those stay unfused here.) Returns the values
 * the removed nodes read.
 */
function fuseReshapeShape(g: EditableGraph, reshape: EditNode): string[] {
  const allowZero = reshape.attributes.allowzero;
  if (allowZero?.kind === 'int' && allowZero.value !== 0) return [];
  const concat = g.producer(reshape.inputs[1]);
  if (concat?.opType !== 'Concat' || concat.domain !== '') return [];
  if (g.producesGraphOutput(concat) || g.outputUses(concat).length !== 1) return [];
  const shape: number[] = [];
  for (const input of concat.inputs) {
    const t = g.constant(input);
    if (t) {
      if (t.dtype !== 'int64' && t.dtype !== 'int32') return [];
      shape.push(...toNumbers(t));
    } else if (isShapeDimOfRoot(g, input, reshape.inputs[0], shape.length)) {
      shape.push(0);
    } else {
      return [];
    }
  }
  if (shape.filter((d) => d === -1).length > 1) return [];
  g.initializers.set(concat.outputs[0], int64Tensor([shape.length], shape));
  g.remove(concat);
  return concat.inputs;
}

/** Unsqueeze(axes [0]) <- Gather(index) <- Shape(root), each read once. */
function isShapeDimOfRoot(g: EditableGraph, value: string, root: string, index: number): boolean {
  const single = (n: EditNode | undefined, op: string): n is EditNode =>
    !!n && n.opType === op && n.domain === '' && !g.producesGraphOutput(n) && g.outputUses(n).length === 1;
  const unsqueeze = g.producer(value);
  if (!single(unsqueeze, 'Unsqueeze')) return false;
  const axesAttr = unsqueeze.attributes.axes;
  const axes =
    g.opset() < 13 ? (axesAttr?.kind === 'ints' ? axesAttr.value : []) : constValues(g, unsqueeze.inputs[1]);
  if (axes.length !== 1 || axes[0] !== 0) return false;
  const gather = g.producer(unsqueeze.inputs[0]);
  if (!single(gather, 'Gather')) return false;
  const idx = constValues(g, gather.inputs[1]);
  if (idx.length !== 1 || idx[0] !== index) return false;
  const shapeNode = g.producer(gather.inputs[0]);
  if (!single(shapeNode, 'Shape')) return false;
  const start = shapeNode.attributes.start;
  if ((start?.kind === 'int' && start.value !== 0) || shapeNode.attributes.end !== undefined) return false;
  return shapeNode.inputs[0] === root || sameDequantize(g, shapeNode.inputs[0], root);
}

function constValues(g: EditableGraph, name: string | undefined): number[] {
  const t = g.constant(name);
  return t && (t.dtype === 'int64' || t.dtype === 'int32') ? toNumbers(t) : [];
}

/** Two DequantizeLinear copies of one tensor (onnxruntime compares their shapes: equal). */
function sameDequantize(g: EditableGraph, a: string, b: string): boolean {
  const pa = g.producer(a);
  const pb = g.producer(b);
  return (
    !!pa &&
    !!pb &&
    pa.opType === 'DequantizeLinear' &&
    pb.opType === 'DequantizeLinear' &&
    pa.inputs.join() === pb.inputs.join() &&
    JSON.stringify(pa.attributes) === JSON.stringify(pb.attributes)
  );
}

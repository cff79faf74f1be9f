// Constants become initializers before quantization. Exporters often store weights as
// `Constant` nodes (PyTorch) or compute them from constants (ConstantOfShape fills, a Reshape or
// Transpose of an initializer); onnxruntime's quantizer and its graph optimizer see such weights
// as initializers, so the quantization engine folds every node whose inputs are all constant
// (deterministic ops only) and sees one kind of constant.
import type { Tensor } from '../../kernels/tensor.js';
import { topologicalOrder } from '../exec/plan.js';
import type { GraphNode, Model } from '../model/ir.js';
import { runNode } from './node-runner.js';

// Q/DQ nodes are the quantization itself (an imported QDQ model's weights sit behind a DQ):
// they are never folded away.
const NOT_FOLDED = new Set([
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'Multinomial',
  'Bernoulli',
]);
/** Folded outputs larger than this stay computed at run time. */
const MAX_FOLDED_ELEMENTS = 1 << 24;

/** The model with every constant-only node (of the main graph) turned into initializers. */
export function materializeConstants(model: Model): Model {
  const g = model.graph;
  const initializers = new Map<string, Tensor>(g.initializers);
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  const folded = new Set<GraphNode>();
  for (const n of topologicalOrder(g)) {
    const foldable =
      (n.domain === '' || n.domain === 'ai.onnx') &&
      !NOT_FOLDED.has(n.opType) &&
      n.inputs.every((i) => !i || initializers.has(i)) &&
      n.outputs.every((o) => o && !graphOutputs.has(o));
    if (!foldable) continue;
    let outputs: Tensor[];
    try {
      outputs = runNode(
        model,
        n,
        n.inputs.map((i) => (i ? initializers.get(i) : undefined)),
        n.inputs.map(() => true),
      );
    } catch {
      continue; // left to run time, where its error (if any) is reported with the run
    }
    if (outputs.some((t) => t.data.length > MAX_FOLDED_ELEMENTS)) continue;
    for (const [k, o] of n.outputs.entries()) initializers.set(o, outputs[k]);
    folded.add(n);
  }
  if (folded.size === 0) return model;
  const nodes = g.nodes.filter((n) => !folded.has(n));
  return { ...model, graph: { ...g, nodes, initializers } };
}

// Constant nodes become initializers before quantization. Exporters (PyTorch among them) often
// store weights as `Constant` nodes; onnxruntime's quantizer and its graph optimizer both treat
// them as initializers, so the quantization engine sees one kind of constant only.
import type { Tensor } from '../../kernels/tensor.js';
import { findCpuOp } from '../exec/cpu/registry.js';
import { ModelError } from '../model/errors.js';
import { type GraphNode, type Model, opsetVersion } from '../model/ir.js';

/** The model with every Constant node (of the main graph) turned into an initializer. */
export function materializeConstants(model: Model): Model {
  const g = model.graph;
  const constants = g.nodes.filter((n) => n.opType === 'Constant' && n.domain === '' && n.outputs[0]);
  if (constants.length === 0) return model;
  const op = findCpuOp('', 'Constant');
  if (!op) throw new ModelError('the Constant op is missing from the CPU registry');
  const initializers = new Map<string, Tensor>(g.initializers);
  const opset = opsetVersion(model, '') ?? 1;
  for (const n of constants) {
    const [t] = op({ node: n, inputs: [], opset });
    initializers.set(n.outputs[0], t);
  }
  const kept: GraphNode[] = g.nodes.filter((n) => !constants.includes(n));
  return { ...model, graph: { ...g, nodes: kept, initializers } };
}

// Constant folding for shape inference (Shape -> Gather -> Concat -> Reshape chains) with the
// CPU reference ops. Shared by the CLI, the page and the WebGPU planner.
import type { Tensor } from '../../../kernels/tensor.js';
import { type GraphNode, type Model, opsetVersion } from '../../model/ir.js';
import { findCpuOp } from './registry.js';

export function cpuConstantEvaluator(model: Model) {
  return (node: GraphNode, inputs: readonly (Tensor | undefined)[]): Tensor[] | undefined => {
    const op = findCpuOp(node.domain, node.opType);
    if (!op) return undefined;
    try {
      return op({ node, inputs, opset: opsetVersion(model, node.domain) ?? 1 });
    } catch {
      return undefined; // folding is an optimisation; inference reports what it then lacks
    }
  };
}

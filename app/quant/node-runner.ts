// Runs one node with the CPU reference ops, outside the interpreter's whole-graph loop: the
// calibrator advances a frontier of values operator by operator.
import type { Tensor } from '../../kernels/tensor.js';
import type { ExecSettings } from '../exec/cpu/op-types.js';
import { findCpuOp } from '../exec/cpu/registry.js';
import { ModelError } from '../model/errors.js';
import { type GraphNode, type Model, opsetVersion } from '../model/ir.js';

export function runNode(
  model: Model,
  node: GraphNode,
  inputs: readonly (Tensor | undefined)[],
  constantInputs: readonly boolean[],
  settings?: ExecSettings,
): Tensor[] {
  const op = findCpuOp(node.domain, node.opType);
  if (!op)
    throw new ModelError(
      `node '${node.name}': unsupported op ${node.domain ? `${node.domain}.` : ''}${node.opType}`,
    );
  const opset = opsetVersion(model, node.domain) ?? 1;
  try {
    return op({ node, inputs, opset, settings, constantInputs });
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError(`node '${node.name}' (${node.opType}): ${(e as Error).message}`);
  }
}

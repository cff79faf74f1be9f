// The unary table's ops (kernels/unary/unary.ref.ts) on the CPU: attributes by the table's names
// and defaults; Gelu's `approximate` picks the table's tanh variant.
import { UNARY_OPS, type UnaryName, unaryDef, unaryRef } from '../../../../kernels/unary/unary.ref.js';
import { attrFloat, attrString } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { GraphNode } from '../../../model/ir.js';
import type { CpuOp, OpTable } from '../op-types.js';
import { opKey, required } from '../op-types.js';

/** The table entry a node runs and its attribute values (a, b); shared with the GPU lowering. */
export function unaryCall(node: GraphNode): { name: UnaryName; a: number; b: number } {
  let name = node.opType as UnaryName;
  if (name === 'Gelu') {
    const mode = attrString(node, 'approximate');
    if (mode === 'tanh') name = 'GeluTanh';
    else if (mode !== 'none')
      throw new ModelError(`node '${node.name}' (Gelu): approximate '${mode}' is not supported (none, tanh)`);
  }
  const [a, b] = (unaryDef(name).attrs ?? []).map(([attr, dflt]) => attrFloat(node, attr, dflt));
  return { name, a: a ?? 0, b: b ?? 0 };
}

const unary: CpuOp = (ctx) => {
  const { name, a, b } = unaryCall(ctx.node);
  return [unaryRef(name, required(ctx, 0), a, b)];
};

export const unaryOps: OpTable = Object.fromEntries(UNARY_OPS.map((op) => [opKey('', op), unary]));

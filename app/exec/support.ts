// Which nodes of a model an executor cannot run, grouped by op with their node names.
import { ModelError, UnsupportedOpsError } from '../model/errors.js';
import type { Model } from '../model/ir.js';

export interface UnsupportedOp {
  readonly opType: string;
  readonly domain: string;
  readonly nodes: readonly string[];
}

export function findUnsupported(
  model: Model,
  isSupported: (domain: string, opType: string) => boolean,
): UnsupportedOp[] {
  const byOp = new Map<string, { opType: string; domain: string; nodes: string[] }>();
  for (const n of model.graph.nodes) {
    if (isSupported(n.domain, n.opType)) continue;
    const key = `${n.domain}::${n.opType}`;
    const entry = byOp.get(key) ?? { opType: n.opType, domain: n.domain, nodes: [] };
    entry.nodes.push(n.name);
    byOp.set(key, entry);
  }
  return [...byOp.values()];
}

export function assertSupported(
  model: Model,
  isSupported: (domain: string, opType: string) => boolean,
): void {
  const missing = findUnsupported(model, isSupported);
  if (missing.length) throw new UnsupportedOpsError(missing);
  // Values flow as tensors only: a sequence / optional / map graph input or output cannot be fed.
  const io = [
    ...model.graph.inputs.map((v) => ['input', v] as const),
    ...model.graph.outputs.map((v) => ['output', v] as const),
  ];
  const untyped = io.find(([, v]) => v.unsupportedType);
  if (untyped) {
    const [role, v] = untyped;
    throw new ModelError(
      `graph ${role} '${v.name}' has element type ${v.unsupportedType}, which is not supported`,
    );
  }
  const odd = io.find(([, v]) => v.kind);
  if (odd) {
    const [role, v] = odd;
    throw new ModelError(
      `graph ${role} '${v.name}' is ${v.kind === 'optional' ? 'an' : 'a'} ${v.kind}: only tensors are supported`,
    );
  }
}

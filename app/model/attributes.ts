// Typed attribute access with the defaults of the op-schema table, so no op repeats them.
import type { Tensor } from '../../kernels/tensor.js';
import { ModelError } from './errors.js';
import type { AttrValue, GraphNode } from './ir.js';
import { findSchema } from './op-schema.js';

function lookup(node: GraphNode, name: string, kinds: readonly AttrValue['kind'][]): AttrValue | undefined {
  const a = node.attributes[name];
  if (a === undefined) return undefined;
  if (!kinds.includes(a.kind)) {
    throw new ModelError(`node '${node.name}' (${node.opType}): attribute '${name}' is ${a.kind}, expected ${kinds.join(' or ')}`);
  }
  return a;
}

function schemaDefault(node: GraphNode, name: string): number | string | readonly number[] | undefined {
  return findSchema(node.domain, node.opType)?.attributes[name]?.default;
}

function missing(node: GraphNode, name: string): never {
  throw new ModelError(`node '${node.name}' (${node.opType}) needs attribute '${name}'`);
}

export function hasAttr(node: GraphNode, name: string): boolean {
  return node.attributes[name] !== undefined;
}

export function attrInt(node: GraphNode, name: string, fallback?: number): number {
  const a = lookup(node, name, ['int']);
  if (a?.kind === 'int') return a.value;
  const d = schemaDefault(node, name) ?? fallback;
  return typeof d === 'number' ? d : missing(node, name);
}

export function attrFloat(node: GraphNode, name: string, fallback?: number): number {
  const a = lookup(node, name, ['float', 'int']);
  if (a?.kind === 'float' || a?.kind === 'int') return a.value;
  const d = schemaDefault(node, name) ?? fallback;
  return typeof d === 'number' ? d : missing(node, name);
}

export function attrString(node: GraphNode, name: string, fallback?: string): string {
  const a = lookup(node, name, ['string']);
  if (a?.kind === 'string') return a.value;
  const d = schemaDefault(node, name) ?? fallback;
  return typeof d === 'string' ? d : missing(node, name);
}

/** An ints attribute, or `undefined` when absent and the schema gives no default. */
export function attrInts(node: GraphNode, name: string): readonly number[] | undefined {
  const a = lookup(node, name, ['ints']);
  if (a?.kind === 'ints') return a.value;
  const d = schemaDefault(node, name);
  return Array.isArray(d) ? d : undefined;
}

export function attrFloats(node: GraphNode, name: string): readonly number[] | undefined {
  const a = lookup(node, name, ['floats']);
  return a?.kind === 'floats' ? a.value : undefined;
}

export function attrTensor(node: GraphNode, name: string): Tensor | undefined {
  const a = lookup(node, name, ['tensor']);
  return a?.kind === 'tensor' ? a.value : undefined;
}

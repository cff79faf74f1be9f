// Lays out a model graph top to bottom with dagre: one box per op node, a pill per graph input
// and output. Initializers are not drawn (the inspector lists them with their statistics), nor
// are the nodes the folding puts inside their consumers (Constant weights, shape chains).
import dagre from '@dagrejs/dagre';
import type { GraphFolding } from '../model/graph-folding.js';
import type { Model, ValueInfo } from '../model/ir.js';
import { opCategory } from './categories.js';

export interface LaidNode {
  readonly id: string;
  readonly kind: 'op' | 'input' | 'output';
  readonly title: string; // op type (clipped), or the value name for inputs/outputs
  readonly opType: string; // the full op type ('' for inputs/outputs)
  readonly subtitle: string; // output shape(s)
  readonly nodeName: string | null; // the GraphNode name, for selection
  readonly category: string;
  /** Nodes folded into this one (drawn as a count). */
  readonly folded: number;
  readonly x: number; // centre
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LaidEdge {
  readonly id: string;
  /** The value the edge carries. */
  readonly value: string;
  readonly points: readonly { x: number; y: number }[];
}

export interface GraphLayout {
  readonly nodes: readonly LaidNode[];
  readonly edges: readonly LaidEdge[];
  readonly width: number;
  readonly height: number;
}

const CHAR_WIDTH = 7; // 12px system font, roughly; boxes only need to be wide enough
const MIN_WIDTH = 72;
const MAX_LABEL = 28;

function clip(text: string): string {
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

function shapeText(name: string, known: ReadonlyMap<string, ValueInfo>): string {
  const dims = known.get(name)?.dims;
  return dims ? `${dims.join('×') || 'scalar'}` : '';
}

export function layoutGraph(
  model: Model,
  known: ReadonlyMap<string, ValueInfo>,
  folding?: GraphFolding,
): GraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 34, edgesep: 12, marginx: 24, marginy: 24 });
  g.setDefaultEdgeLabel(() => ({}));
  const meta = new Map<string, Omit<LaidNode, 'x' | 'y'>>();
  const add = (n: Omit<LaidNode, 'x' | 'y' | 'width' | 'height'>) => {
    const chars = Math.max(n.title.length, n.subtitle.length);
    const width = Math.max(MIN_WIDTH, chars * CHAR_WIDTH + 24);
    const height = n.kind === 'op' ? (n.subtitle ? 40 : 28) : 26;
    meta.set(n.id, { ...n, width, height });
    g.setNode(n.id, { width, height });
  };
  const producer = new Map<string, string>();
  const graph = model.graph;
  for (const v of graph.inputs) {
    add({
      id: `in:${v.name}`,
      kind: 'input',
      title: clip(v.name),
      opType: '',
      subtitle: '',
      nodeName: null,
      category: 'io',
      folded: 0,
    });
    producer.set(v.name, `in:${v.name}`);
  }
  const hidden = folding?.hidden;
  graph.nodes.forEach((n, i) => {
    if (hidden?.has(i)) return;
    const id = `op:${i}`;
    const shapes = n.outputs
      .filter(Boolean)
      .map((o) => shapeText(o, known))
      .filter(Boolean);
    add({
      id,
      kind: 'op',
      title: clip(n.opType),
      opType: n.opType,
      subtitle: clip(shapes.join(', ')),
      nodeName: n.name,
      category: opCategory(n.domain, n.opType),
      folded: folding?.foldedInto.get(i)?.length ?? 0,
    });
    for (const o of n.outputs) if (o) producer.set(o, id);
  });
  let edgeCount = 0;
  const connect = (from: string | undefined, to: string, value: string) => {
    if (from) g.setEdge(from, to, { value }, `e${edgeCount++}`);
  };
  graph.nodes.forEach((n, i) => {
    if (hidden?.has(i)) return;
    for (const name of new Set(n.inputs)) if (name) connect(producer.get(name), `op:${i}`, name);
  });
  for (const v of graph.outputs) {
    add({
      id: `out:${v.name}`,
      kind: 'output',
      title: clip(v.name),
      opType: '',
      subtitle: '',
      nodeName: null,
      category: 'io',
      folded: 0,
    });
    connect(producer.get(v.name), `out:${v.name}`, v.name);
  }
  dagre.layout(g);
  const nodes: LaidNode[] = g.nodes().map((id) => {
    const pos = g.node(id);
    return { ...meta.get(id)!, x: pos.x, y: pos.y };
  });
  const edges: LaidEdge[] = g.edges().map((e) => {
    const label = g.edge(e) as { value: string; points?: { x: number; y: number }[] };
    return { id: e.name ?? `${e.v}-${e.w}`, value: label.value, points: label.points ?? [] };
  });
  const size = g.graph();
  return { nodes, edges, width: size.width ?? 0, height: size.height ?? 0 };
}

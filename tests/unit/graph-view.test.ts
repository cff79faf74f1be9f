// The graph view's pure parts: the layout skips folded nodes without inventing boxes for them,
// and the viewport arithmetic behind Fit, "bring the selection into view" and the minimap.
import { describe, expect, it } from 'vitest';
import { foldGraph } from '../../app/model/graph-folding.js';
import { layoutGraph } from '../../app/ui/graph-layout.js';
import { fitView, focusView, nodeInView, READABLE_SCALE, visibleRect } from '../../app/ui/graph-viewport.js';
import { makeTensor } from '../../kernels/tensor.js';
import { model } from './shape-inference.helper.js';

const m = model({
  inputs: [['x', 'float32', [1, 1, 8, 8]]],
  nodes: [
    { op: 'Constant', in: [], out: ['W'], attrs: { value: makeTensor('float32', [2, 1, 3, 3]) }, name: 'cw' },
    { op: 'Conv', in: ['x', 'W'], out: ['c'], name: 'conv' },
    { op: 'Relu', in: ['c'], out: ['y'], name: 'relu' },
  ],
});

describe('layoutGraph with folding', () => {
  const layout = layoutGraph(m, new Map(), foldGraph(m.graph));
  it('draws the drawn nodes and the graph input/output only, with the folded count', () => {
    expect(layout.nodes.map((n) => n.id).sort()).toEqual(['in:x', 'op:1', 'op:2', 'out:y']);
    expect(layout.nodes.find((n) => n.nodeName === 'conv')?.folded).toBe(1);
    expect(layout.nodes.find((n) => n.nodeName === 'conv')?.opType).toBe('Conv');
  });
  it('names the value on every edge, and none comes from a folded node', () => {
    expect(layout.edges.map((e) => e.value).sort()).toEqual(['c', 'x', 'y']);
  });
  it('draws everything without a folding', () => {
    expect(layoutGraph(m, new Map()).nodes).toHaveLength(5);
  });
});

describe('viewport arithmetic', () => {
  const port = { width: 800, height: 600 };
  const node = { x: 400, y: 2000, width: 80, height: 40 } as Parameters<typeof nodeInView>[0];
  it('Fit shows the whole scene below the tool bar; the readable fit starts at the top', () => {
    const whole = fitView({ width: 400, height: 5000 }, port, false);
    const r = visibleRect(whole, port);
    expect(r.height).toBeGreaterThanOrEqual(5000);
    const readable = fitView({ width: 400, height: 5000 }, port, true);
    expect(readable.k).toBeGreaterThan(whole.k);
    expect(visibleRect(readable, port).y).toBeLessThan(0); // the scene's top edge shows, under the bar
  });
  it('focus centres a node off screen at a readable scale', () => {
    const start = { x: 0, y: 0, k: 0.1 };
    expect(nodeInView(node, start, port)).toBe(false);
    const v = focusView(node, start, port);
    expect(v.k).toBe(READABLE_SCALE);
    expect(nodeInView(node, v, port)).toBe(true);
    expect(node.x * v.k + v.x).toBeCloseTo(port.width / 2);
    expect(node.y * v.k + v.y).toBeCloseTo(port.height / 2);
  });
});

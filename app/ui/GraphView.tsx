// The graph: an SVG laid out by dagre, panned and zoomed by d3-zoom (which moves one <g>
// directly, so zooming never re-renders React). Click a node to inspect it.
import { select, type ZoomBehavior, zoom, zoomIdentity } from 'd3';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { selectNode, useAppStore, useModelView } from '../store/index.js';
import { GraphEdges } from './GraphEdges.js';
import { GraphLegend } from './GraphLegend.js';
import { GraphNodeBox } from './GraphNodeBox.js';
import { layoutGraph } from './graph-layout.js';

export function GraphView() {
  const view = useModelView();
  const selected = useAppStore((s) => s.selectedNode);
  const layout = useMemo(() => (view ? layoutGraph(view.model, view.known) : null), [view]);
  const svgRef = useRef<SVGSVGElement>(null);
  const sceneRef = useRef<SVGGElement>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const behavior = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.05, 4])
      .on('zoom', (event) => sceneRef.current?.setAttribute('transform', event.transform.toString()));
    zoomRef.current = behavior;
    select(svg).call(behavior).on('dblclick.zoom', null);
    return () => {
      select(svg).on('.zoom', null);
    };
  }, []);

  // A new model: fit it, but never below a readable scale (then start at the top).
  const fitView = useCallback(
    (whole: boolean) => {
      const svg = svgRef.current;
      if (!svg || !layout || !zoomRef.current) return;
      const { width, height } = svg.getBoundingClientRect();
      const fit = Math.min(width / layout.width, height / layout.height, 1.25);
      const scale = whole ? fit : Math.max(fit, Math.min(0.7, width / layout.width));
      const x = (width - layout.width * scale) / 2;
      const y = fit >= scale ? (height - layout.height * scale) / 2 : 0;
      select(svg).call(zoomRef.current.transform, zoomIdentity.translate(x, y).scale(scale));
    },
    [layout],
  );
  useEffect(() => fitView(false), [fitView]);

  return (
    <div className="graph-view">
      <svg
        ref={svgRef}
        className="graph-svg"
        role="img"
        aria-label={view ? `graph of ${view.model.graph.nodes.length} nodes` : 'no model'}
        onClick={(e) => {
          if (e.target === svgRef.current) selectNode(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') selectNode(null);
        }}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 8 8"
            refX="7"
            refY="4"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L8,4 L0,8 z" className="edge-arrow" />
          </marker>
        </defs>
        <g ref={sceneRef}>
          {layout && <GraphEdges edges={layout.edges} />}
          {layout?.nodes.map((n) => (
            <GraphNodeBox key={n.id} node={n} selected={n.nodeName !== null && n.nodeName === selected} />
          ))}
        </g>
      </svg>
      {layout && (
        <div className="graph-tools">
          <button type="button" className="button" onClick={() => fitView(true)} title="Fit the whole graph">
            Fit
          </button>
          <GraphLegend nodes={layout.nodes} />
        </div>
      )}
      {!view && <div className="graph-empty">Drop an ONNX model here, or use Open model…</div>}
    </div>
  );
}

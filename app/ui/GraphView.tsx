// The graph: an SVG laid out by dagre (once per model), panned and zoomed by d3-zoom, which moves
// one <g> directly, so pan and zoom never re-render React. A minimap shows the whole graph and
// where the view is; a selection made anywhere (the graph, the metrics table, the inspector)
// brings its node into view. After calibration the boxes take their layer's SQNR colour.
import { select, type ZoomBehavior, zoom, zoomIdentity } from 'd3';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { selectNode, useAppStore, useModelView } from '../store/index.js';
import { useCalibrationNode, useNodeColours, useQuantEdges, useQuantStore } from '../store/quant-index.js';
import { GraphEdges } from './GraphEdges.js';
import { GraphLegend, SqnrLegend } from './GraphLegend.js';
import { GraphMinimap, minimapScale } from './GraphMinimap.js';
import { GraphNodeBox } from './GraphNodeBox.js';
import { GraphQuantMarks } from './GraphQuantMarks.js';
import { layoutGraph } from './graph-layout.js';
import { fitView, focusView, LABEL_SCALE, nodeInView, type View, visibleRect } from './graph-viewport.js';

export function GraphView() {
  const view = useModelView();
  const selected = useAppStore((s) => s.selectedNode);
  const marks = useNodeColours();
  const calibrating = useCalibrationNode();
  const quantEdges = useQuantEdges();
  const layout = useMemo(() => (view ? layoutGraph(view.model, view.known, view.folding) : null), [view]);
  const svgRef = useRef<SVGSVGElement>(null);
  const sceneRef = useRef<SVGGElement>(null);
  const miniViewRef = useRef<SVGRectElement>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const viewRef = useRef<View>({ x: 0, y: 0, k: 1 });
  const layoutRef = useRef(layout);
  layoutRef.current = layout;

  // A folded node (a Constant, a shape computation) is shown by the drawn node it feeds.
  const drawnSelected = useMemo(() => {
    if (!view || !selected) return null;
    const i = view.model.graph.nodes.findIndex((n) => n.name === selected);
    const host = i >= 0 ? view.folding.hostOf.get(i) : undefined;
    return host !== undefined ? view.model.graph.nodes[host].name : selected;
  }, [view, selected]);

  const zoomingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastScale = useRef(1);
  /**
   * The minimap's rectangle and the labels' level of detail follow the view (no React). While
   * a gesture changes the scale, labels are hidden: every new scale re-rasterizes every glyph, which was
   * most of a zoom frame's cost (100 ms against 33 ms without text at 4x CPU throttling).
   */
  const syncView = useCallback((v: View, gesture: boolean) => {
    const svg = svgRef.current;
    const l = layoutRef.current;
    if (!svg) return;
    svg.classList.toggle('zoomed-out', v.k < LABEL_SCALE);
    // Only a gesture (wheel, pinch) changes the scale frame after frame; a jump keeps its labels.
    if (gesture && v.k !== lastScale.current) {
      svg.classList.add('zooming');
      if (zoomingTimer.current) clearTimeout(zoomingTimer.current);
      zoomingTimer.current = setTimeout(() => svg.classList.remove('zooming'), 150);
    }
    const rect = miniViewRef.current;
    if (!rect || !l) return;
    const { sx, sy } = minimapScale(l);
    const r = visibleRect(v, svg.getBoundingClientRect());
    rect.setAttribute('x', (r.x * sx).toFixed(1));
    rect.setAttribute('y', (r.y * sy).toFixed(1));
    rect.setAttribute('width', (r.width * sx).toFixed(1));
    rect.setAttribute('height', (r.height * sy).toFixed(1));
  }, []);

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const behavior = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.02, 4])
      .on('zoom', (event) => {
        const t = event.transform;
        viewRef.current = { x: t.x, y: t.y, k: t.k };
        sceneRef.current?.setAttribute('transform', t.toString());
        syncView(viewRef.current, event.sourceEvent != null);
        lastScale.current = t.k;
      });
    zoomRef.current = behavior;
    select(svg).call(behavior).on('dblclick.zoom', null);
    return () => {
      select(svg).on('.zoom', null);
      if (zoomingTimer.current) clearTimeout(zoomingTimer.current);
    };
  }, [syncView]);

  const apply = useCallback((v: View, animate: boolean) => {
    const svg = svgRef.current;
    const behavior = zoomRef.current;
    if (!svg || !behavior) return;
    const t = zoomIdentity.translate(v.x, v.y).scale(v.k);
    if (animate) select(svg).transition().duration(250).call(behavior.transform, t);
    else select(svg).call(behavior.transform, t);
  }, []);

  const fitGraph = useCallback(
    (whole: boolean) => {
      const svg = svgRef.current;
      if (!svg || !layout) return;
      apply(fitView(layout, svg.getBoundingClientRect(), !whole), false);
    },
    [layout, apply],
  );
  // A new model: fit it, but never below a readable scale (then start at the top).
  useEffect(() => fitGraph(false), [fitGraph]);

  const focusNode = useCallback(
    (name: string, always: boolean) => {
      const svg = svgRef.current;
      const node = layout?.nodes.find((n) => n.nodeName === name);
      if (!svg || !node) return;
      const port = svg.getBoundingClientRect();
      if (always || !nodeInView(node, viewRef.current, port))
        apply(focusView(node, viewRef.current, port), true);
    },
    [layout, apply],
  );
  const reveal = useCallback((name: string) => focusNode(name, false), [focusNode]);
  // A selection from anywhere brings its node into view (a click in the graph is already there).
  useEffect(() => {
    if (drawnSelected) focusNode(drawnSelected, false);
  }, [drawnSelected, focusNode]);

  // Stepping through calibration: the next operator comes into view (not while Calibrate runs
  // through them all, which would jump the view every few milliseconds).
  const stepping = useQuantStore((s) => s.phase === 'paused');
  useEffect(() => {
    if (calibrating && stepping) focusNode(calibrating, false);
  }, [calibrating, stepping, focusNode]);

  const moveTo = useCallback(
    (x: number, y: number) => {
      const svg = svgRef.current;
      if (!svg) return;
      const port = svg.getBoundingClientRect();
      const k = viewRef.current.k;
      apply({ x: port.width / 2 - x * k, y: port.height / 2 - y * k, k }, false);
    },
    [apply],
  );

  return (
    <div className="graph-view">
      <svg
        ref={svgRef}
        className="graph-svg"
        role="img"
        aria-label={view ? `graph of ${layout?.nodes.length ?? 0} boxes` : 'no model'}
        data-testid="graph-svg"
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
        <g ref={sceneRef} data-testid="graph-scene">
          {layout && <GraphEdges edges={layout.edges} />}
          {layout && quantEdges && <GraphQuantMarks edges={layout.edges} quant={quantEdges} />}
          {layout?.nodes.map((n) => (
            <GraphNodeBox
              key={n.id}
              node={n}
              selected={n.nodeName !== null && n.nodeName === drawnSelected}
              mark={n.nodeName ? marks.get(n.nodeName) : undefined}
              active={n.nodeName !== null && n.nodeName === calibrating}
              reveal={reveal}
            />
          ))}
        </g>
      </svg>
      {layout && (
        <div className="graph-tools">
          <button type="button" className="button" onClick={() => fitGraph(true)} title="Fit the whole graph">
            Fit
          </button>
          <button
            type="button"
            className="button"
            disabled={!drawnSelected}
            onClick={() => drawnSelected && focusNode(drawnSelected, true)}
          >
            Zoom to selection
          </button>
          <GraphLegend nodes={layout.nodes} />
          <SqnrLegend marks={marks} />
        </div>
      )}
      {layout && <GraphMinimap layout={layout} marks={marks} viewportRef={miniViewRef} onMove={moveTo} />}
      {!view && <div className="graph-empty">Drop an ONNX model here, or use Open model…</div>}
    </div>
  );
}

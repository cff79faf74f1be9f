// The overview of the whole graph: every box as a dot of its colour (one <path> per colour,
// so 500 nodes cost a handful of elements), and the part the main view shows as a rectangle.
// Click or drag in it to move the view there. The parent moves the rectangle on zoom events
// directly (no React render per frame).
import { memo, type RefObject, useMemo, useRef } from 'react';
import type { NodeQuantMark } from '../store/quant-index.js';
import { categoryFill } from './categories.js';
import type { GraphLayout } from './graph-layout.js';

const MAX_WIDTH = 180;
const MAX_HEIGHT = 220;
/** A tall narrow graph (a 500-node chain) would be a sliver: its width is stretched to this. */
const MIN_WIDTH = 64;

/** Minimap pixels per scene unit, per axis (equal unless the graph is very tall and narrow). */
export function minimapScale(layout: GraphLayout): { sx: number; sy: number } {
  const w = Math.max(layout.width, 1);
  const s = Math.min(MAX_WIDTH / w, MAX_HEIGHT / Math.max(layout.height, 1));
  return { sx: w * s < MIN_WIDTH ? MIN_WIDTH / w : s, sy: s };
}

export const GraphMinimap = memo(function GraphMinimap({
  layout,
  marks,
  viewportRef,
  onMove,
}: {
  layout: GraphLayout;
  marks: ReadonlyMap<string, NodeQuantMark>;
  viewportRef: RefObject<SVGRectElement | null>;
  /** Centre the main view on this scene point. */
  onMove: (x: number, y: number) => void;
}) {
  const { sx, sy } = minimapScale(layout);
  const width = Math.max(layout.width * sx, 24);
  const height = Math.max(layout.height * sy, 24);
  const paths = useMemo(() => {
    const byFill = new Map<string, string[]>();
    for (const n of layout.nodes) {
      const mark = n.nodeName ? marks.get(n.nodeName) : undefined;
      const fill = n.kind === 'op' ? (mark?.fill ?? categoryFill(n.category)) : '#ffffff';
      // At least 2px so a box never vanishes from the overview.
      const w = Math.max(n.width * sx, 2);
      const h = Math.max(n.height * sy, 2);
      const d = `M${((n.x - n.width / 2) * sx).toFixed(1)},${((n.y - n.height / 2) * sy).toFixed(1)}h${w.toFixed(1)}v${h.toFixed(1)}h${(-w).toFixed(1)}z`;
      const list = byFill.get(fill);
      if (list) list.push(d);
      else byFill.set(fill, [d]);
    }
    return [...byFill].map(([fill, ds]) => ({ fill, d: ds.join('') }));
  }, [layout, marks, sx, sy]);
  const dragging = useRef(false);
  const moveTo = (e: React.PointerEvent<SVGSVGElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    onMove((e.clientX - r.left) / sx, (e.clientY - r.top) / sy);
  };
  return (
    <div className="graph-minimap" data-testid="graph-minimap">
      <svg
        width={width}
        height={height}
        role="img"
        aria-label="Graph overview: click or drag to move the view"
        onPointerDown={(e) => {
          dragging.current = true;
          e.currentTarget.setPointerCapture(e.pointerId);
          moveTo(e);
        }}
        onPointerMove={(e) => {
          if (dragging.current) moveTo(e);
        }}
        onPointerUp={() => {
          dragging.current = false;
        }}
        onPointerCancel={() => {
          dragging.current = false;
        }}
      >
        {paths.map((p) => (
          <path key={p.fill} d={p.d} style={{ fill: p.fill }} className="minimap-nodes" />
        ))}
        <rect ref={viewportRef} className="minimap-view" data-testid="minimap-view" />
      </svg>
    </div>
  );
});

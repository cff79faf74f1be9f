// The simulated quantize ops on the graph: a small marker on every edge that carries a
// quantized activation, and passthrough edges (the tensor stays float) dashed with a hollow
// marker. Read from the session's plan through the store; nothing is computed here.
import { memo } from 'react';
import type { QuantEdges } from '../store/quant-index.js';
import type { LaidEdge } from './graph-layout.js';

/** A point a little way along the edge from its producer (where the Q/DQ pair sits). */
function markerPoint(points: readonly { x: number; y: number }[]): { x: number; y: number } | null {
  if (points.length < 2) return null;
  const [a, b] = points;
  const length = Math.hypot(b.x - a.x, b.y - a.y);
  const t = length > 0 ? Math.min(1, 12 / length) : 0;
  return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
}

function path(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join('');
}

export const GraphQuantMarks = memo(function GraphQuantMarks({
  edges,
  quant,
}: {
  edges: readonly LaidEdge[];
  quant: QuantEdges;
}) {
  const marked = edges.filter((e) => quant.quantized.has(e.value));
  return (
    <g className="quant-marks">
      {marked.map((e) => {
        const p = markerPoint(e.points);
        const passthrough = quant.passthrough.has(e.value);
        return (
          <g key={e.id} className={passthrough ? 'q-edge passthrough' : 'q-edge'} data-tensor={e.value}>
            {passthrough && <path d={path(e.points)} className="edge-passthrough" />}
            {p && (
              <rect
                className="q-marker"
                x={p.x - 4}
                y={p.y - 4}
                width={8}
                height={8}
                transform={`rotate(45 ${p.x.toFixed(1)} ${p.y.toFixed(1)})`}
              >
                <title>{`${e.value}: ${passthrough ? 'passthrough (float)' : 'quantize-dequantize'}`}</title>
              </rect>
            )}
          </g>
        );
      })}
    </g>
  );
});

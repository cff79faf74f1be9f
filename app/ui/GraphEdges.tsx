import { memo } from 'react';
import type { LaidEdge } from './graph-layout.js';

function path(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join('');
}

export const GraphEdges = memo(function GraphEdges({ edges }: { edges: readonly LaidEdge[] }) {
  return (
    <g className="edges">
      {edges.map((e) => (
        <path key={e.id} d={path(e.points)} className="edge" markerEnd="url(#arrow)" />
      ))}
    </g>
  );
});

import { categoryFill } from './categories.js';
import type { LaidNode } from './graph-layout.js';

/** The op categories present in the graph, with their colours. */
export function GraphLegend({ nodes }: { nodes: readonly LaidNode[] }) {
  const present = [...new Set(nodes.filter((n) => n.kind === 'op').map((n) => n.category))].sort();
  if (present.length === 0) return null;
  return (
    <div className="legend" data-testid="legend">
      {present.map((c) => (
        <span key={c} className="legend-item">
          <span className="legend-swatch" style={{ background: categoryFill(c) }} />
          {c}
        </span>
      ))}
    </div>
  );
}

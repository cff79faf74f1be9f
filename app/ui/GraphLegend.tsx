import { memo } from 'react';
import { type NodeQuantMark, SQNR_BANDS } from '../store/quant-index.js';
import { categoryFill } from './categories.js';
import { SqnrKindSwitch } from './SqnrKindSwitch.js';
import type { LaidNode } from './graph-layout.js';

/** The op categories present in the graph, with their colours. */
export const GraphLegend = memo(function GraphLegend({ nodes }: { nodes: readonly LaidNode[] }) {
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
});

/** After calibration: what the SQNR colours and badges mean, and the local/cumulative switch. */
export function SqnrLegend({ marks }: { marks: ReadonlyMap<string, NodeQuantMark> }) {
  if (marks.size === 0) return null;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a legend box, not a form fieldset
    <div className="legend sqnr-legend" data-testid="sqnr-legend" role="group" aria-label="SQNR legend">
      <SqnrKindSwitch
        label="Graph SQNR"
        text={(k) => (k === 'local' ? 'Local SQNR' : 'Cumulative SQNR')}
        testIdPrefix="graph-sqnr"
      />
      {SQNR_BANDS.map((b) => (
        <span key={b.label} className="legend-item">
          <span className="legend-swatch" style={{ background: b.fill }} />
          {b.label}
        </span>
      ))}
      <span className="legend-item">
        <span className="legend-badge overflow">!</span>overflow
      </span>
      <span className="legend-item">
        <span className="legend-badge clip">✂</span>clipping &gt; 1%
      </span>
      <span className="legend-item">
        <span className="legend-qmarker" />
        quantize op
      </span>
    </div>
  );
}

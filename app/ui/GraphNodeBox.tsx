import { memo } from 'react';
import { selectNode } from '../store/index.js';
import { categoryFill } from './categories.js';
import type { LaidNode } from './graph-layout.js';

export const GraphNodeBox = memo(function GraphNodeBox({
  node,
  selected,
}: {
  node: LaidNode;
  selected: boolean;
}) {
  const left = node.x - node.width / 2;
  const top = node.y - node.height / 2;
  if (node.kind !== 'op') {
    return (
      <g className={`graph-io graph-io-${node.kind}`} transform={`translate(${left},${top})`}>
        <title>{`graph ${node.kind}: ${node.title}`}</title>
        <rect width={node.width} height={node.height} rx={node.height / 2} />
        <text x={node.width / 2} y={node.height / 2 + 4} textAnchor="middle">
          {node.title}
        </text>
      </g>
    );
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: SVG has no <button>; the <g> gets the role, focus and keys
    <g
      className={`graph-node${selected ? ' selected' : ''}`}
      data-node={node.nodeName ?? undefined}
      data-op={node.title}
      data-category={node.category}
      transform={`translate(${left},${top})`}
      role="button"
      tabIndex={0}
      aria-label={`${node.title} node ${node.nodeName}`}
      aria-pressed={selected}
      onClick={(e) => {
        e.stopPropagation();
        selectNode(node.nodeName);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          selectNode(node.nodeName);
        }
      }}
    >
      <title>{`${node.nodeName} (${node.category})`}</title>
      <rect width={node.width} height={node.height} rx={4} style={{ fill: categoryFill(node.category) }} />
      <text className="graph-node-op" x={node.width / 2} y={node.subtitle ? 16 : 18} textAnchor="middle">
        {node.title}
      </text>
      {node.subtitle && (
        <text className="graph-node-shape" x={node.width / 2} y={31} textAnchor="middle">
          {node.subtitle}
        </text>
      )}
    </g>
  );
});

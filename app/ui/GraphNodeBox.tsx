// One drawn node: a box coloured by op category, or by its layer's SQNR once metrics exist, with
// badges for accumulator overflow and heavy clipping. Memoized: a selection or a colour change
// re-renders only the boxes whose props changed.
import { memo } from 'react';
import { selectNode } from '../store/index.js';
import type { NodeQuantMark } from '../store/quant-index.js';
import { categoryFill } from './categories.js';
import type { LaidNode } from './graph-layout.js';

function Badges({ mark, width }: { mark: NodeQuantMark; width: number }) {
  const badges: { key: string; text: string; title: string }[] = [];
  if (mark.overflow) badges.push({ key: 'overflow', text: '!', title: 'accumulator overflow' });
  if (mark.heavyClip) badges.push({ key: 'clip', text: '✂', title: 'heavy clipping (over 1% of values)' });
  return (
    <>
      {badges.map((b, i) => (
        <g
          key={b.key}
          className={`graph-badge graph-badge-${b.key}`}
          data-badge={b.key}
          transform={`translate(${width - 2 - i * 15},-3)`}
        >
          <title>{b.title}</title>
          <circle r={7} />
          <text y={3.5} textAnchor="middle">
            {b.text}
          </text>
        </g>
      ))}
    </>
  );
}

export const GraphNodeBox = memo(function GraphNodeBox({
  node,
  selected,
  mark,
  active,
  reveal,
}: {
  node: LaidNode;
  selected: boolean;
  /** The layer's SQNR colour and badges (undefined: not a measured layer, or no metrics yet). */
  mark?: NodeQuantMark;
  /** The operator calibration is at. */
  active?: boolean;
  /** Bring this box into view (a keyboard user tabbing to a box off screen). */
  reveal?: (nodeName: string) => void;
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
  const sqnr = mark ? (Number.isFinite(mark.sqnr) ? `${mark.sqnr.toFixed(1)} dB` : 'exact') : '';
  const folded = node.folded ? `; ${node.folded} constant/shape nodes folded in` : '';
  return (
    // biome-ignore lint/a11y/useSemanticElements: SVG has no <button>; the <g> gets the role, focus and keys
    <g
      className={`graph-node${selected ? ' selected' : ''}${active ? ' calibrating' : ''}`}
      data-node={node.nodeName ?? undefined}
      data-op={node.opType}
      data-category={node.category}
      data-sqnr={mark ? mark.sqnr : undefined}
      data-fill={mark?.fill}
      transform={`translate(${left},${top})`}
      role="button"
      tabIndex={0}
      aria-label={`${node.opType} ${node.nodeName}`}
      aria-pressed={selected}
      aria-current={active ? 'step' : undefined}
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
      onFocus={() => node.nodeName && reveal?.(node.nodeName)}
    >
      <title>{`${node.nodeName} (${node.category})${sqnr ? `; SQNR ${sqnr}` : ''}${folded}`}</title>
      <rect
        width={node.width}
        height={node.height}
        rx={4}
        style={{ fill: mark ? mark.fill : categoryFill(node.category) }}
      />
      <text className="graph-node-op" x={node.width / 2} y={node.subtitle ? 16 : 18} textAnchor="middle">
        {node.title}
      </text>
      {node.subtitle && (
        <text className="graph-node-shape" x={node.width / 2} y={31} textAnchor="middle">
          {node.subtitle}
        </text>
      )}
      {node.folded > 0 && (
        <text className="graph-node-folded" x={-3} y={node.height / 2 + 3} textAnchor="end">
          +{node.folded}
        </text>
      )}
      {mark && (mark.overflow || mark.heavyClip) && <Badges mark={mark} width={node.width} />}
    </g>
  );
});

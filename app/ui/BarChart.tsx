import { formatNumber } from './format.js';

const HEIGHT = 120;
const LABEL = 14;

/** One bar per value from a zero baseline; the largest value is drawn in the accent colour. */
export function BarChart({ values, highlight }: { values: readonly number[]; highlight: number }) {
  const finite = values.filter(Number.isFinite);
  const top = Math.max(0, ...finite);
  const bottom = Math.min(0, ...finite);
  const span = top - bottom || 1;
  const y = (v: number) => ((top - v) / span) * HEIGHT;
  const barWidth = Math.max(3, Math.min(30, Math.floor(350 / values.length) - 2));
  const step = barWidth + 2;
  const width = values.length * step;
  return (
    <svg className="bar-chart" width={width} height={HEIGHT + LABEL} role="img" aria-label="output values">
      <line x1={0} x2={width} y1={y(0)} y2={y(0)} className="baseline" />
      {values.map((v, i) => {
        const h = Number.isFinite(v) ? Math.abs(y(v) - y(0)) : 0;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: bars are positions, not items
          <g key={i} transform={`translate(${i * step},0)`} data-testid={`bar-${i}`} data-value={v}>
            <title>{`[${i}] ${formatNumber(v)}`}</title>
            <rect
              className={i === highlight ? 'bar top' : 'bar'}
              x={1}
              y={Math.min(y(v), y(0))}
              width={barWidth}
              height={Math.max(h, 1)}
            />
            {values.length <= 20 && (
              <text
                className={i === highlight ? 'bar-label top' : 'bar-label'}
                x={1 + barWidth / 2}
                y={HEIGHT + LABEL - 2}
                textAnchor="middle"
              >
                {i}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

// Per-channel weights: the quantization step (scale) per output channel as bars, and each
// channel's [lo, hi] range as a band, so a channel with an outlier range stands out.
import { max as d3max, scaleLinear } from 'd3';
import type { TensorDetail } from '../store/quant-index.js';

const W = 340;
const H = 90;

export function InspectorChannels({ tensor }: { tensor: TensorDetail }) {
  const ch = tensor.channels;
  if (!ch) return null;
  const n = ch.scale.length;
  const x = scaleLinear()
    .domain([0, n])
    .range([4, W - 4]);
  const top = d3max(ch.scale) ?? 1;
  const ys = scaleLinear()
    .domain([0, top || 1])
    .range([H / 2 - 2, 4]);
  const ext = Math.max(d3max(ch.hi) ?? 0, -(Math.min(...ch.lo) || 0), 1e-12);
  const yr = scaleLinear()
    .domain([-ext, ext])
    .range([H - 4, H / 2 + 4]);
  const w = Math.max((W - 8) / n - 0.5, 0.5);
  return (
    <figure className="channel-chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Step size and range per output channel of ${tensor.name}`}
        data-testid="channel-chart"
      >
        {ch.scale.map((s, c) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: channels are positional
          <g key={c}>
            <title>{`channel ${c}: step ${s.toPrecision(4)}, range [${ch.lo[c].toPrecision(4)}, ${ch.hi[c].toPrecision(4)}]`}</title>
            <rect className="bin" x={x(c)} width={w} y={ys(s)} height={H / 2 - 2 - ys(s)} />
            <rect
              className="band"
              x={x(c)}
              width={w}
              y={yr(ch.hi[c])}
              height={Math.max(1, yr(ch.lo[c]) - yr(ch.hi[c]))}
            />
          </g>
        ))}
        <line className="axis" x1={4} x2={W - 4} y1={yr(0)} y2={yr(0)} />
      </svg>
      <figcaption className="small muted">
        {n} channels along axis {tensor.axis}: step per channel (top, largest {top.toPrecision(3)}), value
        range (bottom)
      </figcaption>
    </figure>
  );
}

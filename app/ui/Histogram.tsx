// A tensor's float values as a d3-scaled SVG histogram (role="img", aria-label "Histogram of
// <tensor>"), with the quantization grid (the dequantized levels, thinned when dense), the clip
// range shaded outside, and two handles (pointer-dragged or arrow keys) that set a manual range.
// The range is committed when a drag ends, so the engine re-runs once per gesture.
import { max as d3max, scaleLinear, scaleLog } from 'd3';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TensorDetail } from '../store/quant-index.js';

const W = 340;
const H = 150;
const M = { top: 8, right: 10, bottom: 22, left: 10 };
const MAX_GRID = 48;

export interface HistogramProps {
  readonly tensor: TensorDetail;
  readonly log: boolean;
  /** Called with the new range when a handle drag or key press ends; null: not draggable. */
  readonly onRange: ((lo: number, hi: number) => void) | null;
}

export function Histogram({ tensor, log, onRange }: HistogramProps) {
  const h = tensor.histogram;
  const [draft, setDraft] = useState<[number, number] | null>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const drag = useRef<0 | 1 | null>(null);
  // A new tensor (or new parameters from the engine) drops the dragged range.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on tensor identity
  useEffect(() => setDraft(null), [tensor]);
  const range = draft ?? (tensor.range ? [tensor.range[0], tensor.range[1]] : null);

  const x = useMemo(
    () =>
      scaleLinear()
        .domain([h.lo, h.hi])
        .range([M.left, W - M.right]),
    [h.lo, h.hi],
  );
  const y = useMemo(() => {
    const top = d3max(h.counts) ?? 1;
    return log
      ? scaleLog()
          .domain([0.8, Math.max(top, 1)])
          .range([H - M.bottom, M.top])
          .clamp(true)
      : scaleLinear()
          .domain([0, Math.max(top, 1)])
          .range([H - M.bottom, M.top]);
  }, [h.counts, log]);
  const binW = (W - M.left - M.right) / h.counts.length;

  // The dequantized levels (q - zp) * scale inside the view, every k-th when there are too many.
  const grid = useMemo(() => {
    if (tensor.axis !== null) return [];
    const s = tensor.scale[0];
    const z = tensor.zeroPoint[0];
    const first = Math.max(tensor.qmin, Math.ceil(h.lo / s + z));
    const last = Math.min(tensor.qmax, Math.floor(h.hi / s + z));
    const n = last - first + 1;
    if (!(n > 0) || !Number.isFinite(n)) return [];
    const every = Math.max(1, Math.ceil(n / MAX_GRID));
    const out: number[] = [];
    for (let q = first; q <= last; q += every) out.push((q - z) * s);
    return out;
  }, [tensor, h.lo, h.hi]);

  const toValue = (clientX: number) => {
    const box = svgRef.current!.getBoundingClientRect();
    const px = ((clientX - box.left) / box.width) * W;
    return x.invert(Math.max(M.left, Math.min(W - M.right, px)));
  };
  const move = (which: 0 | 1, v: number): [number, number] | null => {
    if (!range) return null;
    const next: [number, number] = [range[0], range[1]];
    next[which] = v;
    if (next[0] > next[1]) next[which] = next[1 - which];
    return next;
  };
  const step = tensor.axis === null ? tensor.scale[0] : (h.hi - h.lo) / 100;

  const handle = (which: 0 | 1) => {
    if (!range || !onRange) return null;
    const cx = x(Math.max(h.lo, Math.min(h.hi, range[which])));
    const label = which === 0 ? 'Clip minimum' : 'Clip maximum';
    return (
      <g
        className="clip-handle"
        role="slider"
        tabIndex={0}
        aria-label={label}
        aria-valuemin={h.lo}
        aria-valuemax={h.hi}
        aria-valuenow={range[which]}
        aria-valuetext={range[which].toPrecision(5)}
        data-testid={which === 0 ? 'clip-min' : 'clip-max'}
        onPointerDown={(e) => {
          (e.currentTarget as Element).setPointerCapture?.(e.pointerId);
          drag.current = which;
          e.preventDefault();
        }}
        onPointerMove={(e) => {
          if (drag.current !== which) return;
          const next = move(which, toValue(e.clientX));
          if (next) setDraft(next);
        }}
        onPointerUp={() => {
          if (drag.current !== which) return;
          drag.current = null;
          if (draft) onRange(draft[0], draft[1]);
        }}
        onKeyDown={(e) => {
          const d = e.key === 'ArrowLeft' ? -step : e.key === 'ArrowRight' ? step : 0;
          if (!d) return;
          e.preventDefault();
          const next = move(which, range[which] + d * (e.shiftKey ? 10 : 1));
          if (next) {
            setDraft(next);
            onRange(next[0], next[1]);
          }
        }}
      >
        <line x1={cx} x2={cx} y1={M.top} y2={H - M.bottom} />
        <rect x={cx - 5} y={M.top} width={10} height={14} rx={2} />
      </g>
    );
  };

  return (
    <svg
      ref={svgRef}
      className="histogram"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Histogram of ${tensor.name}`}
      data-testid="histogram"
    >
      {range && (
        <>
          <rect
            className="clip-shade"
            x={M.left}
            y={M.top}
            width={Math.max(0, x(range[0]) - M.left)}
            height={H - M.top - M.bottom}
          />
          <rect
            className="clip-shade"
            x={x(Math.min(h.hi, range[1]))}
            y={M.top}
            width={Math.max(0, W - M.right - x(Math.min(h.hi, range[1])))}
            height={H - M.top - M.bottom}
          />
        </>
      )}
      {grid.map((v) => (
        <line key={v} className="grid-level" x1={x(v)} x2={x(v)} y1={M.top} y2={H - M.bottom} />
      ))}
      {h.counts.map((c, i) =>
        c > 0 ? (
          <rect
            // biome-ignore lint/suspicious/noArrayIndexKey: bins are positional
            key={i}
            className="bin"
            x={M.left + i * binW}
            width={Math.max(binW - 0.5, 0.5)}
            y={y(c)}
            height={Math.max(0, H - M.bottom - y(c))}
          />
        ) : null,
      )}
      <line className="axis" x1={M.left} x2={W - M.right} y1={H - M.bottom} y2={H - M.bottom} />
      {x.ticks(5).map((t) => (
        <text key={t} className="tick" x={x(t)} y={H - 6} textAnchor="middle">
          {Math.abs(t) >= 1000 || (Math.abs(t) < 0.01 && t !== 0) ? t.toExponential(0) : t}
        </text>
      ))}
      {handle(0)}
      {handle(1)}
    </svg>
  );
}

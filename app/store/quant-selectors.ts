// What the graph view reads from the quantization slice: a colour per node from its layer's
// SQNR (local or cumulative, as switched), badges for overflow and heavy clipping, and the
// operator the calibration is at. Exposed as narrow hooks so the graph re-renders only on them.
import { useMemo } from 'react';
import { useQuantStore } from './quant-store.js';
import type { MetricsView } from './quant-types.js';

export interface NodeQuantMark {
  readonly fill: string;
  readonly sqnr: number;
  /** Accumulators that overflowed the mode. */
  readonly overflow: boolean;
  /** Over 1% of the values entering the quantizer clipped. */
  readonly heavyClip: boolean;
}

/** SQNR bands (dB) of the legend, worst first, with their colours (red → green). */
export const SQNR_BANDS: readonly {
  readonly below: number;
  readonly fill: string;
  readonly label: string;
}[] = [
  { below: 10, fill: '#d73027', label: '< 10 dB' },
  { below: 20, fill: '#fc8d59', label: '10–20 dB' },
  { below: 30, fill: '#fee08b', label: '20–30 dB' },
  { below: 40, fill: '#d9ef8b', label: '30–40 dB' },
  { below: Number.POSITIVE_INFINITY, fill: '#66bd63', label: '≥ 40 dB' },
];

export function sqnrColour(sqnr: number): string {
  if (Number.isNaN(sqnr)) return '#bbbbbb';
  for (const b of SQNR_BANDS) if (sqnr < b.below) return b.fill;
  return SQNR_BANDS[SQNR_BANDS.length - 1].fill;
}

export const HEAVY_CLIP = 0.01;

/** Node name -> its mark, from the metrics (pure; the hook memoizes it). */
export function nodeColours(
  metrics: MetricsView | null,
  kind: 'local' | 'cumulative',
): ReadonlyMap<string, NodeQuantMark> {
  const out = new Map<string, NodeQuantMark>();
  if (!metrics) return out;
  for (const l of metrics.layers) {
    const sqnr = kind === 'local' ? l.sqnrLocal : l.sqnrCumulative;
    out.set(l.node, {
      fill: sqnrColour(sqnr),
      sqnr,
      overflow: l.overflows > 0,
      heavyClip: l.clipRate > HEAVY_CLIP,
    });
  }
  return out;
}

/** The graph's colours: empty until metrics exist. */
export function useNodeColours(): ReadonlyMap<string, NodeQuantMark> {
  const metrics = useQuantStore((s) => s.metrics);
  const kind = useQuantStore((s) => s.sqnrKind);
  return useMemo(() => nodeColours(metrics, kind), [metrics, kind]);
}

/** The operator to highlight: the one being calibrated (or next, while paused); null otherwise. */
export function useCalibrationNode(): string | null {
  return useQuantStore((s) =>
    s.phase === 'running'
      ? (s.progress?.node ?? s.overview?.nextNode ?? null)
      : s.phase === 'paused'
        ? (s.overview?.nextNode ?? null)
        : null,
  );
}

export interface QuantEdges {
  /** Activations with a simulated quantize op. */
  readonly quantized: ReadonlySet<string>;
  /** Of those, the ones passed through in float. */
  readonly passthrough: ReadonlySet<string>;
}

/** The quantized and passthrough tensors of the session; null before a session exists. */
export function useQuantEdges(): QuantEdges | null {
  const overview = useQuantStore((s) => s.overview);
  return useMemo(
    () =>
      overview && overview.quantized.length > 0
        ? { quantized: new Set(overview.quantized), passthrough: new Set(overview.passthrough) }
        : null,
    [overview],
  );
}

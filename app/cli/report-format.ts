// The metrics as `qplay report --json` prints them (and as a session document keeps them), and
// as a table for people. SQNR is in dB; an exact match (infinite SQNR) is written as null.
import { finiteOrNull } from '../quant/compare.js';
import type { QuantMetrics } from '../quant/metrics.js';

export interface MetricsJson {
  mode: string;
  layers: {
    node: string;
    opType: string;
    tensor: string;
    sqnr: { local: number | null; cumulative: number | null };
    cosine: number;
    maxAbsError: number;
    clipRate: number;
    overflows: number;
    maxAbsAccumulator?: number;
    accumulatorLimit?: number;
    /** x86 without VNNI (pairwise int16 sums) and the other weight range, for conv/dense. */
    preview?: {
      x86Pairwise: { overflows: number; sqnr: number | null };
      otherWeightRange: { range: string; sqnr: number | null; x86Overflows: number };
    };
  }[];
  outputs: { name: string; sqnr: number | null; top1Agreement?: number }[];
  sensitivity: { node: string; outputSqnr: number | null }[];
}

export function metricsJson(m: QuantMetrics): MetricsJson {
  return {
    mode: m.mode,
    layers: m.layers.map((l) => ({
      node: l.node,
      opType: l.opType,
      tensor: l.tensor,
      sqnr: { local: finiteOrNull(l.sqnr.local), cumulative: finiteOrNull(l.sqnr.cumulative) },
      cosine: l.cosine,
      maxAbsError: l.maxAbsError,
      clipRate: l.clipRate,
      overflows: l.overflows,
      ...(l.accumulator
        ? { maxAbsAccumulator: l.accumulator.maxAbs, accumulatorLimit: l.accumulator.limit }
        : {}),
      ...(l.preview
        ? {
            preview: {
              x86Pairwise: {
                overflows: l.preview.x86Pairwise.overflows,
                sqnr: finiteOrNull(l.preview.x86Pairwise.sqnr),
              },
              otherWeightRange: {
                range: l.preview.otherWeightRange.range,
                sqnr: finiteOrNull(l.preview.otherWeightRange.sqnr),
                x86Overflows: l.preview.otherWeightRange.x86Overflows,
              },
            },
          }
        : {}),
    })),
    outputs: m.outputs.map((o) => ({
      name: o.name,
      sqnr: finiteOrNull(o.sqnr),
      ...(o.top1Agreement !== undefined ? { top1Agreement: o.top1Agreement } : {}),
    })),
    sensitivity: m.sensitivity.map((s) => ({ node: s.node, outputSqnr: finiteOrNull(s.outputSqnr) })),
  };
}

const db = (v: number | null) => (v === null ? 'exact' : v.toFixed(1));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '))
    .join('\n');
}

export function formatMetrics(m: MetricsJson, stored: boolean): string {
  const out: string[] = [];
  out.push(
    `per-layer error (${m.mode}${stored ? ', as stored in the session at calibration' : ''}; SQNR in dB)`,
  );
  out.push(
    table([
      ['node', 'op', 'local', 'cumul.', 'cosine', 'max err', 'clip %', 'overflows', 'x86 sat.', 'other w'],
      ...m.layers.map((l) => [
        l.node,
        l.opType,
        db(l.sqnr.local),
        db(l.sqnr.cumulative),
        l.cosine.toFixed(5),
        l.maxAbsError.toPrecision(3),
        (100 * l.clipRate).toFixed(2),
        String(l.overflows),
        l.preview ? `${l.preview.x86Pairwise.overflows} (${db(l.preview.x86Pairwise.sqnr)})` : '',
        l.preview
          ? `${l.preview.otherWeightRange.range} ${db(l.preview.otherWeightRange.sqnr)}/${l.preview.otherWeightRange.x86Overflows}`
          : '',
      ]),
    ]),
  );
  out.push(
    "x86 sat.: accumulators saturated by onnxruntime's pairwise int16 sums on x86 without VNNI (cumulative SQNR then); other w: SQNR with the other weight range / its x86 saturations",
  );
  out.push('');
  out.push('outputs');
  for (const o of m.outputs) {
    out.push(
      `  ${o.name}: SQNR ${db(o.sqnr)} dB${o.top1Agreement !== undefined ? `, top-1 agreement ${(100 * o.top1Agreement).toFixed(1)}%` : ''}`,
    );
  }
  out.push('');
  if (m.sensitivity.length === 0) {
    out.push('sensitivity: not computed (give --data DIR)');
  } else {
    out.push('sensitivity (output SQNR with only that layer in float; the layer that costs most first)');
    for (const [k, s] of m.sensitivity.entries())
      out.push(`  ${String(k + 1).padStart(3)}. ${s.node}  ${db(s.outputSqnr)} dB`);
  }
  return `${out.join('\n')}\n`;
}

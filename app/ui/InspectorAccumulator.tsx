// For a conv/dense layer: the largest |accumulator| against the mode's limit, the overflow
// count, and what onnxruntime on x86 without VNNI (pairwise int16 sums) or the other weight
// range would do to this layer (metrics.ts's preview).
import { computePreview, useQuantStore } from '../store/quant-index.js';
import { fmt } from './InspectorPanel.js';

export function InspectorAccumulator({ node }: { node: string }) {
  const row = useQuantStore((s) => s.metrics?.layers.find((l) => l.node === node) ?? null);
  const mode = useQuantStore((s) => s.metrics?.mode);
  const busy = useQuantStore((s) => s.busy);
  if (!row) return null;
  const acc = row.accumulator;
  const p = row.preview;
  return (
    <div data-testid="layer-accumulator">
      <h3 className="sub-title">Layer</h3>
      <dl className="param-grid">
        <dt>SQNR</dt>
        <dd className="mono">
          local {fmt(row.sqnrLocal, 3)} dB, cumulative {fmt(row.sqnrCumulative, 3)} dB
        </dd>
        <dt>clipped</dt>
        <dd className="mono">{(100 * row.clipRate).toFixed(2)}%</dd>
        {acc && (
          <>
            <dt>accumulator</dt>
            <dd className="mono">
              max |acc| {acc.maxAbs.toLocaleString('en-US')} of {acc.limit.toLocaleString('en-US')} (
              {((100 * acc.maxAbs) / acc.limit).toFixed(1)}%)
            </dd>
            <dt>overflows</dt>
            <dd className="mono">
              {acc.overflowCount.toLocaleString('en-US')} of {acc.count.toLocaleString('en-US')}
            </dd>
          </>
        )}
        {!acc && mode === 'fake' && (
          <>
            <dt>accumulator</dt>
            <dd className="small muted">switch to affine to see the integer sums</dd>
          </>
        )}
      </dl>
      {!p && acc && (
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          onClick={() => void computePreview()}
        >
          Preview x86 sums and the other weight range
        </button>
      )}
      {p && (
        <table className="kv small" data-testid="accumulator-preview">
          <tbody>
            <tr>
              <th>x86 without VNNI</th>
              <td className="mono">
                {p.x86Pairwise.overflows.toLocaleString('en-US')} saturated pairs, SQNR{' '}
                {fmt(p.x86Pairwise.sqnr, 3)} dB
              </td>
            </tr>
            <tr>
              <th>weights {p.otherWeightRange.range}</th>
              <td className="mono">
                SQNR {fmt(p.otherWeightRange.sqnr, 3)} dB; on x86{' '}
                {p.otherWeightRange.x86Overflows.toLocaleString('en-US')} saturated
              </td>
            </tr>
          </tbody>
        </table>
      )}
    </div>
  );
}

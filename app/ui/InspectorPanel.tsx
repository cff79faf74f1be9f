// The quantization inspector of the selected node: its quantized tensors; for the chosen one
// the histogram with grid and clip handles, "Scale" and "Zero point", the range each observer
// would choose with its SQNR, the per-channel chart of a weight, the "Passthrough" switch, and
// for conv/dense the accumulator against its limit with the x86 / other-weight-range preview.
import { useEffect, useState } from 'react';
import { useAppStore } from '../store/index.js';
import {
  clearManualRange,
  selectTensor,
  setLogCount,
  setManualRange,
  setPassthrough,
  type TensorDetail,
  useQuantStore,
} from '../store/quant-index.js';
import { Histogram } from './Histogram.js';
import { InspectorAccumulator } from './InspectorAccumulator.js';
import { InspectorChannels } from './InspectorChannels.js';
import { Section } from './Section.js';

export function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (v === Number.POSITIVE_INFINITY) return '∞';
  if (v === Number.NEGATIVE_INFINITY) return '−∞';
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(digits - 1);
  return Number(v.toPrecision(digits)).toString();
}

function ManualRange({ tensor }: { tensor: TensorDetail }) {
  const [lo, setLo] = useState('');
  const [hi, setHi] = useState('');
  useEffect(() => {
    setLo(tensor.range ? String(tensor.range[0]) : '');
    setHi(tensor.range ? String(tensor.range[1]) : '');
  }, [tensor]);
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void setManualRange(tensor.name, Number(lo), Number(hi));
      }}
    >
      <label>
        min <input type="number" step="any" value={lo} onChange={(e) => setLo(e.target.value)} />
      </label>
      <label>
        max <input type="number" step="any" value={hi} onChange={(e) => setHi(e.target.value)} />
      </label>
      <button type="submit" className="button">
        Set range
      </button>
      {tensor.manual && (
        <button type="button" className="button" onClick={() => void clearManualRange(tensor.name)}>
          Clear manual
        </button>
      )}
    </form>
  );
}

function Candidates({ tensor }: { tensor: TensorDetail }) {
  if (tensor.candidates.length === 0) return null;
  const available = tensor.candidates.filter((c) => c.range);
  return (
    <>
      <h3 className="sub-title">What each observer would choose</h3>
      {available.length < tensor.candidates.length && (
        <p className="small muted" data-testid="observers-note">
          Only {available.map((c) => c.observer).join(' and ')} {available.length === 1 ? 'is' : 'are'}{' '}
          available yet; the others are marked.
        </p>
      )}
      <table className="kv small" data-testid="observer-candidates">
        <thead>
          <tr>
            <th>observer</th>
            <th>range</th>
            <th>SQNR</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tensor.candidates.map((c) => (
            <tr key={c.observer} className={c.range ? '' : 'unavailable'}>
              <th>{c.observer}</th>
              <td className="mono">
                {c.range ? `[${fmt(c.range[0])}, ${fmt(c.range[1])}]` : 'not available'}
              </td>
              <td className="mono">{c.sqnr !== null ? `${fmt(c.sqnr, 3)} dB` : '—'}</td>
              <td>
                {c.range && (
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => void setManualRange(tensor.name, c.range![0], c.range![1])}
                  >
                    use
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function TensorView({ tensor }: { tensor: TensorDetail }) {
  const log = useQuantStore((s) => s.logCount);
  const busy = useQuantStore((s) => s.busy);
  // Shown at once (the engine answers a moment later with the tensor's new state).
  const [pending, setPending] = useState<boolean | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the engine's answer replaces the pending value
  useEffect(() => setPending(null), [tensor]);
  const perChannel = tensor.axis !== null;
  return (
    <div data-testid="tensor-detail">
      <dl className="param-grid">
        <dt>Scale</dt>
        <dd>
          <output className="mono" aria-label="Scale" data-testid="scale">
            {perChannel
              ? `${tensor.scale.length} per channel, ${fmt(Math.min(...tensor.scale))} … ${fmt(Math.max(...tensor.scale))}`
              : fmt(tensor.scale[0], 6)}
          </output>
        </dd>
        <dt>Zero point</dt>
        <dd>
          <output className="mono" aria-label="Zero point" data-testid="zero-point">
            {perChannel && new Set(tensor.zeroPoint).size > 1
              ? tensor.zeroPoint.join(', ')
              : tensor.zeroPoint[0]}
          </output>
        </dd>
        <dt>dtype</dt>
        <dd className="mono">
          {tensor.dtype} [{tensor.qmin}, {tensor.qmax}]
        </dd>
        <dt>range</dt>
        <dd className="mono">
          {tensor.range ? `[${fmt(tensor.range[0])}, ${fmt(tensor.range[1])}]` : 'per channel'} (
          {tensor.source})
        </dd>
        <dt>values</dt>
        <dd className="mono">
          {tensor.count.toLocaleString('en-US')} in [{fmt(tensor.valueMin)}, {fmt(tensor.valueMax)}], SQNR{' '}
          {fmt(tensor.sqnr, 3)} dB
        </dd>
      </dl>
      <div className="check-row">
        <label className="check-line">
          <input
            type="checkbox"
            checked={pending ?? tensor.passthrough}
            disabled={busy !== null || pending !== null}
            onChange={(e) => {
              setPending(e.target.checked);
              void setPassthrough(tensor.name, e.target.checked).finally(() => setPending(null));
            }}
          />
          Passthrough
        </label>
        <label className="check-line">
          <input type="checkbox" checked={log} onChange={(e) => setLogCount(e.target.checked)} />
          log count
        </label>
      </div>
      <Histogram
        tensor={tensor}
        log={log}
        onRange={tensor.range && !perChannel ? (lo, hi) => void setManualRange(tensor.name, lo, hi) : null}
      />
      <p className="small muted">
        {perChannel
          ? 'Per-channel: no single clip range.'
          : 'Drag the handles (or focus one and use ←/→) to set a manual range.'}{' '}
        Grid lines: the representable values.
      </p>
      {!perChannel && <ManualRange tensor={tensor} />}
      <InspectorChannels tensor={tensor} />
      <Candidates tensor={tensor} />
    </div>
  );
}

export function InspectorPanel() {
  const node = useAppStore((s) => s.selectedNode);
  const tensors = useQuantStore((s) => s.nodeTensors);
  const selected = useQuantStore((s) => s.selectedTensor);
  const tensor = useQuantStore((s) => s.tensor);
  const done = useQuantStore((s) => s.overview?.done ?? false);
  if (!node) return null;
  return (
    <Section title="Quantization" testId="quant-inspector">
      {!tensors || tensors.node !== node || tensors.tensors.length === 0 ? (
        <p className="small muted">{node}: no quantized tensors.</p>
      ) : (
        <>
          <div className="tensor-tabs" role="tablist" aria-label="Quantized tensors">
            {tensors.tensors.map((t) => (
              <button
                key={t.name}
                type="button"
                role="tab"
                aria-selected={t.name === selected}
                className={t.name === selected ? 'tab selected' : 'tab'}
                onClick={() => void selectTensor(t.name)}
                title={t.name}
              >
                {t.role}:{' '}
                <span className="mono">{t.name.length > 22 ? `${t.name.slice(0, 20)}…` : t.name}</span>
              </button>
            ))}
          </div>
          {tensor && tensor.name === selected ? (
            <TensorView tensor={tensor} />
          ) : (
            <p className="small muted">
              {done ? 'loading…' : 'Not calibrated yet: Step or Calibrate first.'}
            </p>
          )}
          <InspectorAccumulator node={node} />
        </>
      )}
    </Section>
  );
}

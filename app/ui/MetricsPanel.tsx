// The metrics of the calibrated model: fake-quant / affine switch, the sortable per-layer table
// (click a row to select its node), the outputs float against quantized (top-k for a
// classifier), the sensitivity ranking, and the Model Explorer node-data download.
import { useMemo, useState } from 'react';
import { selectNode, useAppStore } from '../store/index.js';
import {
  downloadExport,
  type LayerRow,
  refreshMetrics,
  setMode,
  sqnrColour,
  useQuantStore,
} from '../store/quant-index.js';
import { fmt } from './InspectorPanel.js';
import { Section } from './Section.js';
import { SqnrKindSwitch } from './SqnrKindSwitch.js';

type Key = 'node' | 'sqnrLocal' | 'sqnrCumulative' | 'cosine' | 'maxAbsError' | 'clipRate' | 'overflows';
const COLUMNS: readonly { key: Key; label: string; title: string }[] = [
  { key: 'node', label: 'layer', title: 'operator (graph order)' },
  { key: 'sqnrLocal', label: 'local dB', title: 'SQNR with only this layer quantized' },
  { key: 'sqnrCumulative', label: 'cum. dB', title: 'SQNR with everything up to it quantized' },
  { key: 'cosine', label: 'cos', title: 'cosine similarity (cumulative)' },
  { key: 'maxAbsError', label: 'max err', title: 'largest |float − quantized|' },
  { key: 'clipRate', label: 'clip %', title: 'values clamped by its quantizer' },
  { key: 'overflows', label: 'ovf', title: 'accumulators over the mode’s limit' },
];

function cell(r: LayerRow, k: Key): string {
  if (k === 'node') return r.node;
  if (k === 'clipRate') return (100 * r.clipRate).toFixed(2);
  if (k === 'overflows') return r.overflows.toLocaleString('en-US');
  if (k === 'cosine') return r.cosine.toFixed(5);
  return fmt(r[k], 3);
}

function LayerTable({ layers }: { layers: readonly LayerRow[] }) {
  const [sort, setSort] = useState<{ key: Key | null; asc: boolean }>({ key: null, asc: true });
  const selected = useAppStore((s) => s.selectedNode);
  const rows = useMemo(() => {
    if (!sort.key) return layers;
    const k = sort.key;
    return [...layers].sort((a, b) => {
      const c = k === 'node' ? a.node.localeCompare(b.node) : (a[k] as number) - (b[k] as number);
      return sort.asc ? c : -c;
    });
  }, [layers, sort]);
  return (
    <div className="table-scroll">
      <table className="metrics-table" data-testid="metrics-table">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                title={c.title}
                aria-sort={sort.key === c.key ? (sort.asc ? 'ascending' : 'descending') : 'none'}
              >
                <button
                  type="button"
                  className="link-button"
                  onClick={() => setSort((s) => ({ key: c.key, asc: s.key === c.key ? !s.asc : true }))}
                >
                  {c.label}
                  {sort.key === c.key ? (sort.asc ? ' ▲' : ' ▼') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={r.node}
              className={r.node === selected ? 'selected' : ''}
              onClick={() => selectNode(r.node)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  selectNode(r.node);
                }
              }}
              tabIndex={0}
              data-node={r.node}
            >
              {COLUMNS.map((c) => (
                <td
                  key={c.key}
                  className={c.key === 'node' ? 'mono ellipsis' : 'mono num'}
                  title={c.key === 'node' ? `${r.opType} ${r.node}` : undefined}
                >
                  {c.key === 'node' && (
                    <span className="swatch" style={{ background: sqnrColour(r.sqnrCumulative) }} />
                  )}
                  {cell(r, c.key)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Outputs() {
  const outputs = useQuantStore((s) => s.metrics?.outputs ?? []);
  return (
    <div data-testid="quant-outputs">
      {outputs.map((o) => (
        <div key={o.name}>
          <h3 className="sub-title">
            Output <span className="mono">{o.name}</span>: SQNR {fmt(o.sqnr, 3)} dB
            {o.top1Agreement !== null && `, top-1 agreement ${(100 * o.top1Agreement).toFixed(0)}%`}
          </h3>
          <table className="kv small">
            <thead>
              <tr>
                <th>{o.classifier ? 'class' : 'index'}</th>
                <th>float</th>
                <th>quantized</th>
              </tr>
            </thead>
            <tbody>
              {o.top.map((t) => (
                <tr key={t.index}>
                  <th>{t.index}</th>
                  <td className="mono">{fmt(t.float, 5)}</td>
                  <td className="mono">{fmt(t.quantized, 5)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="small muted">
            first sample{o.classifier ? ', top 5 classes of the float output' : ''}
          </p>
        </div>
      ))}
    </div>
  );
}

function Sensitivity() {
  const ranking = useQuantStore((s) => s.metrics?.sensitivity ?? []);
  const stale = useQuantStore((s) => s.sensitivityStale);
  const busy = useQuantStore((s) => s.busy);
  return (
    <div data-testid="sensitivity">
      <h3 className="sub-title">Sensitivity (output SQNR with one layer left in float)</h3>
      {ranking.length === 0 ? (
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          onClick={() => void refreshMetrics(true)}
        >
          Rank layers
        </button>
      ) : (
        <>
          {stale && (
            <p className="small muted">
              From before the last change.{' '}
              <button
                type="button"
                className="link-button"
                disabled={busy !== null}
                onClick={() => void refreshMetrics(true)}
              >
                Recompute
              </button>
            </p>
          )}
          <ol className="small mono sensitivity-list">
            {ranking.map((r) => (
              <li key={r.node}>
                <button type="button" className="link-button" onClick={() => selectNode(r.node)}>
                  {r.node}
                </button>{' '}
                {fmt(r.outputSqnr, 3)} dB
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

export function MetricsPanel() {
  const metrics = useQuantStore((s) => s.metrics);
  const mode = useQuantStore((s) => s.mode);
  const busy = useQuantStore((s) => s.busy);
  const metricsBusy = useQuantStore((s) => s.metricsBusy);
  const done = useQuantStore((s) => s.overview?.done ?? false);
  if (!done) return null;
  return (
    <Section title="Metrics" testId="metrics-panel">
      {/* biome-ignore lint/a11y/useSemanticElements: a segmented pair of buttons, not a form fieldset */}
      <div className="segmented" role="group" aria-label="Simulation">
        {(['fake', 'affine'] as const).map((m) => (
          <button
            key={m}
            type="button"
            aria-pressed={mode === m}
            className={mode === m ? 'seg selected' : 'seg'}
            disabled={busy !== null}
            onClick={() => void setMode(m)}
            data-testid={`mode-${m}`}
          >
            {m === 'fake' ? 'Fake-quant' : 'Affine (integer)'}
          </button>
        ))}
      </div>
      <p className="small muted">
        {mode === 'fake'
          ? 'Fake-quant: quantize-dequantize in float (onnxruntime with optimizations disabled).'
          : 'Affine: fused int8 kernels, integer sums and requantize (onnxruntime with optimizations on).'}
        {metrics?.rerun && ` Quick update: re-ran ${metrics.rerun.ran} of ${metrics.rerun.total} nodes.`}
      </p>
      <SqnrKindSwitch label="Graph colours" text={(k) => `colour by ${k} SQNR`} />
      {metrics ? (
        <>
          <LayerTable layers={metrics.layers} />
          <Outputs />
          <Sensitivity />
          <button type="button" className="button" onClick={() => void downloadExport('model-explorer')}>
            Model Explorer node data (JSON)
          </button>
        </>
      ) : (
        <p className="small muted">{metricsBusy ? 'computing…' : 'no metrics yet'}</p>
      )}
    </Section>
  );
}

import { useAppStore } from '../store/index.js';
import { BarChart } from './BarChart.js';
import { formatCount, formatNumber } from './format.js';
import { RunFallbackNotice, RunPlacementLine } from './RunPlacementLine.js';

export function RunOutputs() {
  const run = useAppStore((s) => s.run);
  if (run.status !== 'done') return null;
  return (
    <div className="run-outputs" data-testid="run-outputs">
      <RunFallbackNotice />
      <RunPlacementLine />
      <div className="muted small" data-testid="run-time">
        {run.inputLabel} · {run.ms !== null ? `${run.ms.toFixed(0)} ms` : ''}
        {run.placement?.prepareMs != null &&
          ` (incl. ${run.placement.prepareMs.toFixed(0)} ms WebGPU setup: kernels, plan, weights)`}
      </div>
      {run.outputs.map((o) => (
        <div key={o.name} className="run-output">
          <div className="run-output-head">
            <span className="value-name" title={o.name}>
              {o.name}
            </span>
            <span className="mono muted">
              {o.dtype} {o.shape}
            </span>
          </div>
          <div className="argmax">
            argmax{' '}
            <span className="mono accent" data-testid="argmax">
              {o.argmax}
            </span>
            {o.values && (
              <span className="mono muted"> = {formatNumber(o.values[o.argmax] ?? Number.NaN)}</span>
            )}
          </div>
          {o.values && o.values.length > 1 && <BarChart values={o.values} highlight={o.argmax} />}
          {o.top.length > 0 && (
            <div className="top-k mono small" data-testid="top-k">
              top {o.top.length}:{' '}
              {o.top.map((t) => (
                <span key={t.index} className="top-k-item">
                  [{t.index}] {formatNumber(t.value)}
                </span>
              ))}
            </div>
          )}
          <div className="stats mono">
            min {formatNumber(o.stats.min)} · max {formatNumber(o.stats.max)} · mean{' '}
            {formatNumber(o.stats.mean)} · n {formatCount(o.stats.count)}
          </div>
        </div>
      ))}
    </div>
  );
}

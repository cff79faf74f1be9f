// Driving calibration: the live status line (role="status", says "Calibrated <model>" when
// done), Step / Calibrate / Pause / Reset, a progress bar (operator k of N, sample j of M) that
// can be cancelled, the error-propagation switch, then the data source and the configuration.
import {
  calibrate,
  dismissQuantError,
  pauseCalibration,
  resetCalibration,
  setConfig,
  stepCalibration,
  stopWorker,
  useQuantStore,
} from '../store/quant-index.js';
import { CalibrationConfig } from './CalibrationConfig.js';
import { CalibrationData } from './CalibrationData.js';
import { Section } from './Section.js';
import './quant.css';

function ProgressLine() {
  const p = useQuantStore((s) => s.progress);
  const m = useQuantStore((s) => s.metricsProgress);
  const busy = useQuantStore((s) => s.busy);
  const metricsBusy = useQuantStore((s) => s.metricsBusy);
  if (p && (busy === 'calibrate' || busy === 'step')) {
    const value = p.step - 1 + p.sample / p.samples;
    return (
      <div className="quant-progress" data-testid="calibration-progress">
        <progress max={p.steps} value={value} aria-label="Calibration progress" />
        <span className="small mono">
          operator {p.step} of {p.steps}, sample {p.sample} of {p.samples}
        </span>
        <span className="small muted ellipsis" title={p.node}>
          {p.node}
        </span>
      </div>
    );
  }
  if (m && metricsBusy) {
    return (
      <div className="quant-progress" data-testid="metrics-progress">
        <progress max={m.total} value={m.done} aria-label="Metrics progress" />
        <span className="small">metrics: {m.what}</span>
      </div>
    );
  }
  return null;
}

export function CalibrationPanel() {
  const phase = useQuantStore((s) => s.phase);
  const busy = useQuantStore((s) => s.busy);
  const message = useQuantStore((s) => s.message);
  const error = useQuantStore((s) => s.error);
  const overview = useQuantStore((s) => s.overview);
  const propagation = useQuantStore((s) => s.config.errorPropagation);
  const hasModel = useQuantStore((s) => s.modelId !== null);
  const metricsBusy = useQuantStore((s) => s.metricsBusy);
  if (!hasModel) return null;
  const calibrating = busy === 'calibrate' || busy === 'step';
  const working = calibrating || metricsBusy;
  const canAdvance = overview !== null && !overview.done && busy === null && phase !== 'error';
  return (
    <Section title="Calibration" testId="calibration-panel">
      <div className="quant-status" role="status" aria-live="polite" data-testid="quant-status">
        {message}
      </div>
      {error && error !== message && (
        <div className="quant-error" role="alert" data-testid="quant-error">
          {error}{' '}
          <button type="button" className="link-button" onClick={dismissQuantError}>
            dismiss
          </button>
        </div>
      )}
      <div className="quant-buttons">
        <button
          type="button"
          className="button"
          onClick={() => void stepCalibration()}
          disabled={!canAdvance}
          title="Calibrate the next operator"
        >
          Step
        </button>
        <button
          type="button"
          className="button primary"
          onClick={() => void calibrate()}
          disabled={!canAdvance}
          title="Calibrate every remaining operator"
        >
          Calibrate
        </button>
        <button type="button" className="button" onClick={pauseCalibration} disabled={!working}>
          {calibrating ? 'Pause' : 'Cancel metrics'}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => void resetCalibration()}
          disabled={!overview || overview.imported || overview.step === 0 || working}
        >
          Reset
        </button>
        {working && (
          <button
            type="button"
            className="link-button"
            onClick={() => void stopWorker()}
            title="End the worker now"
          >
            force stop
          </button>
        )}
      </div>
      <ProgressLine />
      {overview && !overview.imported && (
        <p className="small muted" data-testid="calibration-count">
          {overview.step} of {overview.steps} operators calibrated
          {overview.nextNode ? (
            <>
              ; next <span className="mono">{overview.nextNode}</span>
            </>
          ) : null}
        </p>
      )}
      <label className="check-line">
        <input
          type="checkbox"
          checked={propagation}
          disabled={working}
          onChange={(e) => {
            const on = e.target.checked;
            void setConfig((c) => ({ ...c, errorPropagation: on }));
          }}
        />
        Error propagation (calibrate each operator on the quantized outputs before it)
      </label>
      {overview && overview.notes.length > 0 && (
        <ul className="quant-notes small muted">
          {overview.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <CalibrationData />
      <CalibrationConfig />
    </Section>
  );
}

import { cancelRun, runModel, useAppStore } from '../store/index.js';
import { BackendToggle } from './BackendToggle.js';
import { InputDims } from './InputDims.js';
import { InputPicker } from './InputPicker.js';
import { RunOutputs } from './RunOutputs.js';
import { Section } from './Section.js';

export function RunPanel() {
  const hasModel = useAppStore((s) => s.modelId !== null);
  const unsupported = useAppStore((s) => s.unsupported);
  const run = useAppStore((s) => s.run);
  if (!hasModel) return null;
  const running = run.status === 'running';
  return (
    <Section title="Run" testId="run-panel" extra={<BackendToggle />}>
      <InputPicker />
      <InputDims where="run" />
      <div className="run-controls">
        {running ? (
          <button type="button" className="button" onClick={cancelRun} data-testid="cancel-run">
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="button primary"
            onClick={() => void runModel()}
            disabled={unsupported !== null}
            title={unsupported ?? undefined}
            data-testid="run"
          >
            Run
          </button>
        )}
        {running && (
          <span className="progress" data-testid="run-progress">
            <progress max={run.total || 1} value={run.done} />
            <span className="mono small">
              {run.done}/{run.total} nodes
            </span>
          </span>
        )}
        {run.status === 'cancelled' && <span className="muted small">cancelled</span>}
      </div>
      {run.status === 'error' && (
        <div className="run-error" role="alert" data-testid="run-error">
          {run.error}
        </div>
      )}
      <RunOutputs />
    </Section>
  );
}

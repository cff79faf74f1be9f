import { loadModelFile, loadSample, SAMPLES, useAppStore } from '../store/index.js';
import { GpuStatusLine } from './GpuStatusLine.js';

/** The bundled samples; choosing one opens it (the menu then returns to its prompt). */
function SampleMenu() {
  const loading = useAppStore((s) => s.loading);
  return (
    <select
      className="sample-menu"
      aria-label="Sample model"
      value=""
      disabled={loading !== null}
      onChange={(e) => {
        const file = e.currentTarget.value;
        if (file) void loadSample(file);
      }}
    >
      <option value="">Samples…</option>
      {SAMPLES.map((s) => (
        <option key={s.file} value={s.file}>
          {s.label}
        </option>
      ))}
    </select>
  );
}

export function TopBar() {
  const summary = useAppStore((s) => s.summary);
  const loading = useAppStore((s) => s.loading);
  return (
    <header className="top-bar">
      <span className="app-title">Quantization Playground</span>
      <span className="model-name" data-testid="model-name">
        {loading ? `loading ${loading}…` : summary ? summary.fileName : 'no model'}
      </span>
      {summary && (
        <span className="model-count muted" data-testid="node-count">
          {summary.nodeCount} nodes
        </span>
      )}
      {/* The file input itself is the control (keyboard, screen readers); the label draws it. */}
      <label className="button file-button">
        Open model…
        <input
          type="file"
          accept=".onnx"
          aria-label="Open model"
          data-testid="file-input"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = ''; // picking the same file again should load it again
            if (file) void loadModelFile(file);
          }}
        />
      </label>
      <SampleMenu />
      <span className="small muted drop-hint">or drop one anywhere</span>
      <span className="spacer" />
      <GpuStatusLine />
    </header>
  );
}

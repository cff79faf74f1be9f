// The model's symbolic input dimensions, each with the size it takes and where its default comes
// from, editable before running: Run's random inputs and the random calibration data use them.
// A size is set on Enter or when the field loses focus (not per keystroke: each change restarts
// a random calibration).
import { type InputDim, MAX_DIM, resetInputDims, setInputDim, useAppStore } from '../store/index.js';

function origin(d: InputDim): string {
  switch (d.source) {
    case 'batch':
      return `batch, default ${d.defaultValue}`;
    case 'spatial':
      return `default ${d.defaultValue}`;
    case 'data':
      return `${d.defaultValue} from the calibration data`;
    case 'other':
      return `default ${d.defaultValue}`;
  }
}

function commit(d: InputDim, input: HTMLInputElement): void {
  if (input.value.trim() === String(d.value)) return;
  if (!setInputDim(d.name, input.value)) input.value = String(d.value);
}

export function InputDims({ where }: { where: string }) {
  const dims = useAppStore((s) => s.inputDims);
  if (dims.length === 0) return null;
  const edited = dims.some((d) => d.edited);
  return (
    <fieldset className="input-dims" data-testid={`input-dims-${where}`}>
      <legend className="small">Input dimensions</legend>
      {dims.map((d) => (
        <label key={`${d.name}:${d.value}`} className="input-dim">
          <span className="mono">{d.name}</span>
          <input
            type="number"
            className="mono"
            min={1}
            max={MAX_DIM}
            defaultValue={d.value}
            aria-label={`Input dimension ${d.name}`}
            onBlur={(e) => commit(d, e.currentTarget)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                commit(d, e.currentTarget);
              }
            }}
          />
          <span className="small muted">{origin(d)}</span>
        </label>
      ))}
      {edited && (
        <button type="button" className="link-button small" onClick={resetInputDims}>
          defaults
        </button>
      )}
    </fieldset>
  );
}

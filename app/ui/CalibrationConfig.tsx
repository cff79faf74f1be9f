// The quantization configuration form: dtypes, symmetric, per-channel, range mode, observer,
// accumulator and rounding. Any change restarts calibration on the same data.
import {
  type AccumulatorName,
  OBSERVER_NAMES,
  type ObserverName,
  type QuantConfig,
  ROUNDING_NAMES,
  type RoundingName,
  setConfig,
  useQuantStore,
} from '../store/quant-index.js';

const ACCUMULATORS: readonly AccumulatorName[] = [
  'int32',
  'x86-pairwise',
  'wrap16',
  'sat16',
  'wrap24',
  'sat24',
];
const RANGES = ['full', 'restricted', 'reduced'] as const;

function Select<T extends string>({
  label,
  value,
  options,
  onChange,
  disabled,
}: {
  label: string;
  value: T;
  options: readonly T[];
  onChange: (v: T) => void;
  disabled?: boolean;
}) {
  return (
    <label className="form-row">
      <span>{label}</span>
      <select value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

export function CalibrationConfig() {
  const c = useQuantStore((s) => s.config);
  const busy = useQuantStore((s) => s.busy);
  const imported = useQuantStore((s) => s.overview?.imported ?? false);
  const disabled = busy !== null;
  const update = (f: (c: QuantConfig) => QuantConfig) => void setConfig(f);
  return (
    <details className="quant-details" data-testid="quant-config">
      <summary>Configuration</summary>
      {imported && <p className="small muted">Imported parameters: only accumulator and rounding apply.</p>}
      <fieldset disabled={disabled || imported} className="form-grid">
        <legend className="small">Activations</legend>
        <Select
          label="Activation dtype"
          value={c.activations.dtype}
          options={['uint8', 'int8'] as const}
          onChange={(dtype) => update((x) => ({ ...x, activations: { ...x.activations, dtype } }))}
        />
        <label className="form-row">
          <span>Symmetric activations</span>
          <input
            type="checkbox"
            checked={c.activations.symmetric}
            onChange={(e) => {
              const symmetric = e.target.checked;
              update((x) => ({ ...x, activations: { ...x.activations, symmetric } }));
            }}
          />
        </label>
        <Select
          label="Activation range"
          value={c.activations.range}
          options={RANGES}
          onChange={(range) => update((x) => ({ ...x, activations: { ...x.activations, range } }))}
        />
        <Select<ObserverName>
          label="Observer"
          value={c.activations.observer}
          options={OBSERVER_NAMES}
          onChange={(observer) => update((x) => ({ ...x, activations: { ...x.activations, observer } }))}
        />
      </fieldset>
      <fieldset disabled={disabled || imported} className="form-grid">
        <legend className="small">Weights</legend>
        <Select
          label="Weight dtype"
          value={c.weights.dtype}
          options={['int8', 'uint8'] as const}
          onChange={(dtype) => update((x) => ({ ...x, weights: { ...x.weights, dtype } }))}
        />
        <label className="form-row">
          <span>Symmetric weights</span>
          <input
            type="checkbox"
            checked={c.weights.symmetric}
            onChange={(e) => {
              const symmetric = e.target.checked;
              update((x) => ({ ...x, weights: { ...x.weights, symmetric } }));
            }}
          />
        </label>
        <label className="form-row">
          <span>Per-channel weights</span>
          <input
            type="checkbox"
            checked={c.weights.perChannel}
            onChange={(e) => {
              const perChannel = e.target.checked;
              update((x) => ({ ...x, weights: { ...x.weights, perChannel } }));
            }}
          />
        </label>
        <Select
          label="Weight range"
          value={c.weights.range}
          options={RANGES}
          onChange={(range) => update((x) => ({ ...x, weights: { ...x.weights, range } }))}
        />
      </fieldset>
      <fieldset disabled={disabled} className="form-grid">
        <legend className="small">Integer kernels</legend>
        <Select<AccumulatorName>
          label="Accumulator"
          value={c.accumulator}
          options={ACCUMULATORS.includes(c.accumulator) ? ACCUMULATORS : [...ACCUMULATORS, c.accumulator]}
          onChange={(accumulator) => update((x) => ({ ...x, accumulator }))}
        />
        <Select<RoundingName>
          label="Rounding"
          value={c.rounding}
          options={ROUNDING_NAMES}
          onChange={(rounding) => update((x) => ({ ...x, rounding }))}
        />
      </fieldset>
    </details>
  );
}

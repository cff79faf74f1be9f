// The local / cumulative SQNR switch: one setting of the store, shown in the metrics panel and in
// the graph's legend.
import { setSqnrKind, useQuantStore } from '../store/quant-index.js';

export function SqnrKindSwitch({
  label,
  text,
  testIdPrefix,
}: {
  /** The group's accessible name. */
  readonly label: string;
  readonly text: (kind: 'local' | 'cumulative') => string;
  readonly testIdPrefix?: string;
}) {
  const kind = useQuantStore((s) => s.sqnrKind);
  return (
    // biome-ignore lint/a11y/useSemanticElements: a segmented pair of buttons, not a form fieldset
    <div className="segmented" role="group" aria-label={label}>
      {(['local', 'cumulative'] as const).map((k) => (
        <button
          key={k}
          type="button"
          aria-pressed={kind === k}
          className={kind === k ? 'seg selected' : 'seg'}
          onClick={() => setSqnrKind(k)}
          data-testid={testIdPrefix ? `${testIdPrefix}-${k}` : undefined}
        >
          {text(k)}
        </button>
      ))}
    </div>
  );
}

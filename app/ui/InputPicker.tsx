import { digitUrl, setInputChoice, useAppStore } from '../store/index.js';

const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/** Digit thumbnails for 28x28 grayscale models; a seed for seeded random inputs otherwise. */
export function InputPicker() {
  const acceptsDigits = useAppStore((s) => s.acceptsDigits);
  const choice = useAppStore((s) => s.inputChoice);
  const running = useAppStore((s) => s.run.status === 'running');
  return (
    <div className="input-picker">
      {acceptsDigits && (
        <fieldset className="digits" aria-label="sample digit">
          {DIGITS.map((d) => {
            const on = choice.kind === 'digit' && choice.digit === d;
            return (
              <label
                key={d}
                className={`digit${on ? ' on' : ''}${running ? ' disabled' : ''}`}
                data-testid={`digit-${d}`}
              >
                <input
                  type="radio"
                  name="digit"
                  checked={on}
                  disabled={running}
                  aria-label={`digit ${d}`}
                  onChange={() => setInputChoice({ kind: 'digit', digit: d })}
                />
                <img src={digitUrl(d)} alt="" width={28} height={28} />
              </label>
            );
          })}
        </fieldset>
      )}
      <label className={`seed-line${choice.kind === 'random' ? ' on' : ''}`}>
        {acceptsDigits && (
          <input
            type="radio"
            name="input-kind"
            checked={choice.kind === 'random'}
            disabled={running}
            onChange={() => setInputChoice({ kind: 'random', seed: 1 })}
          />
        )}
        random inputs, seed
        <input
          type="number"
          className="seed mono"
          min={0}
          value={choice.kind === 'random' ? choice.seed : 1}
          disabled={running || choice.kind !== 'random'}
          onChange={(e) =>
            setInputChoice({
              kind: 'random',
              seed: Math.max(0, Math.floor(Number(e.currentTarget.value) || 0)),
            })
          }
        />
      </label>
    </div>
  );
}

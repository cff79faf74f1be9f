// The user-defined strategy: a function typed here runs, on an explicit click only, in a
// dedicated worker with no access to the page; its answers become manual ranges.
import { runStrategy, setStrategySource, useQuantStore } from '../store/quant-index.js';
import { Section } from './Section.js';

export function StrategyPanel() {
  const strategy = useQuantStore((s) => s.strategy);
  const done = useQuantStore((s) => s.overview?.done ?? false);
  const busy = useQuantStore((s) => s.busy);
  if (!done) return null;
  return (
    <Section title="Strategy" testId="strategy-panel">
      <label className="sr-only" htmlFor="strategy-source">
        Strategy function
      </label>
      <textarea
        id="strategy-source"
        className="strategy-editor mono"
        spellCheck={false}
        rows={10}
        value={strategy.source}
        onChange={(e) => setStrategySource(e.target.value)}
      />
      <button
        type="button"
        className="button"
        disabled={strategy.running || busy !== null}
        onClick={() => void runStrategy()}
      >
        Run strategy
      </button>
      <span className="small muted"> in an isolated worker; answers become manual ranges</span>
      {strategy.messages.length > 0 && (
        <ul className="small strategy-messages" data-testid="strategy-messages" aria-live="polite">
          {strategy.messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </Section>
  );
}

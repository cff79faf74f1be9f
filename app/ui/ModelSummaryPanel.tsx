import { useAppStore } from '../store/index.js';
import { formatBytes, formatCount } from './format.js';
import { Section } from './Section.js';
import { ValueTable } from './ValueTable.js';

export function ModelSummaryPanel() {
  const s = useAppStore((st) => st.summary);
  if (!s) return null;
  return (
    <Section title="Model" testId="model-summary">
      <table className="kv">
        <tbody>
          <tr>
            <th>file</th>
            <td className="ellipsis" title={s.fileName}>
              {s.fileName}
            </td>
          </tr>
          <tr>
            <th>producer</th>
            <td>{s.producer}</td>
          </tr>
          <tr>
            <th>IR / opsets</th>
            <td className="mono">
              v{s.irVersion} · {s.opsets.join(', ')}
            </td>
          </tr>
          <tr>
            <th>nodes</th>
            <td className="mono" data-testid="summary-node-count">
              {formatCount(s.nodeCount)}
            </td>
          </tr>
          <tr>
            <th>parameters</th>
            <td className="mono">
              {formatCount(s.parameterCount)} ({formatBytes(s.parameterBytes)})
            </td>
          </tr>
        </tbody>
      </table>
      <h3 className="sub-title">Inputs</h3>
      <ValueTable values={s.inputs} />
      <h3 className="sub-title">Outputs</h3>
      <ValueTable values={s.outputs} />
      {s.shapeNote && (
        <p className="muted small shape-note" title={s.shapeNote}>
          {s.shapeNote}
        </p>
      )}
      <h3 className="sub-title">Ops</h3>
      <div className="op-counts">
        {s.opCounts.map((o) => (
          <span key={o.opType} className="op-count">
            {o.opType} <span className="mono muted">{o.count}</span>
          </span>
        ))}
      </div>
    </Section>
  );
}

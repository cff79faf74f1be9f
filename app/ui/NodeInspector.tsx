import { selectNode, useNodeDetails } from '../store/index.js';
import { categoryFill } from './categories.js';
import { Section } from './Section.js';
import { ValueTable } from './ValueTable.js';

export function NodeInspector() {
  const node = useNodeDetails();
  if (!node) return null;
  return (
    <Section
      title="Node"
      testId="node-inspector"
      extra={
        <button type="button" className="link-button" onClick={() => selectNode(null)}>
          close
        </button>
      }
    >
      <div className="node-heading">
        <span className="op-chip" style={{ background: categoryFill(node.category) }}>
          {node.opType}
        </span>
        <span className="muted small">
          {node.domain} · {node.category}
        </span>
      </div>
      <div className="node-name mono" title={node.name}>
        {node.name}
      </div>
      <h3 className="sub-title">Attributes</h3>
      {node.attributes.length === 0 ? (
        <p className="muted small">none</p>
      ) : (
        <table className="kv" data-testid="node-attributes">
          <tbody>
            {node.attributes.map((a) => (
              <tr key={a.name}>
                <th>{a.name}</th>
                <td className="mono">{a.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3 className="sub-title">Inputs</h3>
      <ValueTable values={node.inputs} withRole />
      <h3 className="sub-title">Outputs</h3>
      <ValueTable values={node.outputs} />
      {node.foldedInto && (
        <p className="muted small" data-testid="folded-into">
          Not drawn: constant or shape computation, shown inside{' '}
          <button type="button" className="link-button" onClick={() => selectNode(node.foldedInto)}>
            {node.foldedInto}
          </button>
        </p>
      )}
      {node.folded.length > 0 && (
        <>
          <h3 className="sub-title">Folded into this node ({node.folded.length})</h3>
          <ul className="folded-list small" data-testid="folded-nodes">
            {node.folded.map((f) => (
              <li key={f.name}>
                <button type="button" className="link-button" onClick={() => selectNode(f.name)}>
                  {f.opType}
                </button>{' '}
                <span className="mono muted" title={f.name}>
                  {f.outputs.map((o) => `${o.name} ${o.shape}`).join(', ')}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </Section>
  );
}

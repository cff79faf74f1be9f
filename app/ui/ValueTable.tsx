import type { NodeInput, ValueView } from '../store/index.js';
import { formatCount, formatNumber } from './format.js';

/** Inputs or outputs of a node or model: name, dtype, shape, and initializer statistics. */
export function ValueTable({
  values,
  withRole,
}: {
  values: readonly (ValueView | NodeInput)[];
  withRole?: boolean;
}) {
  if (values.length === 0) return <p className="muted small">none</p>;
  return (
    <table className="kv value-table">
      <tbody>
        {values.map((v, i) => {
          const init = 'initializer' in v ? v.initializer : undefined;
          const role = 'role' in v ? v.role : '';
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: a node may read the same value twice
            <tr key={i}>
              {withRole && <td className="role">{role}</td>}
              <td>
                <div className="value-name" title={v.name}>
                  {v.name}
                </div>
                {init && (
                  <div className="stats mono" data-testid="initializer-stats">
                    min {formatNumber(init.min)} · max {formatNumber(init.max)} · mean{' '}
                    {formatNumber(init.mean)} · n {formatCount(init.count)}
                  </div>
                )}
              </td>
              <td className="mono dtype">{v.dtype}</td>
              <td className="mono shape">{v.shape}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

// Shape functions of RNN, GRU and LSTM: Y [seq, dirs, batch, hidden] and Y_h / Y_c [dirs, batch,
// hidden]; layout 1 (opset 14+): Y [batch, seq, dirs, hidden], Y_h / Y_c [batch, dirs, hidden].
// hidden is the `hidden_size` attribute, or R's last dimension when it is absent.
import { attrInt, attrString, hasAttr } from '../attributes.js';
import type { ShapeFn, ShapeTable } from './types.js';

const recurrent =
  (outputs: number): ShapeFn =>
  (ctx) => {
    const x = ctx.shape(0);
    const r = ctx.shape(2);
    if (x.length !== 3) ctx.fail(`X must have rank 3, got [${x}]`);
    if (r.length !== 3) ctx.fail(`R must have rank 3, got [${r}]`);
    const layout = ctx.opset >= 14 ? attrInt(ctx.node, 'layout') : 0;
    const dirs = attrString(ctx.node, 'direction') === 'bidirectional' ? 2 : 1;
    const hidden = hasAttr(ctx.node, 'hidden_size') ? attrInt(ctx.node, 'hidden_size') : r[2];
    const dtype = ctx.dtype(0);
    const [seq, batch] = layout === 1 ? [x[1], x[0]] : [x[0], x[1]];
    const y = { dtype, dims: layout === 1 ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden] };
    const state = { dtype, dims: layout === 1 ? [batch, dirs, hidden] : [dirs, batch, hidden] };
    return outputs === 3 ? [y, state, state] : [y, state];
  };

export const rnnShapes: ShapeTable = {
  '::RNN': recurrent(2),
  '::GRU': recurrent(2),
  '::LSTM': recurrent(3),
};

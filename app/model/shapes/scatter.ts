// Shape functions of GridSample, ScatterElements / Scatter, ScatterND and GatherND.
import { gatherNDDims } from '../../../kernels/scatter/scatter.ref.js';
import { attrInt } from '../attributes.js';
import type { ShapeFn, ShapeTable } from './types.js';

/** GridSample: [N, C] of X, then the grid's spatial dims; opset 16-19 take 4-D inputs only. */
const gridSample: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const grid = ctx.shape(1);
  const k = x.length - 2;
  if (k < 1 || (ctx.opset < 20 && k !== 2))
    ctx.fail(`input rank ${x.length} is not supported at opset ${ctx.opset}`);
  if (grid.length !== k + 2 || grid[0] !== x[0] || grid[k + 1] !== k) {
    ctx.fail(`grid [${grid}] does not fit input [${x}]`);
  }
  return [{ dtype: ctx.dtype(0), dims: [x[0], x[1], ...grid.slice(1, k + 1)] }];
};

/** The scatters return data's shape; updates must fit the indices. */
const scatterElements: ShapeFn = (ctx) => {
  const data = ctx.shape(0);
  const indices = ctx.shape(1);
  const updates = ctx.shape(2);
  if (indices.length !== data.length || updates.join() !== indices.join()) {
    ctx.fail(`indices [${indices}] / updates [${updates}] do not fit data [${data}]`);
  }
  return [{ dtype: ctx.dtype(0), dims: [...data] }];
};

const scatterND: ShapeFn = (ctx) => {
  const data = ctx.shape(0);
  const indices = ctx.shape(1);
  const updates = ctx.shape(2);
  const q = indices[indices.length - 1];
  const want = [...indices.slice(0, -1), ...data.slice(q)];
  if (q === undefined || q > data.length || updates.join() !== want.join()) {
    ctx.fail(`updates [${updates}] do not fit data [${data}] and indices [${indices}]`);
  }
  return [{ dtype: ctx.dtype(0), dims: [...data] }];
};

const gatherND: ShapeFn = (ctx) => {
  const batchDims = ctx.opset >= 12 ? attrInt(ctx.node, 'batch_dims', 0) : 0;
  let dims: number[] = [];
  try {
    dims = gatherNDDims(ctx.shape(0), ctx.shape(1), batchDims);
  } catch (e) {
    ctx.fail((e as Error).message);
  }
  return [{ dtype: ctx.dtype(0), dims }];
};

export const scatterShapes: ShapeTable = {
  '::GridSample': gridSample,
  '::ScatterElements': scatterElements,
  '::Scatter': scatterElements,
  '::ScatterND': scatterND,
  '::GatherND': gatherND,
};

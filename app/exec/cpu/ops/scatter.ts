// GridSample, ScatterElements / Scatter, ScatterND and GatherND on the CPU: adapters over
// kernels/grid-sample and kernels/scatter that read each opset's attributes and refuse, in one
// line, the modes and types the references do not implement.
import {
  type GridSampleMode,
  type GridSamplePadding,
  gridSampleRef,
} from '../../../../kernels/grid-sample/grid-sample.ref.js';
import {
  gatherNDRef,
  type ScatterReduction,
  scatterElementsRef,
  scatterNDRef,
} from '../../../../kernels/scatter/scatter.ref.js';
import type { Tensor } from '../../../../kernels/tensor.js';
import { attrInt, attrString } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { GraphNode } from '../../../model/ir.js';
import type { CpuOp, OpContext, OpTable } from '../op-types.js';
import { opKey, required } from '../op-types.js';

function refuse(node: GraphNode, what: string): never {
  throw new ModelError(`node '${node.name}' (${node.opType}): ${what} is not supported`);
}

/** GridSample's options at the node's opset: 16-19 name the modes bilinear / bicubic. */
export function gridSampleOptions(node: GraphNode, opset: number) {
  const old = opset < 20;
  const raw = attrString(node, 'mode', old ? 'bilinear' : 'linear');
  const names: Record<string, GridSampleMode> = old
    ? { bilinear: 'linear', nearest: 'nearest', bicubic: 'cubic' }
    : { linear: 'linear', nearest: 'nearest', cubic: 'cubic' };
  const mode = names[raw];
  if (!mode) refuse(node, `mode '${raw}' at opset ${opset}`);
  const padding = attrString(node, 'padding_mode', 'zeros');
  if (padding !== 'zeros' && padding !== 'border' && padding !== 'reflection') {
    refuse(node, `padding_mode '${padding}'`);
  }
  return {
    mode,
    padding: padding as GridSamplePadding,
    alignCorners: attrInt(node, 'align_corners', 0) !== 0,
  };
}

const gridSample: CpuOp = (ctx) => {
  const x = required(ctx, 0);
  const grid = required(ctx, 1);
  for (const t of [x, grid]) {
    if (t.dtype !== 'float32' && t.dtype !== 'float64') refuse(ctx.node, `${t.dtype} input`);
  }
  if (ctx.opset < 20 && x.dims.length !== 4)
    refuse(ctx.node, `rank ${x.dims.length} input at opset ${ctx.opset}`);
  return [gridSampleRef(x, grid, gridSampleOptions(ctx.node, ctx.opset))];
};

/** The reduction attribute: absent before opset 16, max / min from 18. */
export function scatterReduction(node: GraphNode, opset: number): ScatterReduction {
  if (opset < 16) return 'none';
  const r = attrString(node, 'reduction', 'none');
  const allowed = opset >= 18 ? ['none', 'add', 'mul', 'max', 'min'] : ['none', 'add', 'mul'];
  if (!allowed.includes(r)) refuse(node, `reduction '${r}' at opset ${opset}`);
  return r as ScatterReduction;
}

function reduction(ctx: OpContext): ScatterReduction {
  return scatterReduction(ctx.node, ctx.opset);
}

function checkReducible(ctx: OpContext, data: Tensor, r: ScatterReduction): void {
  if (r !== 'none' && (data.dtype === 'float16' || data.dtype === 'bool')) {
    refuse(ctx.node, `reduction '${r}' on ${data.dtype}`);
  }
}

const scatterElements: CpuOp = (ctx) => {
  const data = required(ctx, 0);
  const r = reduction(ctx);
  checkReducible(ctx, data, r);
  return [scatterElementsRef(data, required(ctx, 1), required(ctx, 2), attrInt(ctx.node, 'axis', 0), r)];
};

const scatterND: CpuOp = (ctx) => {
  const data = required(ctx, 0);
  const r = reduction(ctx);
  checkReducible(ctx, data, r);
  return [scatterNDRef(data, required(ctx, 1), required(ctx, 2), r)];
};

export const scatterOps: OpTable = {
  [opKey('', 'GridSample')]: gridSample,
  [opKey('', 'ScatterElements')]: scatterElements,
  // Scatter (opset 9-10) is ScatterElements without reduction; removed at 11.
  [opKey('', 'Scatter')]: (ctx) => [
    scatterElementsRef(required(ctx, 0), required(ctx, 1), required(ctx, 2), attrInt(ctx.node, 'axis', 0)),
  ],
  [opKey('', 'ScatterND')]: scatterND,
  // batch_dims from opset 12.
  [opKey('', 'GatherND')]: (ctx) => [
    gatherNDRef(required(ctx, 0), required(ctx, 1), ctx.opset >= 12 ? attrInt(ctx.node, 'batch_dims', 0) : 0),
  ],
};

// Col2Im, AffineGrid, RoiAlign, MaxUnpool and DeformConv on the CPU: adapters over kernels/spatial/*.ref.ts.
import { affineGridRef } from '../../../../kernels/spatial/affine-grid.ref.js';
import { col2imRef } from '../../../../kernels/spatial/col2im.ref.js';
import { deformConvRef } from '../../../../kernels/spatial/deform-conv.ref.js';
import {
  maxUnpoolDims,
  maxUnpoolInferredDims,
  maxUnpoolRef,
} from '../../../../kernels/spatial/max-unpool.ref.js';
import { roiAlignRef } from '../../../../kernels/spatial/roi-align.ref.js';
import { toNumbers } from '../../../../kernels/tensor.js';
import { attrFloat, attrInt, attrInts, attrString } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { GraphNode } from '../../../model/ir.js';
import type { CpuOp, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';

function refuse(node: GraphNode, what: string): never {
  throw new ModelError(`node '${node.name}' (${node.opType}): ${what} is not supported`);
}

/** RoiAlign's options; opset 10 has no coordinate_transformation_mode and behaves as 'output_half_pixel'. */
export function roiAlignOptions(node: GraphNode, opset: number) {
  const mode = attrString(node, 'mode', 'avg');
  if (mode !== 'avg' && mode !== 'max') refuse(node, `mode '${mode}'`);
  const ctm =
    opset >= 16 ? attrString(node, 'coordinate_transformation_mode', 'half_pixel') : 'output_half_pixel';
  if (ctm !== 'half_pixel' && ctm !== 'output_half_pixel')
    refuse(node, `coordinate_transformation_mode '${ctm}'`);
  return {
    mode: mode as 'avg' | 'max',
    outputHeight: attrInt(node, 'output_height', 1),
    outputWidth: attrInt(node, 'output_width', 1),
    samplingRatio: attrInt(node, 'sampling_ratio', 0),
    spatialScale: attrFloat(node, 'spatial_scale', 1),
    halfPixel: ctm === 'half_pixel',
  };
}

const maxUnpool: CpuOp = (ctx) => {
  const x = required(ctx, 0);
  const kernel = attrInts(ctx.node, 'kernel_shape');
  if (!kernel) throw new ModelError(`node '${ctx.node.name}' (MaxUnpool) needs attribute 'kernel_shape'`);
  const shape = optional(ctx, 2);
  const inferred = maxUnpoolInferredDims(
    x.dims,
    kernel,
    attrInts(ctx.node, 'pads'),
    attrInts(ctx.node, 'strides'),
  );
  const dims = maxUnpoolDims(inferred, shape ? toNumbers(shape) : undefined);
  return [maxUnpoolRef(x, required(ctx, 1), inferred, dims)];
};

const deformConv: CpuOp = (ctx) => {
  const x = required(ctx, 0);
  if (x.dims.length !== 4) refuse(ctx.node, `a ${x.dims.length}-D input (2-D only)`);
  return [
    deformConvRef(x, required(ctx, 1), required(ctx, 2), optional(ctx, 3), optional(ctx, 4), {
      dilations: attrInts(ctx.node, 'dilations'),
      group: attrInt(ctx.node, 'group', 1),
      kernelShape: attrInts(ctx.node, 'kernel_shape'),
      offsetGroup: attrInt(ctx.node, 'offset_group', 1),
      pads: attrInts(ctx.node, 'pads'),
      strides: attrInts(ctx.node, 'strides'),
    }),
  ];
};

export const spatialOps: OpTable = {
  [opKey('', 'DeformConv')]: deformConv,
  [opKey('', 'RoiAlign')]: (ctx) => [
    roiAlignRef(required(ctx, 0), required(ctx, 1), required(ctx, 2), roiAlignOptions(ctx.node, ctx.opset)),
  ],
  [opKey('', 'MaxUnpool')]: maxUnpool,
  [opKey('', 'Col2Im')]: (ctx) => [
    col2imRef(required(ctx, 0), {
      imageShape: toNumbers(required(ctx, 1)),
      blockShape: toNumbers(required(ctx, 2)),
      dilations: attrInts(ctx.node, 'dilations'),
      pads: attrInts(ctx.node, 'pads'),
      strides: attrInts(ctx.node, 'strides'),
    }),
  ],
  [opKey('', 'AffineGrid')]: (ctx) => [
    affineGridRef(required(ctx, 0), toNumbers(required(ctx, 1)), attrInt(ctx.node, 'align_corners', 0) !== 0),
  ],
};

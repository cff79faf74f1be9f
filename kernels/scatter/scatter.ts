// Host for scatter.wgsl: ScatterND and ScatterElements with constant indices on 32-bit data.
// The slice offsets are computed on the host at plan time from the constant indices. Tests: tests/gpu/scatter.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import type { DType, Tensor } from '../tensor.js';
import type { ScatterReduction } from './scatter.ref.js';

const WORKGROUP_SIZE = 64;
const ELEM: Partial<Record<DType, number>> = { float32: 0, int32: 1, uint32: 2 };
const REDUCTIONS: Record<ScatterReduction, number> = { none: 0, add: 1, mul: 2, max: 3, min: 4 };

/** Whether the GPU kernel takes this data type. */
export function scatterGpuDtype(dtype: DType): boolean {
  return ELEM[dtype] !== undefined;
}

/** A possibly negative index along a dim of `dim`, normalized; throws when out of range, as the reference. */
function normalized(v: number, dim: number): number {
  if (v < -dim || v >= dim) throw new Error(`scatter index ${v} is out of range for dimension ${dim}`);
  return v < 0 ? v + dim : v;
}

/**
 * The flat data offset each update row writes from (ScatterND: one row per slice of data's
 * trailing dims; ScatterElements: one row per update element), computed as the references do.
 */
export function scatterRowOffsets(
  kind: 'nd' | 'elements',
  dataDims: readonly number[],
  indices: Tensor,
  axis = 0,
): { offsets: Int32Array; slice: number } {
  const strides = dataDims.map((_, d) => dataDims.slice(d + 1).reduce((a, b) => a * b, 1));
  const idx = Array.from(indices.data as ArrayLike<number | bigint>, Number);
  if (kind === 'nd') {
    const q = indices.dims[indices.dims.length - 1];
    const rows = idx.length / q;
    const offsets = new Int32Array(rows);
    for (let n = 0; n < rows; n++) {
      let off = 0;
      for (let j = 0; j < q; j++) off += normalized(idx[n * q + j], dataDims[j]) * strides[j];
      offsets[n] = off;
    }
    return { offsets, slice: dataDims.slice(q).reduce((a, b) => a * b, 1) };
  }
  const rank = dataDims.length;
  const ax = axis < 0 ? axis + rank : axis;
  const offsets = new Int32Array(idx.length);
  const coord = new Array<number>(rank).fill(0);
  for (let k = 0; k < idx.length; k++) {
    let off = 0;
    for (let d = 0; d < rank; d++)
      off += (d === ax ? normalized(idx[k], dataDims[ax]) : coord[d]) * strides[d];
    offsets[k] = off;
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < indices.dims[d]) break;
      coord[d] = 0;
    }
  }
  return { offsets, slice: 1 };
}

export async function prepareScatter(
  ctx: GpuContext,
  data: GPUBuffer,
  updates: GPUBuffer,
  y: GPUBuffer,
  dtype: DType,
  total: number,
  offsets: Int32Array,
  slice: number,
  reduction: ScatterReduction,
): Promise<PreparedDispatch> {
  const elem = ELEM[dtype];
  if (elem === undefined) throw new Error(`scatter on the GPU does not take ${dtype}`);
  const pipeline = await getPipeline(ctx, {
    op: 'scatter',
    params: { elem, reduction: REDUCTIONS[reduction], workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code: await loadWgsl(new URL('./scatter.wgsl', import.meta.url)),
      constants: { ELEM: q.elem, REDUCTION: q.reduction, WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
  return prepareDispatch(
    ctx,
    'scatter',
    pipeline,
    { buffers: [data, updates, y], uniform: uniformWords([total, slice, offsets.length, 0]), table: offsets },
    elementGrid(ctx, total, WORKGROUP_SIZE),
  );
}

// Host for pool-table.wgsl: f32 MaxPool (optional int64 Indices, storage_order 0 / 1) and
// AveragePool of [N, C, ...spatial] of any rank, with every attribute the reference takes (its own
// windows and summation order as a table made at plan time, pool-order.ts). MaxPool is exact;
// AveragePool is bit-exact with pool.ref.ts where the reference sums in f32 (rank <= 3: MLAS's
// kernels or onnxruntime's task), within f32 rounding of its f64 sums above rank 3.
// Tests: tests/gpu/pool-conv-3d.test.ts.
import { createStorageBuffer } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { averagePoolOrder, maxPoolOrder, type PoolOrder } from './pool-order.js';
import type { PoolParams } from './pool.ref.js';

const WORKGROUP_SIZE = 64;
/** Table words past which a node stays on the CPU (a window table is outputs x kernel taps). */
const MAX_TABLE_WORDS = 1 << 25;

export type TablePoolKind =
  | { readonly kind: 'max'; readonly storageOrder: number }
  | { readonly kind: 'average'; readonly countIncludePad: boolean };

/** The table for a pool, or a reason the GPU kernel does not take it. */
export function tablePoolOrder(
  dims: readonly number[],
  params: PoolParams,
  k: TablePoolKind,
): PoolOrder | string {
  const planes = dims[0] * dims[1];
  const inSize = dims.slice(2).reduce((a, b) => a * b, 1);
  const order =
    k.kind === 'max'
      ? maxPoolOrder(dims.slice(2), params, k.storageOrder)
      : averagePoolOrder(dims.slice(2), params, k.countIncludePad);
  const outSize = order.outputSpatial.reduce((a, b) => a * b, 1);
  if (planes * Math.max(inSize, outSize) >= 2 ** 31) return 'pool: 2^31 elements or more';
  if (order.table.length > MAX_TABLE_WORDS) return `pool: window table of ${order.table.length} words`;
  return order;
}

/** y (and int64 `indices` as word pairs, MaxPool only) = pool(x) of `dims`, from `order`. */
export async function prepareTablePool(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  indices: GPUBuffer | undefined,
  dims: readonly number[],
  order: PoolOrder,
  kind: 'max' | 'average',
): Promise<PreparedDispatch> {
  const planes = dims[0] * dims[1];
  const inSize = dims.slice(2).reduce((a, b) => a * b, 1);
  const outSize = order.outputSpatial.reduce((a, b) => a * b, 1);
  const flags = {
    mode: kind === 'max' ? 0 : 1,
    indices: indices !== undefined,
    initFirst: order.initFirst,
    global: order.global,
  };
  const pipeline = await getPipeline(ctx, {
    op: 'pool-table',
    params: { ...flags, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code:
        (await loadWgsl(new URL('../gpu/wgsl/div-nearest.wgsl', import.meta.url))) +
        (await loadWgsl(new URL('./pool-table.wgsl', import.meta.url))),
      constants: {
        WORKGROUP_SIZE: q.workgroupSize,
        MODE: q.mode,
        INDICES: q.indices ? 1 : 0,
        INIT_FIRST: q.initFirst ? 1 : 0,
        GLOBAL: q.global ? 1 : 0,
      },
    }),
  });
  // The indices binding exists in every variant; without Indices it is a dummy no one writes.
  const dummy = indices ? undefined : createStorageBuffer(ctx, 'pool-table.no-indices', 4);
  const uniform = uniformWords([
    planes,
    inSize,
    outSize,
    order.groupsBase,
    order.tapsBase,
    order.storageBase,
    order.divisorBase,
    0,
  ]);
  const d = prepareDispatch(
    ctx,
    `pool-table.${kind}`,
    pipeline,
    { buffers: [x, y, indices ?? dummy!], uniform, table: order.table },
    elementGrid(ctx, planes * outSize, WORKGROUP_SIZE),
  );
  return dummy ? { ...d, owned: [...d.owned, dummy] } : d;
}

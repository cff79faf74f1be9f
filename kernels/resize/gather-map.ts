// Host for gather-map.wgsl: y[i] = x[map[i]] over 8-bit (packed) or 32-bit elements, and the map
// of a nearest-mode Resize made by running the reference on element indices.
// Tests: tests/gpu/resize-gather.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { makeTensor, type Tensor } from '../tensor.js';

const WORKGROUP_SIZE = 64;

/** A dispatch writing y[i] = x[map[i]] for i < map.length (elements of 1 or 4 bytes). */
export async function prepareGatherMap(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  map: Int32Array,
  elementBytes: 1 | 4,
): Promise<PreparedDispatch> {
  const bytes = elementBytes === 1;
  const invocations = bytes ? Math.ceil(map.length / 4) : map.length;
  const pipeline = await getPipeline(ctx, {
    op: 'gather-map',
    params: { bytes, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code: await loadWgsl(new URL('./gather-map.wgsl', import.meta.url)),
      constants: { BYTES: q.bytes ? 1 : 0, WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
  return prepareDispatch(
    ctx,
    'gather-map',
    pipeline,
    {
      buffers: [x, y],
      uniform: uniformWords([map.length, invocations, 0, 0]),
      table: map.length ? map : new Int32Array(1),
    },
    elementGrid(ctx, invocations, WORKGROUP_SIZE),
  );
}

/** Largest element count whose indices are exact in float32. */
const MAX_EXACT = 2 ** 24;

/**
 * The gather map of an op that only moves elements (nearest Resize): `op` applied to a float32
 * tensor of `dims` holding each element's flat index. Undefined when the tensor is too large for
 * exact indices or an output is not an input index (extrapolated values).
 */
export function indexMapOf(dims: readonly number[], op: (indices: Tensor) => Tensor): Int32Array | undefined {
  const n = dims.reduce((a, b) => a * b, 1);
  if (n > MAX_EXACT) return undefined;
  const out = op(
    makeTensor(
      'float32',
      [...dims],
      Float32Array.from({ length: n }, (_, i) => i),
    ),
  );
  const data = out.data as Float32Array;
  const map = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < 0 || v >= n) return undefined;
    map[i] = v;
  }
  return map;
}

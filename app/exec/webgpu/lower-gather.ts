// Gather whose indices are known only at run time (lower-tensor.ts's gather takes plan-time
// constant indices as a plain strided copy and hands every other case here), and GatherND: int32 /
// int64 indices on the GPU (a fed graph input such as a language model's input_ids, a GPU kernel's
// output, or a constant) over 8- or 32-bit data, or int64 data on the GPU as word pairs, through
// gather-runtime.wgsl / gather-nd.wgsl. An out-of-range index fails the run after it with the CPU
// reference's message. int64 a CPU node made is host-only: the node then stays a CPU fallback.
import { BufferPool } from '../../../kernels/gpu/buffers.js';
import type { CheckedKernel } from '../../../kernels/gpu/error-word.js';
import { gatherNDDims } from '../../../kernels/scatter/scatter.ref.js';
import { normalizeAxis } from '../../../kernels/shape-ops/axes.js';
import { prepareGatherND } from '../../../kernels/shape-ops/gather-nd.js';
import { prepareGatherRuntime } from '../../../kernels/shape-ops/gather-runtime.js';
import { attrInt } from '../../model/attributes.js';
import { ModelError } from '../../model/errors.js';
import { gpuByteLength, gpuElementBytes } from './gpu-storage.js';
import { type GpuWork, inputName, type LowerContext, type Lowering } from './lowering.js';

export async function gatherAtRunTime(lc: LowerContext) {
  const rank = lc.shape(inputName(lc, 0)).dims.length;
  const indices = lc.shape(inputName(lc, 1));
  if (rank === 0 || (indices.dtype !== 'int32' && indices.dtype !== 'int64')) return undefined;
  let axis: number;
  try {
    axis = normalizeAxis(attrInt(lc.node, 'axis'), rank, 'Gather axis');
  } catch {
    return undefined; // the CPU op reports it
  }
  return gatherOnGpu(lc, prepareGatherRuntime, axis);
}

/**
 * The gather `prepare` (gather-runtime.ts's or gather-nd.ts's, `param` its axis or batch_dims) over
 * the node's data and indices on the GPU; undefined (a CPU fallback) when either is not there or
 * does not fit a binding.
 */
async function gatherOnGpu(
  lc: LowerContext,
  prepare: typeof prepareGatherRuntime | typeof prepareGatherND,
  param: number,
): Promise<GpuWork | undefined> {
  const indices = lc.shape(inputName(lc, 1));
  const data = dataOnGpu(lc);
  const indexBuffer = onGpu(lc, 1);
  if (!data || !indexBuffer || !fitsBindings(lc, data.buffer, indexBuffer)) return undefined;
  const g = await prepare(
    lc.gpu,
    data.buffer,
    indexBuffer,
    lc.output(0),
    data.dims,
    indices.dims,
    param,
    indices.dtype === 'int64',
    data.bytes,
  );
  return failingRun(lc, g, () => g.outOfRange());
}

/** Input i's GPU buffer; undefined for int64 a CPU node made (those live on the host only). */
function onGpu(lc: LowerContext, i: number): GPUBuffer | undefined {
  try {
    return lc.input(i);
  } catch {
    return undefined;
  }
}

/**
 * The data as the kernels copy it: 8- or 32-bit elements, or int64 on the GPU as pairs of 32-bit
 * words (a trailing dim of 2, so axes and index tuples keep their meaning).
 */
function dataOnGpu(lc: LowerContext): { buffer: GPUBuffer; dims: number[]; bytes: 1 | 4 } | undefined {
  const { dtype, dims } = lc.shape(inputName(lc, 0));
  const bytes = gpuElementBytes(dtype);
  const buffer = bytes > 0 || dtype === 'int64' ? onGpu(lc, 0) : undefined;
  if (!buffer) return undefined;
  return bytes > 0
    ? { buffer, dims: [...dims], bytes: bytes as 1 | 4 }
    : { buffer, dims: [...dims, 2], bytes: 4 };
}

/**
 * Whether the data, the indices and the output each fit one storage binding (a table larger than
 * the device allows stays with the CPU op rather than failing to bind).
 */
function fitsBindings(lc: LowerContext, data: GPUBuffer, indices: GPUBuffer): boolean {
  const out = lc.shape(lc.node.outputs[0]);
  const limit = lc.gpu.limits.maxStorageBufferBindingSize;
  // The arena gives the output a pooled buffer, bound whole.
  const outBytes = BufferPool.bucketSize(gpuByteLength(out.dtype, out.dims));
  return Math.max(data.size, indices.size, outBytes) <= limit;
}

/**
 * The GPU work of a checked kernel (kernels/gpu/error-word.ts): after the run, `error` reads its
 * error word, and a message fails the run as the CPU reference fails the node (out-of-range
 * indices here; Mod's division by zero and GatherElements in lower-extra.ts).
 */
export function failingRun(
  lc: LowerContext,
  k: CheckedKernel,
  error: () => Promise<string | undefined>,
): GpuWork {
  const { name, opType } = lc.node;
  return {
    record: async (encoder: GPUCommandEncoder) => k.record(encoder),
    collect: async () => {
      const message = await error();
      return () => {
        if (message) throw new ModelError(`node '${name}' (${opType}): ${message}`);
      };
    },
    destroy: k.destroy,
  };
}

/**
 * GatherND (opset 11; batch_dims from 12, as app/exec/cpu/ops/scatter.ts reads it) over 8- / 32-bit
 * or int64 data with int32 / int64 indices on the GPU, constant or not (gather-nd.wgsl). Dims the
 * reference refuses stay with the CPU op, which reports them.
 */
const gatherND: Lowering = async (lc) => {
  const indices = lc.shape(inputName(lc, 1));
  const batchDims = lc.opset >= 12 ? attrInt(lc.node, 'batch_dims', 0) : 0;
  if (indices.dtype !== 'int32' && indices.dtype !== 'int64') return undefined;
  try {
    gatherNDDims(lc.shape(inputName(lc, 0)).dims, indices.dims, batchDims);
  } catch {
    return undefined;
  }
  return gatherOnGpu(lc, prepareGatherND, batchDims);
};

export const gatherLowerings: Readonly<Record<string, Lowering>> = {
  GatherND: gatherND,
};

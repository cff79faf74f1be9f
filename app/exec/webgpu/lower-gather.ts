// Gather whose indices are known only at run time (lower-tensor.ts's gather takes plan-time
// constant indices as a plain strided copy and hands every other case here): int32 / int64 indices
// on the GPU (a fed graph input such as a language model's input_ids, or a GPU kernel's output)
// over 8- or 32-bit data, through gather-runtime.wgsl. An out-of-range index fails the run after it
// with the CPU reference's message. Indices a CPU node made as int64 are host-only: the node then
// stays a CPU fallback.
import { prepareGatherRuntime } from '../../../kernels/shape-ops/gather-runtime.js';
import { attrInt } from '../../model/attributes.js';
import { ModelError } from '../../model/errors.js';
import { gpuElementBytes } from './gpu-storage.js';
import { inputName, type LowerContext } from './lowering.js';

export async function gatherAtRunTime(lc: LowerContext) {
  const data = lc.shape(inputName(lc, 0));
  const indices = lc.shape(inputName(lc, 1));
  const bytes = gpuElementBytes(data.dtype);
  if (bytes === 0 || data.dims.length === 0) return undefined; // rank 0: the CPU op reports it
  if (indices.dtype !== 'int32' && indices.dtype !== 'int64') return undefined;
  let indexBuffer: GPUBuffer;
  try {
    indexBuffer = lc.input(1);
  } catch {
    return undefined; // int64 indices a CPU node made live on the host
  }
  const g = await prepareGatherRuntime(
    lc.gpu,
    lc.input(0),
    indexBuffer,
    lc.output(0),
    data.dims,
    indices.dims,
    attrInt(lc.node, 'axis'),
    indices.dtype === 'int64',
    bytes,
  );
  const { name, opType } = lc.node;
  return {
    record: async (encoder: GPUCommandEncoder) => g.record(encoder),
    collect: async () => {
      const message = await g.outOfRange();
      return () => {
        if (message) throw new ModelError(`node '${name}' (${opType}): ${message}`);
      };
    },
    destroy: g.destroy,
  };
}

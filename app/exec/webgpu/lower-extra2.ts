// GPU lowerings of ops that otherwise run as CPU fallbacks inside a WebGPU run: Einsum (f32 /
// int32, any equation the reference takes within the kernel's limits). A node these decline
// (other dtypes, a kernel limit) runs on the CPU reference.
import { einsumGpuRefusal, prepareEinsum } from '../../../kernels/einsum/einsum.js';
import { attrString } from '../../model/attributes.js';
import type { Lowering } from './lowering.js';

const einsum: Lowering = async (lc) => {
  const names = lc.node.inputs;
  if (names.length === 0 || names.some((n) => !n)) return undefined;
  const dtype = lc.shape(names[0]).dtype;
  if (dtype !== 'float32' && dtype !== 'int32') return undefined;
  if (names.some((n) => lc.shape(n).dtype !== dtype)) return undefined;
  const dims = names.map((n) => lc.shape(n).dims);
  const equation = attrString(lc.node, 'equation');
  if (einsumGpuRefusal(lc.gpu, equation, dims)) return undefined;
  const inputs = names.map((_, i) => lc.input(i));
  const dispatch = await prepareEinsum(lc.gpu, equation, inputs, dims, lc.output(0), dtype);
  return { dispatches: [dispatch] };
};

export const extra2Lowerings: Readonly<Record<string, Lowering>> = {
  Einsum: einsum,
};

// Resize on the GPU, nearest mode, any 8-bit or 32-bit float data: a gather whose index map is
// the CPU reference itself run at plan time on a tensor of element indices (sizes and scales must
// be constants), so the GPU result is the reference's bit for bit. Linear and cubic modes, and
// extrapolated values (tf_crop_and_resize), stay on the CPU reference.
import { indexMapOf, prepareGatherMap } from '../../../kernels/resize/gather-map.js';
import { attrString } from '../../model/attributes.js';
import { findCpuOp } from '../cpu/registry.js';
import { inputName, type Lowering } from './lowering.js';

const resize: Lowering = async (lc) => {
  const { node } = lc;
  const dtype = lc.shape(inputName(lc, 0)).dtype;
  const elementBytes = dtype === 'int8' || dtype === 'uint8' ? 1 : dtype === 'float32' ? 4 : undefined;
  if (!elementBytes || attrString(node, 'mode') !== 'nearest') return undefined;
  const rest = node.inputs.slice(1).filter(Boolean);
  if (!rest.every((name) => lc.constant(name) !== undefined)) return undefined;
  const op = findCpuOp(node.domain, node.opType);
  if (!op) return undefined;
  const dims = lc.shape(inputName(lc, 0)).dims;
  const map = indexMapOf(dims, (indices) => {
    const inputs = node.inputs.map((name, i) => (i === 0 ? indices : name ? lc.constant(name) : undefined));
    return op({ node, inputs, opset: lc.opset, settings: lc.settings })[0];
  });
  if (!map) return undefined;
  const dispatch = await prepareGatherMap(lc.gpu, lc.input(0), lc.output(0), map, elementBytes);
  return { dispatches: [dispatch] };
};

export const resizeLowerings = { Resize: resize } as const;

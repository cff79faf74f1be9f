// Resize on the GPU. Nearest mode, any 8-bit or 32-bit float data: a gather whose index map is
// the CPU reference itself run at plan time on a tensor of element indices, so the GPU result is
// the reference's bit for bit. Linear and cubic modes on float32: the reference's per-axis taps
// (resizePlan) as a table, summed in float32 on the GPU (resize-taps.wgsl); linear mode in
// onnxruntime's order, bit for bit with the reference, except with antialias (opset 18+: wider
// taps, which the reference sums in float64). Integer linear Resize stays on the CPU.
// Sizes, scales and roi must be constants (or known when the plan is made).
import { indexMapOf, prepareGatherMap } from '../../../kernels/resize/gather-map.js';
import { prepareResizeTaps, RESIZE_TAPS_MAX_RANK } from '../../../kernels/resize/resize-taps.js';
import { resizePlan } from '../../../kernels/resize/resize.ref.js';
import type { Tensor } from '../../../kernels/tensor.js';
import { attrString } from '../../model/attributes.js';
import { resizeArguments, upsampleArguments } from '../cpu/ops/nn.js';
import { findCpuOp } from '../cpu/registry.js';
import { inputName, type Lowering } from './lowering.js';

const resize: Lowering = async (lc) => {
  const { node } = lc;
  const { dtype, dims } = lc.shape(inputName(lc, 0));
  const rest = node.inputs.slice(1).filter(Boolean);
  if (!rest.every((name) => lc.constant(name) !== undefined)) return undefined;
  const constants = (x: Tensor) =>
    node.inputs.map((name, i) => (i === 0 ? x : name ? lc.constant(name) : undefined));
  const mode = attrString(node, 'mode');
  if (mode !== 'nearest') {
    if (dtype !== 'float32' || dims.length > RESIZE_TAPS_MAX_RANK) return undefined;
    // Only the dims of x matter to the parameters; its data is on the GPU.
    const placeholder: Tensor = { dtype, dims, data: new Float32Array(0) };
    const args = node.opType === 'Upsample' ? upsampleArguments : resizeArguments;
    const { params } = args({
      node,
      inputs: constants(placeholder),
      opset: lc.opset,
      settings: lc.settings,
    });
    const plan = resizePlan(dims, params);
    return { dispatches: [await prepareResizeTaps(lc.gpu, lc.input(0), lc.output(0), dims, plan)] };
  }
  const elementBytes = dtype === 'int8' || dtype === 'uint8' ? 1 : dtype === 'float32' ? 4 : undefined;
  if (!elementBytes) return undefined;
  const op = findCpuOp(node.domain, node.opType);
  if (!op) return undefined;
  const map = indexMapOf(
    dims,
    (indices) => op({ node, inputs: constants(indices), opset: lc.opset, settings: lc.settings })[0],
  );
  if (!map) return undefined;
  const dispatch = await prepareGatherMap(lc.gpu, lc.input(0), lc.output(0), map, elementBytes);
  return { dispatches: [dispatch] };
};

export const resizeLowerings = { Resize: resize, Upsample: resize } as const;

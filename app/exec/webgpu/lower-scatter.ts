// ScatterND and ScatterElements on the GPU (kernels/scatter/scatter.wgsl) when the indices are
// constants (int64 values live on the host only) and data is float32 / int32 / uint32; other
// cases, and a reduction the CPU op refuses, stay on the CPU reference.
import { prepareScatter, scatterGpuDtype, scatterRowOffsets } from '../../../kernels/scatter/scatter.js';
import { attrInt } from '../../model/attributes.js';
import { scatterReduction } from '../cpu/ops/scatter.js';
import { inputName, type Lowering, type LowerContext } from './lowering.js';

function lowerScatter(kind: 'nd' | 'elements'): Lowering {
  return async (lc: LowerContext) => {
    const data = lc.shape(inputName(lc, 0));
    const indices = lc.constant(inputName(lc, 1));
    if (!indices || !scatterGpuDtype(data.dtype) || data.dims.length === 0) return undefined;
    const total = data.dims.reduce((a, b) => a * b, 1);
    if (total === 0 || total >= 2 ** 31) return undefined;
    let reduction: ReturnType<typeof scatterReduction>;
    let rows: ReturnType<typeof scatterRowOffsets>;
    try {
      reduction =
        kind === 'elements' && lc.node.opType === 'Scatter' ? 'none' : scatterReduction(lc.node, lc.opset);
      rows = scatterRowOffsets(
        kind,
        data.dims,
        indices,
        kind === 'elements' ? attrInt(lc.node, 'axis', 0) : 0,
      );
    } catch {
      return undefined; // the CPU op refuses or reports it in one line
    }
    const dispatch = await prepareScatter(
      lc.gpu,
      lc.input(0),
      lc.input(2),
      lc.output(0),
      data.dtype,
      total,
      rows.offsets,
      rows.slice,
      reduction,
    );
    return { dispatches: [dispatch] };
  };
}

export const scatterLowerings = {
  ScatterND: lowerScatter('nd'),
  ScatterElements: lowerScatter('elements'),
  Scatter: lowerScatter('elements'),
} as const;

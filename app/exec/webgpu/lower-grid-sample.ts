// GridSample on the GPU (kernels/grid-sample/grid-sample.wgsl): float32 X and grid with 1 to 3
// spatial dims, every mode and padding; anything else (float64, refused attributes, 4-D+ spatial)
// stays on the CPU reference.
import { prepareGridSample } from '../../../kernels/grid-sample/grid-sample.js';
import { gridSampleOptions } from '../cpu/ops/scatter.js';
import { inputName, isFloatInput, type Lowering } from './lowering.js';

const gridSample: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0) || !isFloatInput(lc, 1)) return undefined;
  const xDims = lc.shape(inputName(lc, 0)).dims;
  const gridDims = lc.shape(inputName(lc, 1)).dims;
  const k = xDims.length - 2;
  if (k < 1 || k > 3 || (lc.opset < 20 && k !== 2)) return undefined;
  let options: ReturnType<typeof gridSampleOptions>;
  try {
    options = gridSampleOptions(lc.node, lc.opset);
  } catch {
    return undefined; // the CPU op refuses it in one line
  }
  const dispatch = await prepareGridSample(
    lc.gpu,
    lc.input(0),
    lc.input(1),
    lc.output(0),
    xDims,
    gridDims,
    options,
  );
  return { dispatches: [dispatch] };
};

export const gridSampleLowerings = { GridSample: gridSample } as const;

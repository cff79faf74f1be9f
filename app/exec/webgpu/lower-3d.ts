// Lowerings for what the 1-D / 2-D float kernels decline: f32 MaxPool (any rank, and the int64
// Indices output with storage_order 0 / 1) and AveragePool (any rank) on the window-table kernel
// (kernels/pool/pool-table.ts: MaxPool exact; AveragePool bit-exact with the reference's f32
// order up to 3-D), and f32 3-D Conv (kernels/conv3d/: bit-exact with the reference's MLAS order
// where the device's arithmetic allows, else within 1e-5 relative). gpu-plan.ts tries the earlier
// families first (lower-float.ts's pools and Conv, lower-qpool.ts's MaxPool), so only what they
// decline comes here. Attributes are read by the CPU
// adapter's poolParams, so a node the reference refuses stays a CPU fallback with its message.
import { conv3dRefusal, prepareConv3d } from '../../../kernels/conv3d/conv3d.js';
import type { PoolParams } from '../../../kernels/pool/pool.ref.js';
import { prepareTablePool, tablePoolOrder } from '../../../kernels/pool/pool-table.js';
import { attrInt } from '../../model/attributes.js';
import { poolParams } from '../cpu/ops/nn.js';
import { ints, spatialAttrs } from './lower-float.js';
import { inputName, isFloatInput, type Lowering } from './lowering.js';

function tablePool(kind: 'max' | 'average'): Lowering {
  return async (lc) => {
    if (!isFloatInput(lc, 0)) return undefined;
    const dims = lc.shape(inputName(lc, 0)).dims;
    let params: PoolParams;
    try {
      params = poolParams(lc.node);
    } catch {
      return undefined;
    }
    if (dims.length < 3 || dims.length !== params.kernelShape.length + 2 || dims.some((d) => d === 0))
      return undefined;
    let order: ReturnType<typeof tablePoolOrder>;
    try {
      order =
        kind === 'max'
          ? tablePoolOrder(dims, params, { kind, storageOrder: attrInt(lc.node, 'storage_order') })
          : tablePoolOrder(dims, params, {
              kind,
              countIncludePad: attrInt(lc.node, 'count_include_pad') !== 0,
            });
    } catch {
      return undefined;
    }
    if (typeof order === 'string') return undefined;
    const wantsIndices = kind === 'max' && (lc.node.outputs[1] ?? '') !== '';
    const dispatch = await prepareTablePool(
      lc.gpu,
      lc.input(0),
      lc.output(0),
      wantsIndices ? lc.output(1) : undefined,
      dims,
      order,
      kind,
    );
    return { dispatches: [dispatch] };
  };
}

const conv: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0) || !isFloatInput(lc, 1)) return undefined;
  const biasName = inputName(lc, 2);
  if (biasName && lc.shape(biasName).dtype !== 'float32') return undefined;
  const params = {
    xDims: lc.shape(inputName(lc, 0)).dims,
    wDims: lc.shape(inputName(lc, 1)).dims,
    group: attrInt(lc.node, 'group', 1),
    kernelShape: ints(lc, 'kernel_shape'),
    hasBias: biasName !== '',
  };
  let refusal: string | undefined;
  try {
    refusal = conv3dRefusal(
      { ...params, ...spatialAttrs(lc) },
      biasName ? lc.shape(biasName).dims : undefined,
    );
  } catch {
    return undefined;
  }
  if (refusal || params.xDims.some((d) => d === 0) || params.wDims.some((d) => d === 0)) return undefined;
  const r = await prepareConv3d(
    lc.gpu,
    lc.input(0),
    lc.input(1),
    biasName ? lc.input(2) : undefined,
    lc.output(0),
    { ...params, ...spatialAttrs(lc) },
  );
  return { dispatches: [r.dispatch] };
};

export const threeDLowerings: Readonly<Record<string, Lowering>> = {
  MaxPool: tablePool('max'),
  AveragePool: tablePool('average'),
  Conv: conv,
};

// The transformer ops of opsets 23+ on the GPU (kernels/attention/attention-gpu.ts), float32 only.
// Still CPU fallbacks (decided here before any output storage is asked for):
// - any float16 / bfloat16 / float64 tensor;
// - RotaryEmbedding whose position_ids are int64 computed at run time (these kernels read int32
//   ids; narrow-indices.ts casts graph-level int64 ones to int32 first), a constant id past the
//   cache, or cos / sin / head sizes that do not fit;
// - SwiGLU with A and B of different shapes (the CPU op refuses it);
// - Attention with a run-time int64 nonpad_kv_seqlen (as position_ids), softmax_precision other than 0 / 1 / 11
//   (the CPU op refuses it), an attn_mask other than bool / float32 or of rank above 4, a
//   past_key without past_value, head sizes that do not divide, or one row of T keys' scores
//   larger than the device's largest storage binding (longer inputs run in row chunks).
import {
  type AttentionGeometry,
  prepareAttention,
  prepareRotary,
  prepareSwiGlu,
} from '../../../kernels/attention/attention-gpu.js';
import { createStorageBuffer } from '../../../kernels/gpu/buffers.js';
import { makeTensor, sizeOf } from '../../../kernels/tensor.js';
import { attrFloat, attrInt, hasAttr } from '../../model/attributes.js';
import { inputName, isFloatInput, type LowerContext, type Lowering } from './lowering.js';

const dimsOf = (lc: LowerContext, i: number) => lc.shape(inputName(lc, i)).dims;

/**
 * Integer input i as an i32 GPU buffer: an int32 value as it is, an int64 constant converted at
 * plan time (`check` vets its values); undefined when neither (these kernels read no int64
 * run-time value; webgpu/narrow-indices.ts casts those of these ops to int32 before planning).
 */
function int32Input(
  lc: LowerContext,
  i: number,
  check: (values: Int32Array) => boolean = () => true,
): GPUBuffer | undefined {
  const name = inputName(lc, i);
  const t = lc.constant(name);
  if (t && (t.dtype === 'int64' || t.dtype === 'int32')) {
    const values = Int32Array.from(t.data as ArrayLike<number | bigint>, Number);
    return check(values)
      ? lc.upload(`${lc.node.name}.input${i}.i32`, makeTensor('int32', t.dims, values))
      : undefined;
  }
  return lc.shape(name).dtype === 'int32' ? lc.input(i) : undefined;
}

const rotary: Lowering = async (lc) => {
  if (![0, 1, 2].every((i) => isFloatInput(lc, i))) return undefined;
  const dims = dimsOf(lc, 0);
  const numHeads = attrInt(lc.node, 'num_heads');
  if (dims.length !== 3 && dims.length !== 4) return undefined;
  if (dims.length === 3 && (numHeads <= 0 || dims[2] % numHeads !== 0)) return undefined;
  const head = dims.length === 4 ? dims[3] : dims[2] / numHeads;
  const rd = attrInt(lc.node, 'rotary_embedding_dim') || head;
  if (rd % 2 !== 0 || rd > head) return undefined;
  const [b, s] = dims.length === 4 ? [dims[0], dims[2]] : [dims[0], dims[1]];
  const cacheRows = sizeOf(dimsOf(lc, 1)) / (rd / 2);
  let pos: GPUBuffer | undefined;
  if (inputName(lc, 3)) {
    if (sizeOf(dimsOf(lc, 3)) !== b * s) return undefined;
    // A constant id past the cache falls back (the reference gives NaN; the GPU would clamp).
    pos = int32Input(lc, 3, (ids) => ids.every((v) => v >= 0 && v < cacheRows));
    if (!pos) return undefined;
  } else if (cacheRows < b * s) return undefined;
  if (sizeOf(dimsOf(lc, 2)) !== sizeOf(dimsOf(lc, 1))) return undefined;
  const dispatch = await prepareRotary(lc.gpu, lc.input(0), lc.input(1), lc.input(2), pos, lc.output(0), {
    dims,
    numHeads,
    rotaryDim: rd,
    interleaved: attrInt(lc.node, 'interleaved') !== 0,
  });
  return { dispatches: [dispatch] };
};

const swiGlu: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0) || !isFloatInput(lc, 1)) return undefined;
  const a = dimsOf(lc, 0);
  if (a.join(',') !== dimsOf(lc, 1).join(',')) return undefined;
  const dispatch = await prepareSwiGlu(
    lc.gpu,
    lc.input(0),
    lc.input(1),
    lc.output(0),
    sizeOf(a),
    attrFloat(lc.node, 'alpha'),
  );
  return { dispatches: [dispatch] };
};

/** Attention's geometry, or undefined when the kernel does not take the node. */
function attentionGeometry(lc: LowerContext): AttentionGeometry | undefined {
  const { node } = lc;
  if (![0, 1, 2].every((i) => isFloatInput(lc, i))) return undefined;
  const nonpad = lc.opset >= 24 ? inputName(lc, 6) : '';
  if (
    nonpad &&
    (lc.shape(nonpad).dtype === 'int64' ? !lc.constant(nonpad) : lc.shape(nonpad).dtype !== 'int32')
  )
    return undefined;
  if (nonpad && sizeOf(lc.shape(nonpad).dims) !== dimsOf(lc, 0)[0]) return undefined;
  if (hasAttr(node, 'softmax_precision') && ![0, 1, 11].includes(attrInt(node, 'softmax_precision')))
    return undefined;
  const hasPast = inputName(lc, 4) !== '';
  if (hasPast !== (inputName(lc, 5) !== '')) return undefined;
  if (hasPast && (!isFloatInput(lc, 4) || !isFloatInput(lc, 5))) return undefined;
  const maskName = inputName(lc, 3);
  let mask: AttentionGeometry['mask'];
  if (maskName) {
    const m = lc.shape(maskName);
    if ((m.dtype !== 'bool' && m.dtype !== 'float32') || m.dims.length < 1 || m.dims.length > 4)
      return undefined;
    mask = { dims: m.dims, bool: m.dtype === 'bool' };
  }
  const mode = attrInt(node, 'qk_matmul_output_mode');
  if (mode < 0 || mode > 3) return undefined;
  const [q, k, v] = [0, 1, 2].map((i) => dimsOf(lc, i));
  if (q.length !== k.length || q.length !== v.length) return undefined;
  let g: Omit<
    AttentionGeometry,
    'past' | 'scale' | 'causal' | 'softcap' | 'qkMode' | 'leftWindow' | 'rightWindow' | 'mask'
  >;
  if (q.length === 4) {
    if (k[3] !== q[3] || k[2] !== v[2] || k[1] !== v[1]) return undefined;
    g = {
      batch: q[0],
      qHeads: q[1],
      kvHeads: k[1],
      qSeq: q[2],
      kvSeq: k[2],
      head: q[3],
      headV: v[3],
      threeD: false,
    };
  } else if (q.length === 3) {
    const hq = attrInt(node, 'q_num_heads', 0);
    const hkv = attrInt(node, 'kv_num_heads', 0);
    if (hq <= 0 || hkv <= 0 || q[2] % hq || k[2] % hkv || v[2] % hkv) return undefined;
    if (k[2] / hkv !== q[2] / hq || k[1] !== v[1]) return undefined;
    g = {
      batch: q[0],
      qHeads: hq,
      kvHeads: hkv,
      qSeq: q[1],
      kvSeq: k[1],
      head: q[2] / hq,
      headV: v[2] / hkv,
      threeD: true,
    };
  } else return undefined;
  if (g.kvHeads <= 0 || g.qHeads % g.kvHeads !== 0) return undefined;
  const past = hasPast ? dimsOf(lc, 4)[2] : 0;
  if (hasPast) {
    const [pk, pv] = [dimsOf(lc, 4), dimsOf(lc, 5)];
    const want = (d: number) => [g.batch, g.kvHeads, past, d].join(',');
    if (pk.join(',') !== want(g.head) || pv.join(',') !== want(g.headV)) return undefined;
  }
  const geometry: AttentionGeometry = {
    ...g,
    past,
    scale: hasAttr(node, 'scale') ? attrFloat(node, 'scale') : undefined,
    causal: attrInt(node, 'is_causal') !== 0,
    softcap: attrFloat(node, 'softcap'),
    qkMode: mode,
    leftWindow: lc.opset >= 25 ? attrInt(node, 'left_window_size') : -1,
    rightWindow: lc.opset >= 25 ? attrInt(node, 'right_window_size') : -1,
    mask,
  };
  if ((past + g.kvSeq) * 4 > lc.gpu.device.limits.maxStorageBufferBindingSize) return undefined;
  return geometry;
}

const attention: Lowering = async (lc) => {
  const g = attentionGeometry(lc);
  if (!g) return undefined;
  const nonpad = lc.opset >= 24 && inputName(lc, 6) ? int32Input(lc, 6) : undefined;
  const used = (i: number) => (lc.node.outputs[i] ?? '') !== '' && lc.isUsed(lc.node.outputs[i]);
  // present_key / present_value are the kernel's K and V: scratch when the graph reads neither.
  const total = g.past + g.kvSeq;
  const scratch: GPUBuffer[] = [];
  const present = (i: number, d: number) => {
    if (used(i)) return lc.output(i);
    const b = createStorageBuffer(lc.gpu, `${lc.node.name}.present${i}`, g.batch * g.kvHeads * total * d * 4);
    scratch.push(b);
    return b;
  };
  const dispatches = await prepareAttention(
    lc.gpu,
    {
      q: lc.input(0),
      k: lc.input(1),
      v: lc.input(2),
      mask: g.mask ? lc.input(3) : undefined,
      pastKey: inputName(lc, 4) ? lc.input(4) : undefined,
      pastValue: inputName(lc, 5) ? lc.input(5) : undefined,
      y: lc.output(0),
      presentKey: present(1, g.head),
      presentValue: present(2, g.headV),
      qk: used(3) ? lc.output(3) : undefined,
      nonpad,
    },
    g,
  );
  return {
    dispatches,
    destroy: () => {
      for (const b of scratch) b.destroy();
    },
  };
};

export const attentionLowerings: Readonly<Record<string, Lowering>> = {
  RotaryEmbedding: rotary,
  SwiGLU: swiGlu,
  Attention: attention,
};

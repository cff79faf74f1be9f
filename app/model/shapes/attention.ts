// Shape functions of Attention and RotaryEmbedding.
import { attrInt } from '../attributes.js';
import type { ShapeFn, ShapeTable } from './types.js';

const attention: ShapeFn = (ctx) => {
  const q = ctx.shape(0);
  const k = ctx.shape(1);
  const v = ctx.shape(2);
  const dtype = ctx.dtype(0);
  const past = ctx.has(4) ? ctx.shape(4)[2] : 0;
  if (q.length === 4) {
    const [b, hq, sq] = q;
    const [, hkv, skv, d] = k;
    const total = past + skv;
    return [
      { dtype, dims: [b, hq, sq, v[3]] },
      { dtype, dims: [b, hkv, total, d] },
      { dtype, dims: [b, hkv, total, v[3]] },
      { dtype, dims: [b, hq, sq, total] },
    ];
  }
  const hq = attrInt(ctx.node, 'q_num_heads', 0);
  const hkv = attrInt(ctx.node, 'kv_num_heads', 0);
  if (!hq || !hkv) return ctx.fail('3-D inputs need q_num_heads and kv_num_heads');
  const [b, sq] = q;
  const total = past + k[1];
  return [
    { dtype, dims: [b, sq, (v[2] / hkv) * hq] },
    { dtype, dims: [b, hkv, total, k[2] / hkv] },
    { dtype, dims: [b, hkv, total, v[2] / hkv] },
    { dtype, dims: [b, hq, sq, total] },
  ];
};

const causalConv: ShapeFn = (ctx) => {
  const [b, c, l] = ctx.shape(0);
  const k = ctx.shape(1)[2];
  return [
    { dtype: ctx.dtype(0), dims: [b, c, l] },
    { dtype: ctx.dtype(0), dims: [b, c, k - 1] },
  ];
};

const linearAttention: ShapeFn = (ctx) => {
  const [b, t, qd] = ctx.shape(0);
  const hq = attrInt(ctx.node, 'q_num_heads', 0);
  const hkv = attrInt(ctx.node, 'kv_num_heads', 0);
  if (!hq || !hkv) return ctx.fail('needs q_num_heads and kv_num_heads');
  const dv = ctx.shape(2)[2] / hkv;
  return [
    { dtype: ctx.dtype(0), dims: [b, t, hq * dv] },
    { dtype: ctx.has(3) ? ctx.dtype(3) : ctx.dtype(0), dims: [b, hkv, qd / hq, dv] },
  ];
};

export const attentionShapes: ShapeTable = {
  '::CausalConvWithState': causalConv,
  '::LinearAttention': linearAttention,
  '::Attention': attention,
  '::RotaryEmbedding': (ctx) => [{ dtype: ctx.dtype(0), dims: ctx.shape(0) }],
  '::SwiGLU': (ctx) => [{ dtype: ctx.dtype(0), dims: ctx.shape(0) }],
  '::TensorScatter': (ctx) => [{ dtype: ctx.dtype(0), dims: ctx.shape(0) }],
};

// Attention (23-25) and RotaryEmbedding (23) on the CPU (kernels/attention/attention.ref.ts).
import {
  attentionRef,
  rotaryEmbeddingRef,
  swiGluRef,
  tensorScatterRef,
} from '../../../../kernels/attention/attention.ref.js';
import {
  causalConvWithStateRef,
  type LinearAttentionRule,
  linearAttentionRef,
} from '../../../../kernels/attention/recurrent.ref.js';
import { castRef } from '../../../../kernels/shape-ops/cast.ref.js';
import type { Tensor } from '../../../../kernels/tensor.js';
import { attrFloat, attrInt, attrString, hasAttr } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';

export const attentionOps: OpTable = {
  [opKey('', 'Attention')]: (ctx) => {
    const { node } = ctx;
    if (hasAttr(node, 'softmax_precision') && ![0, 1, 11].includes(attrInt(node, 'softmax_precision')))
      // float / double precision is what the reference computes in; float16/bfloat16 softmax is not.
      throw new ModelError(
        `node '${node.name}' (Attention): softmax_precision ${attrInt(node, 'softmax_precision')} is not supported`,
      );
    // bfloat16: widened to float32 here, rounded to bfloat16 after every step in the reference.
    const bf16 = required(ctx, 0).dtype === 'bfloat16';
    // ONNX's reference holds softcap as a float32 scalar, which moves the rest of its bfloat16
    // computation to float32 (numpy's float32 sums): not emulated, so refused.
    if (bf16 && (hasAttr(node, 'softmax_precision') || attrFloat(node, 'softcap') > 0))
      throw new ModelError(
        `node '${node.name}' (Attention): bfloat16 with softcap or softmax_precision is not supported`,
      );
    const wide = (t: Tensor | undefined) => (t?.dtype === 'bfloat16' ? castRef(t, 'float32') : t);
    const r = attentionRef(
      wide(required(ctx, 0))!,
      wide(required(ctx, 1))!,
      wide(required(ctx, 2))!,
      wide(optional(ctx, 3)),
      wide(optional(ctx, 4)),
      wide(optional(ctx, 5)),
      ctx.opset >= 24 ? optional(ctx, 6) : undefined,
      {
        elementType: bf16 ? 'bfloat16' : undefined,
        scale: hasAttr(node, 'scale') ? attrFloat(node, 'scale') : undefined,
        isCausal: attrInt(node, 'is_causal') !== 0,
        qNumHeads: hasAttr(node, 'q_num_heads') ? attrInt(node, 'q_num_heads') : undefined,
        kvNumHeads: hasAttr(node, 'kv_num_heads') ? attrInt(node, 'kv_num_heads') : undefined,
        softcap: attrFloat(node, 'softcap'),
        qkMatmulOutputMode: attrInt(node, 'qk_matmul_output_mode'),
        leftWindow: ctx.opset >= 25 ? attrInt(node, 'left_window_size') : -1,
        rightWindow: ctx.opset >= 25 ? attrInt(node, 'right_window_size') : -1,
      },
    );
    return [r.y, r.presentKey, r.presentValue, r.qk];
  },
  [opKey('', 'CausalConvWithState')]: (ctx) => {
    const act = attrString(ctx.node, 'activation');
    if (act !== 'none' && act !== 'silu' && act !== 'swish')
      throw new ModelError(
        `node '${ctx.node.name}' (CausalConvWithState): activation must be none, silu or swish, got '${act}'`,
      );
    const r = causalConvWithStateRef(
      required(ctx, 0),
      required(ctx, 1),
      optional(ctx, 2),
      optional(ctx, 3),
      act === 'none' ? 'none' : 'silu',
    );
    return [r.output, r.presentState];
  },
  [opKey('', 'LinearAttention')]: (ctx) => {
    const { node } = ctx;
    const rule = attrString(node, 'update_rule');
    if (!['linear', 'gated', 'delta', 'gated_delta'].includes(rule))
      throw new ModelError(`node '${node.name}' (LinearAttention): unknown update_rule '${rule}'`);
    const r = linearAttentionRef(
      required(ctx, 0),
      required(ctx, 1),
      required(ctx, 2),
      optional(ctx, 3),
      optional(ctx, 4),
      optional(ctx, 5),
      attrInt(node, 'q_num_heads'),
      attrInt(node, 'kv_num_heads'),
      hasAttr(node, 'scale') ? attrFloat(node, 'scale') : undefined,
      rule as LinearAttentionRule,
    );
    return [r.output, r.presentState];
  },
  [opKey('', 'SwiGLU')]: (ctx) => [
    swiGluRef(required(ctx, 0), required(ctx, 1), attrFloat(ctx.node, 'alpha')),
  ],
  [opKey('', 'TensorScatter')]: (ctx) => {
    const mode = attrString(ctx.node, 'mode');
    if (mode !== 'linear' && mode !== 'circular')
      throw new ModelError(
        `node '${ctx.node.name}' (TensorScatter): mode must be linear or circular, got '${mode}'`,
      );
    return [
      tensorScatterRef(
        required(ctx, 0),
        required(ctx, 1),
        optional(ctx, 2),
        attrInt(ctx.node, 'axis'),
        mode === 'circular',
      ),
    ];
  },
  [opKey('', 'RotaryEmbedding')]: (ctx) => [
    rotaryEmbeddingRef(
      required(ctx, 0),
      required(ctx, 1),
      required(ctx, 2),
      optional(ctx, 3),
      attrInt(ctx.node, 'interleaved') !== 0,
      attrInt(ctx.node, 'rotary_embedding_dim'),
      attrInt(ctx.node, 'num_heads'),
    ),
  ],
};

// Schemas of Attention (23-25) and RotaryEmbedding (23).
import type { OpSchema } from '../op-schema.js';

export const attentionSchemas: readonly OpSchema[] = [
  {
    opType: 'Attention',
    domain: '',
    category: 'matmul',
    inputs: ['Q', 'K', 'V', 'attn_mask?', 'past_key?', 'past_value?', 'nonpad_kv_seqlen?'],
    outputs: ['Y', 'present_key?', 'present_value?', 'qk_matmul_output?'],
    attributes: {
      is_causal: { type: 'int', default: 0 },
      kv_num_heads: { type: 'int' },
      q_num_heads: { type: 'int' },
      qk_matmul_output_mode: { type: 'int', default: 0 },
      scale: { type: 'float' },
      softcap: { type: 'float', default: 0 },
      softmax_precision: { type: 'int' },
      left_window_size: { type: 'int', default: -1 },
      right_window_size: { type: 'int', default: -1 },
    },
    sinceVersion: 23,
  },
  {
    opType: 'RotaryEmbedding',
    domain: '',
    category: 'elementwise',
    inputs: ['X', 'cos_cache', 'sin_cache', 'position_ids?'],
    outputs: ['Y'],
    attributes: {
      interleaved: { type: 'int', default: 0 },
      num_heads: { type: 'int', default: 0 },
      rotary_embedding_dim: { type: 'int', default: 0 },
    },
    sinceVersion: 23,
  },
];

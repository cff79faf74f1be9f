// The recurrent sequence ops of opset 27, as ONNX's reference computes them (float32 state):
// - CausalConvWithState: a depthwise 1-D convolution over [past_state, input] (left padding of
//   k - 1 zeros without a past), optional SiLU; present_state is the last k - 1 padded positions.
// - LinearAttention: per step t, the [d_k, d_v] state per KV head is decayed by exp(g_t) (gated
//   rules), the value corrected by beta * (v - S^T k) (delta rules), then S += k v^T; the output
//   is scale * q^T S, KV heads repeated over their query-head group.
import { floatTensor, readFloats } from '../activation/float-io.js';
import type { Tensor } from '../tensor.js';

const f = Math.fround;

export function causalConvWithStateRef(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | undefined,
  past: Tensor | undefined,
  activation: 'none' | 'silu',
): { output: Tensor; presentState: Tensor } {
  if (input.dims.length !== 3)
    throw new Error(`CausalConvWithState input must be [batch, channels, length], got [${input.dims}]`);
  if (weight.dims.length !== 3)
    throw new Error(`CausalConvWithState weight must be [channels, 1, k], got [${weight.dims}]`);
  const [B, C, L] = input.dims;
  const k = weight.dims[2];
  const P = L + k - 1;
  const x = readFloats(input);
  const w = readFloats(weight);
  const b = bias ? readFloats(bias) : undefined;
  const p = past ? readFloats(past) : undefined;
  const padded = new Float64Array(B * C * P);
  for (let n = 0; n < B; n++)
    for (let c = 0; c < C; c++) {
      const row = (n * C + c) * P;
      for (let j = 0; j < k - 1; j++) padded[row + j] = p ? p[(n * C + c) * (k - 1) + j] : 0;
      for (let j = 0; j < L; j++) padded[row + k - 1 + j] = x[(n * C + c) * L + j];
    }
  const out = new Float64Array(B * C * L);
  for (let n = 0; n < B; n++)
    for (let c = 0; c < C; c++)
      for (let j = 0; j < L; j++) {
        let acc = b ? b[c] : 0;
        for (let t = 0; t < k; t++) acc += padded[(n * C + c) * P + j + t] * w[c * k + t];
        let v = f(acc);
        if (activation === 'silu') v = f(v * (1 / (1 + Math.exp(-v))));
        out[(n * C + c) * L + j] = v;
      }
  const state = new Float64Array(B * C * (k - 1));
  for (let r = 0; r < B * C; r++)
    for (let j = 0; j < k - 1; j++) state[r * (k - 1) + j] = padded[r * P + P - (k - 1) + j];
  return {
    output: floatTensor(input.dtype, [B, C, L], out),
    presentState: floatTensor(input.dtype, [B, C, k - 1], state),
  };
}

export type LinearAttentionRule = 'linear' | 'gated' | 'delta' | 'gated_delta';

export function linearAttentionRef(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  past: Tensor | undefined,
  decay: Tensor | undefined,
  beta: Tensor | undefined,
  qHeads: number,
  kvHeads: number,
  scaleAttr: number | undefined,
  rule: LinearAttentionRule,
): { output: Tensor; presentState: Tensor } {
  const gating = rule === 'gated' || rule === 'gated_delta';
  const delta = rule === 'delta' || rule === 'gated_delta';
  if (gating !== !!decay)
    throw new Error(`LinearAttention update_rule '${rule}' ${gating ? 'needs' : 'forbids'} decay`);
  if (delta !== !!beta)
    throw new Error(`LinearAttention update_rule '${rule}' ${delta ? 'needs' : 'forbids'} beta`);
  if (!(qHeads > 0 && kvHeads > 0 && qHeads % kvHeads === 0))
    throw new Error(
      `LinearAttention: q_num_heads ${qHeads} must be a positive multiple of kv_num_heads ${kvHeads}`,
    );
  const [B, T] = query.dims;
  const dk = query.dims[2] / qHeads;
  const dv = value.dims[2] / kvHeads;
  const group = qHeads / kvHeads;
  const q = readFloats(query);
  const kx = readFloats(key);
  const v = readFloats(value);
  const g = decay ? readFloats(decay) : undefined;
  const gPerDim = decay ? decay.dims[2] === kvHeads * dk : false;
  const be = beta ? readFloats(beta) : undefined;
  const beLast = beta ? beta.dims[2] : 1;
  const S = past ? Float64Array.from(readFloats(past), f) : new Float64Array(B * kvHeads * dk * dv);
  const scale = scaleAttr ? scaleAttr : 1 / Math.sqrt(dk);
  const out = new Float64Array(B * T * qHeads * dv);
  const vt = new Float64Array(dv);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      for (let h = 0; h < kvHeads; h++) {
        const s0 = (b * kvHeads + h) * dk * dv;
        const kAt = (d: number) => kx[(b * T + t) * kvHeads * dk + h * dk + d];
        if (g) {
          for (let d = 0; d < dk; d++) {
            const gv = gPerDim ? g[(b * T + t) * kvHeads * dk + h * dk + d] : g[(b * T + t) * kvHeads + h];
            const e = f(Math.exp(gv));
            for (let m = 0; m < dv; m++) S[s0 + d * dv + m] = f(S[s0 + d * dv + m] * e);
          }
        }
        for (let m = 0; m < dv; m++) vt[m] = v[(b * T + t) * kvHeads * dv + h * dv + m];
        if (be) {
          const bv = be[(b * T + t) * beLast + (beLast === 1 ? 0 : h)];
          for (let m = 0; m < dv; m++) {
            let r = 0;
            for (let d = 0; d < dk; d++) r += S[s0 + d * dv + m] * kAt(d);
            vt[m] = f(bv * f(vt[m] - f(r)));
          }
        }
        for (let d = 0; d < dk; d++)
          for (let m = 0; m < dv; m++) S[s0 + d * dv + m] = f(S[s0 + d * dv + m] + f(kAt(d) * vt[m]));
      }
      for (let h = 0; h < qHeads; h++) {
        const s0 = (b * kvHeads + Math.floor(h / group)) * dk * dv;
        for (let m = 0; m < dv; m++) {
          let acc = 0;
          for (let d = 0; d < dk; d++) acc += q[(b * T + t) * qHeads * dk + h * dk + d] * S[s0 + d * dv + m];
          out[(b * T + t) * qHeads * dv + h * dv + m] = f(scale * f(acc));
        }
      }
    }
  return {
    output: floatTensor(query.dtype, [B, T, qHeads * dv], out),
    presentState: floatTensor(past ? past.dtype : query.dtype, [B, kvHeads, dk, dv], S),
  };
}

// The --integer rewrite on the realistic QDQ MobileNets (tests/unit/realistic-models.test.ts checks
// their outputs): the fused graph has the structure of onnxruntime's optimized graph, compared as
// the multiset of "quantization node <- producers of its inputs". Differences that are only
// onnxruntime's layout and function inlining are normalized away first: Level-3 NHWC Transposes
// and NCHWc ReorderInput/ReorderOutput (looked through; whether onnxruntime blocks a float op as
// NCHWc depends on the host's vector width: AVX-512 hosts block AveragePool, AVX2 hosts do not) and the DQ -> Transpose -> Q pairs they leave (same parameters: an identity),
// NhwcMaxPool (MaxPool), and HardSwish, which onnxruntime inlines as HardSigmoid -> Mul.
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import type { Model } from '../../app/model/ir.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import { calibrate, imageInput, mobilenetLike, type NetConfig } from '../helpers/realistic-models.js';
import { type QuantConfig, quantizeModel } from '../helpers/realistic-quantize.js';
import { ortOptimizedModel } from './fuse-qdq-cases.js';

const QUANT = /^(QuantizeLinear|DequantizeLinear|QLinear\w+|QGemm|MatMulInteger(ToFloat)?)$/;
/** Layout-only nodes: the value passes through unchanged in meaning. */
const LAYOUT = new Set(['Transpose', 'ReorderInput', 'ReorderOutput']);
const RENAME: Record<string, string> = {
  NhwcMaxPool: 'MaxPool',
  HardSwish: 'Mul',
  MatMulInteger: 'MatMulIntegerToFloat',
};

function structure(m: Model): string[] {
  const producer = new Map(m.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const init = (name: string) => {
    const t = m.graph.initializers.get(name);
    return t ? String(Array.from(t.data as ArrayLike<number>)) : name;
  };
  /** The node that really produces `v`: through Transposes and same-parameter DQ -> Q pairs. */
  const source = (v: string): (typeof m.graph.nodes)[number] | undefined => {
    let p = producer.get(v);
    for (;;) {
      if (p && LAYOUT.has(p.opType)) p = producer.get(p.inputs[0]);
      else if (p?.opType === 'QuantizeLinear') {
        let dq = producer.get(p.inputs[0]);
        while (dq && LAYOUT.has(dq.opType)) dq = producer.get(dq.inputs[0]);
        const same =
          dq?.opType === 'DequantizeLinear' && [1, 2].every((i) => init(dq.inputs[i]) === init(p!.inputs[i]));
        if (!same) return p;
        p = producer.get(dq!.inputs[0]);
      } else return p;
    }
  };
  const isLayoutPair = (n: (typeof m.graph.nodes)[number]) =>
    n.opType === 'QuantizeLinear' && source(n.outputs[0]) !== n;
  const layoutDq = new Set(
    m.graph.nodes.filter(isLayoutPair).map((q) => {
      let dq = producer.get(q.inputs[0]);
      while (dq && LAYOUT.has(dq.opType)) dq = producer.get(dq.inputs[0]);
      return dq;
    }),
  );
  const op = (n: { opType: string } | undefined) => (n ? (RENAME[n.opType] ?? n.opType) : '');
  return m.graph.nodes
    .filter((n) => QUANT.test(n.opType) && !isLayoutPair(n) && !layoutDq.has(n))
    .map(
      (n) =>
        `${op(n)} <- ${n.inputs
          .map((i) => op(source(i)))
          .filter(Boolean)
          .join(', ')}`,
    )
    .sort();
}

const NETS: Record<string, NetConfig> = {
  gemm: { opset: 13, head: 'gemm', foldBatchNorm: true, seed: 11 },
  matmul: { opset: 14, head: 'matmul', hardSwishOp: true, foldBatchNorm: true, seed: 12 },
};
const CONFIGS: Array<[string, QuantConfig]> = [
  [
    'int8 activations, per-channel weights',
    { format: 'qdq', activation: 'int8', weights: 'int8-per-channel' },
  ],
  ['int8 activations, per-tensor weights', { format: 'qdq', activation: 'int8', weights: 'int8-per-tensor' }],
  [
    'uint8 activations, per-channel weights',
    { format: 'qdq', activation: 'uint8', weights: 'int8-per-channel' },
  ],
  [
    'uint8 activations, per-tensor weights',
    { format: 'qdq', activation: 'uint8', weights: 'int8-per-tensor' },
  ],
  [
    'symmetric int8 activations',
    { format: 'qdq', activation: 'int8', weights: 'int8-per-channel', activationSymmetric: true },
  ],
];

describe('fuse-qdq on the realistic QDQ MobileNets: same structure as onnxruntime', () => {
  for (const [net, cfg] of Object.entries(NETS)) {
    it(`${net} head, every QDQ variant`, async () => {
      const g = mobilenetLike(cfg);
      const ranges = await calibrate(
        g,
        [1, 2, 3, 4].map((s) => imageInput(g.input.dims, s)),
      );
      for (const [name, qc] of CONFIGS) {
        const bytes = quantizeModel(g, ranges, { ...qc, quantizedLogitsOutput: true });
        const ours = structure(fuseQdqForIntegerExecution(decodeModel(bytes)));
        expect(ours, `${net}: ${name}`).toEqual(structure(await ortOptimizedModel(bytes)));
        if (net === 'gemm') expect(ours, name).toContain('QLinearGlobalAveragePool <- MaxPool');
      }
    }, 120_000);
  }
});

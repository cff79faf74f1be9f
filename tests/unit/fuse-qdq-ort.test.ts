// fuseQdqForIntegerExecution against onnxruntime (graphOptimizationLevel 'all'), three ways:
// 1. the fused graph has the same quantized ops as the graph onnxruntime saves after optimizing;
// 2. onnxruntime running our fused graph unoptimized gives bit-identical outputs to onnxruntime
//    running the original QDQ graph with all optimizations (checks the rewrite itself);
// 3. our CPU interpreter on the fused graph matches 'all', and on the original graph matches
//    'disabled' (only where the interpreter has every op the graph needs).
import { describe } from 'vitest';
import { makeTensor } from '../../kernels/tensor.js';
import {
  type Act,
  type Case,
  defineOrtChecks,
  QdqBuilder,
  randomInput,
  rng,
  weightScales,
} from './fuse-qdq-cases.js';

/** Conv(per-channel, int32 bias) + Relu + MaxPool + Reshape + MatMul + Add, like a small classifier. */
function convnet(act: Act, seed: number): Case {
  const r = rng(seed);
  const b = new QdqBuilder(act, r);
  const sx = 0.02;
  const x = b.qdq('x', sx, b.zp());
  const w = b.weight([4, 3, 3, 3], true);
  const bias = b.bias(
    4,
    weightScales(b, w).map((s) => sx * s),
  );
  const conv = b.op('Conv', [x.dq, w, bias], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] });
  const relu = b.op('Relu', [conv]);
  const c = b.qdq(relu, 0.03, b.zp(true));
  const pooled = b.qdq(b.op('MaxPool', [c.dq], { kernel_shape: [2, 2], strides: [2, 2] }), 0.03, b.zp(true));
  const shape = b.const('shape', { dtype: 'int64', dims: [2], data: new BigInt64Array([1n, 64n]) });
  const flat = b.qdq(b.op('Reshape', [pooled.dq, shape]), 0.03, b.zp(true));
  const fc = b.qdq(b.op('MatMul', [flat.dq, b.weight([64, 10], false)]), 0.05, b.zp());
  const addend = b.qdq(b.const('addend', randomInput(r, [10], 0.5)), 0.004, b.zp());
  const sum = b.qdq(b.op('Add', [fc.dq, addend.dq]), 0.06, b.zp());
  b.nodes.push({ op: 'Identity', inputs: [sum.q], outputs: ['y_q'] });
  b.nodes.push({ op: 'Identity', inputs: [sum.dq], outputs: ['y'] });
  const bytes = b.model(
    [{ name: 'x', dtype: 'float32', dims: [1, 3, 8, 8] }],
    [
      { name: 'y_q', dtype: act },
      { name: 'y', dtype: 'float32' },
    ],
  );
  return { bytes, feeds: [1, 2, 3].map((k) => ({ x: randomInput(rng(seed * 10 + k), [1, 3, 8, 8], 2) })) };
}

/** Depthwise conv, AveragePool, Sigmoid, LeakyRelu, Concat, Mul, GlobalAveragePool, Softmax. */
function branches(act: Act, seed: number): Case {
  const r = rng(seed);
  const b = new QdqBuilder(act, r);
  const sx = 0.025;
  const x = b.qdq('x', sx, b.zp());
  const w = b.weight([4, 1, 3, 3], true);
  const dw = b.qdq(
    b.op(
      'Conv',
      [
        x.dq,
        w,
        b.bias(
          4,
          weightScales(b, w).map((s) => sx * s),
        ),
      ],
      { group: 4, pads: [1, 1, 1, 1] },
    ),
    0.04,
    b.zp(),
  );
  const avg = b.qdq(b.op('AveragePool', [dw.dq], { kernel_shape: [2, 2], strides: [2, 2] }), 0.03, b.zp());
  const sig = b.qdq(b.op('Sigmoid', [avg.dq]), 1 / 256, b.zp(true));
  const leaky = b.qdq(b.op('LeakyRelu', [avg.dq], { alpha: { float: 0.1 } }), 0.02, b.zp());
  const cat = b.qdq(b.op('Concat', [sig.dq, leaky.dq], { axis: 1 }), 0.02, b.zp());
  const prod = b.qdq(b.op('Mul', [cat.dq, cat.dq]), 0.01, b.zp());
  const gapZp = b.zp();
  const gap = b.qdq(b.op('GlobalAveragePool', [prod.dq]), 0.01, gapZp);
  const shape = b.const('shape', { dtype: 'int64', dims: [2], data: new BigInt64Array([1n, 8n]) });
  const flat = b.qdq(b.op('Reshape', [gap.dq, shape]), 0.01, gapZp);
  const soft = b.qdq(b.op('Softmax', [flat.dq], { axis: 1 }), 1 / 256, b.zp(true));
  b.nodes.push({ op: 'Identity', inputs: [soft.q], outputs: ['y_q'] });
  const bytes = b.model([{ name: 'x', dtype: 'float32', dims: [1, 4, 6, 6] }], [{ name: 'y_q', dtype: act }]);
  return { bytes, feeds: [1, 2].map((k) => ({ x: randomInput(rng(seed * 10 + k), [1, 4, 6, 6], 3) })) };
}

/** Two QDQ Wheres on a broadcast bool mask: one requantizing X and Y to Z's scale, one a copy. */
function masked(act: Act, seed: number): Case {
  const r = rng(seed);
  const b = new QdqBuilder(act, r);
  const x = b.qdq('x', 0.02, b.zp());
  const fill = b.qdq(b.const('fill', makeTensor('float32', [1], [-1.5])), 0.012, b.zp());
  const where = b.qdq(b.op('Where', ['mask', x.dq, fill.dq]), 0.03, b.zp());
  const zp = b.zp();
  const other = b.qdq(b.const('other', randomInput(r, [4, 1], 1)), 0.025, zp);
  const again = b.qdq(b.op('Where', ['mask', b.qdq(where.dq, 0.025, zp).dq, other.dq]), 0.025, zp);
  b.nodes.push({ op: 'Identity', inputs: [where.dq], outputs: ['y'] });
  b.nodes.push({ op: 'Identity', inputs: [again.q], outputs: ['y_q'] });
  const bytes = b.model(
    [
      { name: 'x', dtype: 'float32', dims: [1, 4, 5] },
      { name: 'mask', dtype: 'bool', dims: [1, 1, 5] },
    ],
    [
      { name: 'y', dtype: 'float32' },
      { name: 'y_q', dtype: act },
    ],
  );
  const feeds = [1, 2].map((k) => {
    const m = rng(seed * 10 + k);
    return {
      x: randomInput(m, [1, 4, 5], 2),
      mask: makeTensor(
        'bool',
        [1, 1, 5],
        Array.from({ length: 5 }, () => (m() < 0.5 ? 1 : 0)),
      ),
    };
  });
  return { bytes, feeds };
}

const cases: Array<[string, Case]> = [];
for (const act of ['uint8', 'int8'] as const) {
  cases.push([`convnet act=${act}`, convnet(act, act === 'uint8' ? 11 : 12)]);
  cases.push([`branches act=${act}`, branches(act, act === 'uint8' ? 21 : 22)]);
  cases.push([`masked Where act=${act}`, masked(act, act === 'uint8' ? 31 : 32)]);
}

describe('fuseQdqForIntegerExecution vs onnxruntime (all optimizations)', () => {
  for (const [name, c] of cases) defineOrtChecks(name, c);
});

// One rule (or one reason not to fuse) per case, each checked against onnxruntime's own optimized
// graph and outputs (defineOrtChecks), plus what our rewrite must (not) produce.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { encodeModel } from '../../app/model/encode.js';
import type { Model } from '../../app/model/ir.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import type { ModelSpec } from '../helpers/onnx-builder.js';
import {
  type Act,
  type Case,
  defineOrtChecks,
  opTypes,
  QdqBuilder,
  randomInput,
  rng,
  weightScales,
} from './fuse-qdq-cases.js';

interface RuleCase {
  name: string;
  build: (b: QdqBuilder) => { outputs: string[]; inputs?: ModelSpec['inputs']; opset?: number };
  /** Checks on our fused graph's op types. */
  expectOps: (ops: string[]) => void;
  act?: Act;
  input?: number[];
  extraFeeds?: Record<string, Tensor>;
  /** Declare the graph input's first dim as 'N' (the feeds keep `input`'s dims). */
  symbolicBatch?: boolean;
}

const X = [1, 2, 4, 4];

function make(rc: RuleCase, seed: number): Case {
  const b = new QdqBuilder(rc.act ?? 'uint8', rng(seed));
  const { outputs, inputs, opset } = rc.build(b);
  const dims = rc.input ?? X;
  const outs = outputs.map((name, i) => {
    b.nodes.push({ op: 'Identity', inputs: [name], outputs: [`out${i}`] });
    return { name: `out${i}`, dtype: 'float32' as const };
  });
  // Output types are left to onnxruntime's inference: declare them from what the tail produces.
  const bytes = b.model(
    inputs ?? [{ name: 'x', dtype: 'float32', dims }],
    outs.map((o) => ({ name: o.name, dtype: o.dtype })),
    opset,
  );
  const model = decodeModel(bytes);
  const fixed = model.graph.outputs.map((o) => ({ ...o, dtype: tailType(model, o.name) }));
  const graphInputs = rc.symbolicBatch
    ? model.graph.inputs.map((i) => ({ ...i, dims: i.dims && ['N', ...i.dims.slice(1)] }))
    : model.graph.inputs;
  const spec = { ...model, graph: { ...model.graph, inputs: graphInputs, outputs: fixed } };
  return {
    bytes: encodeModel(spec),
    feeds: [1, 2].map((k) => ({ x: randomInput(rng(seed * 7 + k), dims, 2.5), ...rc.extraFeeds })),
  };
}

/** The element type an Identity output carries: what its input's producer yields. */
function tailType(m: Model, out: string): 'float32' | 'uint8' | 'int8' {
  const id = m.graph.nodes.find((n) => n.outputs[0] === out)!;
  const p = m.graph.nodes.find((n) => n.outputs.includes(id.inputs[0]));
  if (p?.opType === 'QuantizeLinear')
    return m.graph.initializers.get(p.inputs[2])?.dtype === 'int8' ? 'int8' : 'uint8';
  return 'float32';
}

const sx = 0.02;

/** A float tensor moved by `by`: a lopsided range, so derived zero points are not 0. */
function shifted(t: Tensor, by: number): Tensor {
  return makeTensor(
    'float32',
    t.dims,
    Array.from(t.data as Float32Array, (v) => v + by),
  );
}

/**
 * x -> Q/DQ -> GlobalAveragePool -> Q/DQ -> Reshape(., [Shape(.)[dim], -1]) -> Q/DQ: PyTorch's
 * `x.view(x.size(dim), -1)` head as quantize_static writes it (the GAP's DQ read by Shape and Reshape).
 */
function viewHead(b: QdqBuilder, dim = 0): { outputs: string[] } {
  const z = b.zp();
  const x = b.qdq('x', sx, b.zp());
  const gap = b.qdq(b.op('GlobalAveragePool', [x.dq]), sx / 2, z);
  const i64 = (dims: number[], v: bigint[]) =>
    b.const('i', { dtype: 'int64', dims, data: BigInt64Array.from(v) });
  const batch = b.op('Gather', [b.op('Shape', [gap.dq]), i64([], [BigInt(dim)])], { axis: 0 });
  const shape = b.op('Concat', [b.op('Unsqueeze', [batch, i64([1], [0n])]), i64([1], [-1n])], { axis: 0 });
  return { outputs: [b.qdq(b.op('Reshape', [gap.dq, shape]), sx / 2, z).dq] };
}

const rules: RuleCase[] = [
  {
    name: 'DQ shared by Conv and Add is duplicated, both fuse',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const w = b.weight([2, 2, 1, 1], false);
      const conv = b.qdq(b.op('Conv', [x.dq, w]), 0.03, b.zp());
      const sum = b.qdq(b.op('Add', [conv.dq, x.dq]), 0.04, b.zp());
      return { outputs: [sum.q] };
    },
    expectOps: (ops) => expect(ops).toEqual(expect.arrayContaining(['QLinearConv', 'QLinearAdd'])),
  },
  {
    name: 'Conv whose float output is also a graph output is not fused',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const conv = b.op('Conv', [x.dq, b.weight([2, 2, 1, 1], false)]);
      const c = b.qdq(conv, 0.03, b.zp());
      return { outputs: [c.q, conv] };
    },
    expectOps: (ops) => expect(ops).toContain('Conv'),
  },
  {
    name: 'Relu before a Q with zero point at the minimum is removed; Conv fuses',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const conv = b.op('Conv', [x.dq, b.weight([2, 2, 1, 1], true)]);
      return { outputs: [b.qdq(b.op('Relu', [conv]), 0.03, b.zp(true)).q] };
    },
    expectOps: (ops) => {
      expect(ops).toContain('QLinearConv');
      expect(ops).not.toContain('Relu');
    },
  },
  {
    name: 'Relu before a Q with a mid zero point stays; Conv stays float',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const conv = b.op('Conv', [x.dq, b.weight([2, 2, 1, 1], false)]);
      return { outputs: [b.qdq(b.op('Relu', [conv]), 0.03, b.zp()).q] };
    },
    expectOps: (ops) => expect(ops).toEqual(expect.arrayContaining(['Conv', 'Relu'])),
  },
  {
    name: 'Clip(0, 6) covered by the Q range is removed (redundant-clip selector)',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const conv = b.op('Conv', [x.dq, b.weight([2, 2, 1, 1], false)]);
      const lo = b.const('lo', makeTensor('float32', [], [0]));
      const hi = b.const('hi', makeTensor('float32', [], [6]));
      return { outputs: [b.qdq(b.op('Clip', [conv, lo, hi]), 6 / 255, b.zp(true)).q] };
    },
    expectOps: (ops) => expect(ops).not.toContain('Clip'),
  },
  {
    name: 'Clip narrower than the Q range stays and blocks the Conv fusion',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const conv = b.op('Conv', [x.dq, b.weight([2, 2, 1, 1], false)]);
      const lo = b.const('lo', makeTensor('float32', [], [0]));
      const hi = b.const('hi', makeTensor('float32', [], [1]));
      return { outputs: [b.qdq(b.op('Clip', [conv, lo, hi]), 6 / 255, b.zp(true)).q] };
    },
    expectOps: (ops) => expect(ops).toEqual(expect.arrayContaining(['Conv', 'Clip'])),
  },
  {
    name: 'Conv with a float bias: the bias is quantized to int32 (x_scale * w_scale) and fused',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const w = b.weight([3, 2, 3, 3], true);
      const bias = b.const('fb', randomInput(b.r, [3], 0.3));
      return { outputs: [b.qdq(b.op('Conv', [x.dq, w, bias], { pads: [1, 1, 1, 1] }), 0.05, b.zp()).q] };
    },
    expectOps: (ops) => expect(ops).toContain('QLinearConv'),
  },
  {
    name: 'DQ -> MatMul without Q becomes MatMulIntegerToFloat (per-column weight scales)',
    input: [3, 8],
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      return { outputs: [b.op('MatMul', [x.dq, b.weight([8, 5], true, 1)])] };
    },
    expectOps: (ops) => expect(ops).toEqual(expect.arrayContaining(['MatMulInteger', 'Cast', 'Mul'])),
  },
  {
    name: 'int8 activations with a Q read by two DQs stay int8: Conv is not fused on x86',
    act: 'int8',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const s = b.nodes.find((n) => n.outputs[0] === x.dq)!;
      const dq2 = b.op('DequantizeLinear', [x.q, s.inputs[1], s.inputs[2]]);
      const conv = b.qdq(b.op('Conv', [x.dq, b.weight([2, 2, 1, 1], false)]), 0.03, b.zp());
      return { outputs: [conv.q, dq2] };
    },
    expectOps: (ops) => expect(ops).toContain('Conv'),
  },
  {
    name: 'int8 activations with single-reader Q/DQ pairs become uint8 and fuse',
    act: 'int8',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const w = b.weight([2, 2, 1, 1], false);
      return { outputs: [b.qdq(b.op('Conv', [x.dq, w]), 0.03, b.zp()).dq] };
    },
    expectOps: (ops) => expect(ops).toContain('QLinearConv'),
  },
  {
    name: 'int8 GlobalAveragePool before a view(size(0), -1) head: static Shape folds, pairs become uint8, QLinearGlobalAveragePool',
    act: 'int8',
    build: (b) => viewHead(b),
    expectOps: (ops) => {
      expect(ops).toContain('QLinearGlobalAveragePool');
      expect(ops).not.toContain('Shape');
    },
  },
  {
    name: 'int8 GlobalAveragePool before a view(size(0), -1) head with a symbolic batch: ReshapeFusion, QLinearGlobalAveragePool',
    act: 'int8',
    symbolicBatch: true,
    build: (b) => viewHead(b),
    expectOps: (ops) => {
      expect(ops).toContain('QLinearGlobalAveragePool');
      expect(ops).not.toContain('Shape');
    },
  },
  {
    name: 'int8 GlobalAveragePool before a view(size(1), -1) head with a symbolic batch: Shape stays, so does the int8 Q and the float GAP',
    act: 'int8',
    symbolicBatch: true,
    build: (b) => viewHead(b, 1),
    expectOps: (ops) => expect(ops).toEqual(expect.arrayContaining(['Shape', 'GlobalAveragePool'])),
  },
  {
    name: 'Add of int8 and uint8 inputs (mismatched types) is not fused',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const other = b.qdq(b.const('c', randomInput(b.r, X, 1)), 0.01, 3, 'int8');
      return { outputs: [b.qdq(b.op('Add', [x.dq, other.dq]), 0.03, b.zp()).q] };
    },
    expectOps: (ops) => expect(ops).toContain('Add'),
  },
  {
    name: 'Reshape/Transpose/Squeeze/Unsqueeze/Flatten/Slice/Gather/Split drop their Q/DQ',
    build: (b) => {
      const z = b.zp();
      let t = b.qdq('x', sx, z);
      const chain = (op: string, extra: string[] = [], attrs?: Parameters<QdqBuilder['op']>[2]) => {
        t = b.qdq(b.op(op, [t.dq, ...extra], attrs), sx, z);
      };
      chain('Transpose', [], { perm: [0, 2, 3, 1] });
      chain('Reshape', [
        b.const('sh', { dtype: 'int64', dims: [3], data: new BigInt64Array([1n, 16n, 2n]) }),
      ]);
      chain('Unsqueeze', [b.const('ax', { dtype: 'int64', dims: [1], data: new BigInt64Array([0n]) })]);
      chain('Squeeze', [b.const('ax', { dtype: 'int64', dims: [1], data: new BigInt64Array([0n]) })]);
      chain('Flatten', [], { axis: 1 });
      const i64 = (v: bigint[]) => ({
        dtype: 'int64' as const,
        dims: [v.length],
        data: new BigInt64Array(v),
      });
      chain('Slice', [b.const('st', i64([2n])), b.const('en', i64([30n])), b.const('ax', i64([1n]))]);
      chain('Gather', [b.const('idx', i64([0n, 3n, 5n]))], { axis: 1 });
      const parts = b.op('Split', [t.dq, b.const('sp', i64([1n, 2n]))], { axis: 1 });
      b.nodes[b.nodes.length - 1].outputs = [parts, `${parts}b`];
      const p0 = b.qdq(parts, sx, z);
      const p1 = b.qdq(`${parts}b`, sx, z);
      return { outputs: [p0.dq, p1.dq] };
    },
    // Only the two DQs that produce the float outputs remain.
    expectOps: (ops) => expect(ops.filter((o) => o === 'DequantizeLinear')).toHaveLength(2),
  },
  {
    name: 'Reshape between different scales keeps its Q/DQ',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const shape = b.const('sh', { dtype: 'int64', dims: [2], data: new BigInt64Array([1n, 32n]) });
      return { outputs: [b.qdq(b.op('Reshape', [x.dq, shape]), sx * 2, b.zp()).q] };
    },
    expectOps: (ops) => expect(ops).toContain('DequantizeLinear'),
  },
  {
    name: 'Reshape whose Q scale is a graph input (not constant) keeps its Q/DQ',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const z = b.scalar('uint8', 100);
      const shape = b.const('sh', { dtype: 'int64', dims: [2], data: new BigInt64Array([1n, 32n]) });
      const q = b.op('QuantizeLinear', [b.op('Reshape', [x.dq, shape]), 'qs', z]);
      return {
        outputs: [q],
        inputs: [
          { name: 'x', dtype: 'float32', dims: X },
          { name: 'qs', dtype: 'float32', dims: [] },
        ],
      };
    },
    expectOps: (ops) => expect(ops).toContain('DequantizeLinear'),
    extraFeeds: { qs: makeTensor('float32', [], [0.02]) },
  },
  {
    name: 'MaxPool drops Q/DQ, Softmax gets its opset attribute (opset 13)',
    build: (b) => {
      const z = b.zp();
      const x = b.qdq('x', sx, z);
      const mp = b.qdq(b.op('MaxPool', [x.dq], { kernel_shape: [2, 2] }), sx, z);
      return { outputs: [b.qdq(b.op('Softmax', [mp.dq], { axis: -1 }), 1 / 256, b.zp(true)).q] };
    },
    expectOps: (ops) => {
      expect(ops).toEqual(expect.arrayContaining(['MaxPool', 'QLinearSoftmax']));
      expect(ops.filter((o) => o === 'DequantizeLinear')).toHaveLength(1); // the unused one after the last Q
    },
  },
  {
    name: 'DQ -> Gemm(transB) -> Q with an int32 bias DQ becomes QGemm',
    input: [2, 6],
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const w = b.weight([4, 6], true, 0);
      const ws = weightScales(b, w).map((s) => sx * s);
      return { outputs: [b.qdq(b.op('Gemm', [x.dq, w, b.bias(4, ws)], { transB: 1 }), 0.05, b.zp()).q] };
    },
    expectOps: (ops) => {
      expect(ops).toContain('QGemm');
      expect(ops).not.toContain('Gemm');
    },
  },
  {
    name: 'DQ -> Gemm(alpha 0.5) with an int32 bias DQ stays float, as onnxruntime 1.30 leaves it',
    input: [2, 6],
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const w = b.weight([4, 6], true, 0);
      const ws = weightScales(b, w).map((s) => sx * s);
      const gemm = b.op('Gemm', [x.dq, w, b.bias(4, ws)], { transB: 1, alpha: { float: 0.5 } });
      return { outputs: [b.qdq(gemm, 0.05, b.zp()).q] };
    },
    expectOps: (ops) => {
      expect(ops).toContain('Gemm');
      expect(ops).not.toContain('QGemm');
    },
  },
  {
    name: 'DQ -> Gemm without Q becomes QGemm with a float output (alpha kept)',
    input: [3, 6],
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      return { outputs: [b.op('Gemm', [x.dq, b.weight([6, 4], true, 1)], { alpha: { float: 0.7 } })] };
    },
    expectOps: (ops) => {
      expect(ops).toContain('QGemm');
      expect(ops).not.toContain('Gemm');
    },
  },
  {
    name: 'Gemm with a float bias and per-channel weights (axis 1, transB 0): bias quantized, QGemm',
    input: [2, 6],
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const gemm = b.op('Gemm', [x.dq, b.weight([6, 5], true, 1), b.const('fb', randomInput(b.r, [5], 0.4))]);
      return { outputs: [b.qdq(gemm, 0.05, b.zp()).q] };
    },
    expectOps: (ops) => expect(ops).toContain('QGemm'),
  },
  {
    name: 'Gemm with float weights and bias before a Q: weights become int8 (asymmetric, per tensor), QGemm',
    input: [2, 6],
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const gemm = b.op(
        'Gemm',
        [x.dq, b.const('fw', randomInput(b.r, [4, 6], 0.3)), b.const('fb', randomInput(b.r, [4], 0.4))],
        {
          transB: 1,
        },
      );
      return { outputs: [b.qdq(gemm, 0.05, b.zp()).q] };
    },
    expectOps: (ops) => expect(ops).toContain('QGemm'),
  },
  {
    name: 'Conv with float weights before a Q: weights become int8 (asymmetric, per tensor), QLinearConv',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const conv = b.op('Conv', [x.dq, b.const('fw', shifted(randomInput(b.r, [3, 2, 3, 3], 0.5), 0.3))], {
        pads: [1, 1, 1, 1],
      });
      return { outputs: [b.qdq(conv, 0.05, b.zp()).q] };
    },
    expectOps: (ops) => expect(ops).toContain('QLinearConv'),
  },
  {
    name: 'Gemm with beta 0.5 and an int32 bias is not fused',
    input: [2, 6],
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const w = b.weight([6, 4], false);
      const gemm = b.op('Gemm', [x.dq, w, b.bias(4, sx * weightScales(b, w)[0])], { beta: { float: 0.5 } });
      return { outputs: [b.qdq(gemm, 0.05, b.zp()).q] };
    },
    expectOps: (ops) => expect(ops).toContain('Gemm'),
  },
  {
    name: 'int8 activations, input Q read twice and output Q a graph output (both stay int8): QGemm S8S8',
    act: 'int8',
    input: [2, 6],
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const s = b.nodes.find((n) => n.outputs[0] === x.dq)!;
      const dq2 = b.op('DequantizeLinear', [x.q, s.inputs[1], s.inputs[2]]);
      const gemm = b.qdq(b.op('Gemm', [x.dq, b.weight([4, 6], true, 0)], { transB: 1 }), 0.05, b.zp());
      return { outputs: [gemm.q, dq2] };
    },
    expectOps: (ops) => expect(ops).toContain('QGemm'),
  },
  {
    name: 'Back-to-back Q/DQ pairs collapse to one pair with the intersected range',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const x2 = b.qdq(x.dq, 0.031, b.zp());
      const x3 = b.qdq(x2.dq, 0.017, b.zp());
      return { outputs: [b.qdq(b.op('Sigmoid', [x3.dq]), 1 / 256, b.zp(true)).dq] };
    },
    expectOps: (ops) => expect(ops.filter((o) => o === 'QuantizeLinear')).toHaveLength(1),
  },
  {
    name: 'int8 back-to-back pairs with a narrower second range',
    act: 'int8',
    build: (b) => {
      const x = b.qdq('x', sx, b.zp());
      const x2 = b.qdq(x.dq, 0.006, b.zp());
      return { outputs: [b.qdq(b.op('Relu', [x2.dq]), 0.01, b.zp(true)).dq] };
    },
    expectOps: (ops) => expect(ops.filter((o) => o === 'QuantizeLinear')).toHaveLength(2),
  },
];

describe('fuse-qdq rules', () => {
  it('QLinearSoftmax carries the opset Softmax was taken from', () => {
    const b = new QdqBuilder('uint8', rng(5));
    const x = b.qdq('x', sx, b.zp());
    b.qdq(b.op('Softmax', [x.dq], { axis: -1 }), 1 / 256, 0);
    for (const opset of [11, 13]) {
      const m = decodeModel(
        b.model(
          [{ name: 'x', dtype: 'float32', dims: [2, 5] }],
          [{ name: b.nodes.at(-1)!.outputs[0], dtype: 'float32' }],
          opset,
        ),
      );
      const softmax = fuseQdqForIntegerExecution(m).graph.nodes.find((n) => n.opType === 'QLinearSoftmax')!;
      expect(softmax.domain).toBe('com.microsoft');
      expect(softmax.attributes.opset).toEqual({ kind: 'int', value: opset });
      expect(softmax.attributes.axis).toEqual({ kind: 'int', value: -1 });
    }
  });

  rules.forEach((rc, i) => {
    const c = make(rc, 100 + i);
    it(`${rc.name}: our rewrite's ops`, () =>
      rc.expectOps(opTypes(fuseQdqForIntegerExecution(decodeModel(c.bytes)))));
    defineOrtChecks(rc.name, c);
  });
});

describe('fuse-qdq on graphs without QDQ groups', () => {
  const dir = join(import.meta.dirname, '../fixtures/models');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.onnx'))) {
    it(`${file}: unchanged (same nodes, same initializers), and the input model is not mutated`, () => {
      const model = decodeModel(new Uint8Array(readFileSync(join(dir, file))));
      const before = structuredClone(model);
      const fused = fuseQdqForIntegerExecution(model);
      expect(model).toEqual(before);
      // The same nodes; their order may differ (the rewrite emits a topological order).
      const key = (m: Model) =>
        m.graph.nodes.map((n) => JSON.stringify([n.opType, n.inputs, n.outputs])).sort();
      expect(key(fused)).toEqual(key(model));
      expect([...fused.graph.initializers.keys()].sort()).toEqual(
        [...model.graph.initializers.keys()].sort(),
      );
    });
  }
});

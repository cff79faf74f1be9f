// fuseQdqForIntegerExecution against onnxruntime 1.30 ('all') on the data-movement and
// normalization ops of its QDQ registry (defineOrtChecks: the same Q/DQ/QLinear op counts as
// onnxruntime's optimized-model dump, bit-exact outputs). Measured in that dump: Q/DQ dropped
// around Slice, Split, GatherElements, Gather (also on a DQ'd constant table), Tile, Expand, and
// 8-bit DepthToSpace; kept (the op runs in float between them) around Pad (every mode),
// SpaceToDepth, 16-bit DepthToSpace, LayerNormalization and InstanceNormalization.
import { describe } from 'vitest';
import { makeTensor } from '../../kernels/tensor.js';
import { type Act, type Case, defineOrtChecks, QdqBuilder, randomInput, rng } from './fuse-qdq-cases.js';

const i64 = (values: number[], dims = [values.length]) =>
  makeTensor('int64', dims, BigInt64Array.from(values.map(BigInt)));

function movement(act: Act, seed: number): Case {
  const r = rng(seed);
  const b = new QdqBuilder(act, r);
  const sx = 0.02;
  const zx = b.zp();
  const same = (t: string) => b.qdq(t, sx, zx);
  const x = same('x');
  const sliced = same(
    b.op('Slice', [x.dq, b.const('st', i64([1])), b.const('en', i64([5])), b.const('ax', i64([3]))]),
  );
  const padded = same(
    b.op('Pad', [sliced.dq, b.const('pads', i64([0, 0, 1, 1, 0, 0, 1, 1]))], { mode: 'reflect' }),
  );
  const d2s = same(b.op('DepthToSpace', [padded.dq], { blocksize: 2 }));
  const s2d = same(b.op('SpaceToDepth', [d2s.dq], { blocksize: 2 }));
  const halves = [b.name('half'), b.name('half')];
  b.nodes.push({ op: 'Split', inputs: [s2d.dq], outputs: halves, attrs: { axis: 1 } });
  const [h0, h1] = halves.map(same);
  const idx = b.const(
    'idx',
    makeTensor(
      'int64',
      [1, 4, 8, 3],
      BigInt64Array.from({ length: 96 }, () => BigInt(Math.floor(r() * 6))),
    ),
  );
  const gathered = same(b.op('GatherElements', [h0.dq, idx], { axis: 3 }));
  const tiled = same(b.op('Tile', [gathered.dq, b.const('reps', i64([1, 1, 1, 2]))]));
  const expanded = same(b.op('Expand', [tiled.dq, b.const('shape', i64([2, 1, 1, 1]))]));
  // A constant zero pad (kept in float by onnxruntime, like every Pad).
  const zeroPad = same(b.op('Pad', [h1.dq, b.const('pads', i64([0, 0, 0, 1, 0, 0, 0, 1]))]));
  // LayerNormalization over the last axis: int8 gamma, int32 beta, its own output parameters.
  const gamma = b.weight([8], false);
  const beta = b.bias(8, 0.0004);
  const ln = b.qdq(b.op('LayerNormalization', [zeroPad.dq, gamma, beta], { axis: -1 }), 0.03, b.zp());
  const inGamma = b.weight([4], false);
  const inBeta = b.bias(4, 0.0004);
  const inorm = b.qdq(b.op('InstanceNormalization', [ln.dq, inGamma, inBeta]), 0.03, b.zp());
  // An embedding table stored quantized: DQ(table) -> Gather -> Q.
  const table = b.const(
    'table',
    makeTensor(
      act,
      [10, 6],
      Array.from({ length: 60 }, () => (act === 'uint8' ? 0 : -128) + Math.floor(r() * 256)),
    ),
  );
  const ts = b.scalar('float32', 0.05);
  const tz = b.scalar(act, b.zp());
  const rows = b.op('Gather', [b.op('DequantizeLinear', [table, ts, tz]), 'ids']);
  const emb = b.qdq(rows, 0.05, 0);
  b.nodes[b.nodes.length - 2].inputs[1] = ts;
  b.nodes[b.nodes.length - 2].inputs[2] = tz;
  b.nodes[b.nodes.length - 1].inputs[1] = ts;
  b.nodes[b.nodes.length - 1].inputs[2] = tz;
  b.nodes.push({ op: 'Identity', inputs: [expanded.dq], outputs: ['y1'] });
  b.nodes.push({ op: 'Identity', inputs: [inorm.dq], outputs: ['y2'] });
  b.nodes.push({ op: 'Identity', inputs: [emb.dq], outputs: ['y3'] });
  const bytes = b.model(
    [
      { name: 'x', dtype: 'float32', dims: [1, 8, 6, 6] },
      { name: 'ids', dtype: 'int64', dims: [2, 3] },
    ],
    [
      { name: 'y1', dtype: 'float32' },
      { name: 'y2', dtype: 'float32' },
      { name: 'y3', dtype: 'float32' },
    ],
    17,
  );
  const feeds = [1, 2].map((k) => {
    const m = rng(seed * 10 + k);
    return {
      x: randomInput(m, [1, 8, 6, 6], 2),
      ids: i64(
        Array.from({ length: 6 }, () => Math.floor(m() * 10)),
        [2, 3],
      ),
    };
  });
  return { bytes, feeds };
}

/** A 16-bit DepthToSpace: onnxruntime keeps its Q/DQ (8-bit only rule). */
function depthToSpace16(seed: number): Case {
  const b = new QdqBuilder('uint8', rng(seed));
  const x = b.qdq('x', 0.001, 30000, 'uint16');
  const d = b.qdq(b.op('DepthToSpace', [x.dq], { blocksize: 2, mode: 'CRD' }), 0.001, 30000, 'uint16');
  b.nodes.push({ op: 'Identity', inputs: [d.dq], outputs: ['y'] });
  const bytes = b.model(
    [{ name: 'x', dtype: 'float32', dims: [1, 4, 3, 3] }],
    [{ name: 'y', dtype: 'float32' }],
    21,
  );
  return { bytes, feeds: [{ x: randomInput(rng(seed + 1), [1, 4, 3, 3], 20) }] };
}

/** A standalone BatchNormalization (int8 scale per channel, int32 bias) and an ArgMax on its input. */
function batchNorm(act: Act, seed: number): Case {
  const r = rng(seed);
  const b = new QdqBuilder(act, r);
  const sx = 0.02;
  const x = b.qdq('x', sx, b.zp());
  const gamma = b.weight([4], true);
  const beta = b.bias(
    4,
    Array.from({ length: 4 }, () => sx * (0.002 + r() * 0.02)),
  );
  const mean = b.const('mean', randomInput(r, [4], 0.5));
  const variance = b.const(
    'var',
    makeTensor(
      'float32',
      [4],
      Float32Array.from({ length: 4 }, () => 0.5 + r()),
    ),
  );
  const bn = b.qdq(b.op('BatchNormalization', [x.dq, gamma, beta, mean, variance]), 0.03, b.zp());
  const am = b.op('ArgMax', [b.qdq(x.dq, sx, 0).dq], { axis: 1 });
  b.nodes.push({ op: 'Identity', inputs: [bn.dq], outputs: ['y'] });
  b.nodes.push({ op: 'Identity', inputs: [am], outputs: ['am'] });
  const bytes = b.model(
    [{ name: 'x', dtype: 'float32', dims: [1, 4, 5, 5] }],
    [
      { name: 'y', dtype: 'float32' },
      { name: 'am', dtype: 'int64' },
    ],
  );
  return { bytes, feeds: [1, 2, 3].map((k) => ({ x: randomInput(rng(seed * 10 + k), [1, 4, 5, 5], 2) })) };
}

describe('fuseQdqForIntegerExecution vs onnxruntime: data movement and normalization', () => {
  for (const act of ['uint8', 'int8'] as const)
    defineOrtChecks(`movement act=${act}`, movement(act, act === 'uint8' ? 41 : 42));
  defineOrtChecks('16-bit DepthToSpace', depthToSpace16(43));
  for (const act of ['uint8', 'int8'] as const)
    defineOrtChecks(`BatchNormalization act=${act}`, batchNorm(act, act === 'uint8' ? 44 : 45));
});

// A small decoder block runs entirely on the GPU: MatMul -> RotaryEmbedding (3-D, constant
// position_ids) -> Attention (3-D, GQA, causal, past key/value in, present key/value out) ->
// MatMul, and at opset 28 a SwiGLU feed-forward after it. summary().cpuFallbacks must be empty
// (with run-time int64 position_ids / nonpad_kv_seqlen: only their int32 Casts) and
// every output must equal the CPU interpreter's within 1e-4 relative + 1e-5 absolute (the GPU
// MatMul and attention sum in their own f32 order).
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel, type NodeSpec } from '../helpers/onnx-builder.js';
import { expectClose } from '../unit/nn-oracle.helper.js';
import { randomF32, rng, sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

const [S, E, HQ, HKV, D, PAST, MAXPOS] = [4, 16, 2, 1, 8, 3, 10];

type Variant =
  | 'opset 23'
  | 'SwiGLU feed-forward, opset 28'
  | 'run-time int64 position_ids and nonpad_kv_seqlen, opset 24';

function model(variant: Variant) {
  const swiglu = variant.startsWith('SwiGLU');
  const runtime = variant.startsWith('run-time');
  const r = rng(swiglu ? 29 : runtime ? 31 : 23);
  const angles = Array.from(
    { length: MAXPOS * (D / 2) },
    (_, i) => Math.floor(i / (D / 2)) / 10 ** ((i % (D / 2)) / 2),
  );
  const init: Record<string, Tensor> = {
    Wq: randomF32(r, [E, HQ * D], 0.5),
    Wk: randomF32(r, [E, HKV * D], 0.5),
    Wv: randomF32(r, [E, HKV * D], 0.5),
    Wo: randomF32(r, [HQ * D, E], 0.5),
    cos: makeTensor('float32', [MAXPOS, D / 2], Float32Array.from(angles, Math.cos)),
    sin: makeTensor('float32', [MAXPOS, D / 2], Float32Array.from(angles, Math.sin)),
    pos: makeTensor('int64', [1, S], BigInt64Array.from([3n, 4n, 5n, 6n])),
  };
  const nodes: NodeSpec[] = [
    { op: 'MatMul', inputs: ['X', 'Wq'], outputs: ['q0'] },
    { op: 'MatMul', inputs: ['X', 'Wk'], outputs: ['k0'] },
    { op: 'MatMul', inputs: ['X', 'Wv'], outputs: ['v'] },
    { op: 'RotaryEmbedding', inputs: ['q0', 'cos', 'sin', 'pos'], outputs: ['q'], attrs: { num_heads: HQ } },
    {
      op: 'RotaryEmbedding',
      inputs: ['k0', 'cos', 'sin', 'pos'],
      outputs: ['k'],
      attrs: { num_heads: HKV, interleaved: 1 },
    },
    {
      op: 'Attention',
      inputs: runtime
        ? ['q', 'k', 'v', '', '', '', 'seqlens']
        : ['q', 'k', 'v', '', 'past_key', 'past_value'],
      outputs: ['att', 'present_key', 'present_value'],
      attrs: { q_num_heads: HQ, kv_num_heads: HKV, is_causal: 1 },
    },
    { op: 'MatMul', inputs: ['att', 'Wo'], outputs: swiglu ? ['h'] : ['out'] },
  ];
  if (swiglu) {
    init.Wa = randomF32(r, [E, 2 * E], 0.5);
    init.Wb = randomF32(r, [E, 2 * E], 0.5);
    init.Wd = randomF32(r, [2 * E, E], 0.5);
    nodes.push(
      { op: 'MatMul', inputs: ['h', 'Wa'], outputs: ['a'] },
      { op: 'MatMul', inputs: ['h', 'Wb'], outputs: ['b'] },
      { op: 'SwiGLU', inputs: ['a', 'b'], outputs: ['g'], attrs: { alpha: { float: 1.702 } } },
      { op: 'MatMul', inputs: ['g', 'Wd'], outputs: ['out'] },
    );
  }
  const feeds = new Map([['X', randomF32(r, [1, S, E])]]);
  if (runtime) {
    // Position ids and the valid key count arrive with the run (int64, host only).
    delete init.pos;
    feeds.set('pos', makeTensor('int64', [1, S], BigInt64Array.from([2n, 3n, 4n, 5n])));
    feeds.set('seqlens', makeTensor('int64', [1], BigInt64Array.from([3n])));
  } else {
    feeds.set('past_key', randomF32(r, [1, HKV, PAST, D]));
    feeds.set('past_value', randomF32(r, [1, HKV, PAST, D]));
  }
  const bytes = buildModel({
    opset: swiglu ? 28 : runtime ? 24 : 23,
    inputs: runtime
      ? [
          { name: 'X', dtype: 'float32', dims: [1, S, E] },
          { name: 'pos', dtype: 'int64', dims: [1, S] },
          { name: 'seqlens', dtype: 'int64', dims: [1] },
        ]
      : [
          { name: 'X', dtype: 'float32', dims: [1, S, E] },
          { name: 'past_key', dtype: 'float32', dims: [1, HKV, PAST, D] },
          { name: 'past_value', dtype: 'float32', dims: [1, HKV, PAST, D] },
        ],
    outputs: [
      { name: 'out', dtype: 'float32' },
      { name: 'present_key', dtype: 'float32' },
      { name: 'present_value', dtype: 'float32' },
    ],
    initializers: init,
    nodes,
  });
  return { bytes, feeds };
}

describe('transformer ops inside a WebGPU run', () => {
  const variants: Variant[] = [
    'opset 23',
    'SwiGLU feed-forward, opset 28',
    'run-time int64 position_ids and nonpad_kv_seqlen, opset 24',
  ];
  for (const variant of variants)
    it(`MatMul -> RotaryEmbedding -> Attention -> MatMul (${variant}) on the GPU`, async () => {
      const { bytes, feeds } = model(variant);
      const want = new CpuInterpreter(decodeModel(bytes)).runSync(feeds);
      const executor = await WebGpuExecutor.create(decodeModel(bytes));
      try {
        const got = await executor.run(feeds);
        const summary = await executor.summary();
        // Run-time int64 ids reach the kernels through one GPU Cast each (narrow-indices.ts).
        expect(summary.cpuFallbacks).toEqual([]);
        expect(summary.kernelErrors).toEqual([]);
        for (const name of ['out', 'present_key', 'present_value'])
          expectClose(got.get(name)!, want.get(name)!, 1e-4, 1e-5, name);
      } finally {
        executor.dispose();
      }
    });
});

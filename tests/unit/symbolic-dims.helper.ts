// Models whose batch, height and width are symbolic, for the symbolic-dims tests on both
// backends: a small CNN shaped like the exported float CNNs that failed on WebGPU (Conv, Relu,
// MaxPool 2x2, depthwise Conv, HardSigmoid gate, GlobalAveragePool, a PyTorch-style
// Shape/Gather/Concat/Reshape flatten that depends on N, Gemm) and a two-input model that shares
// N between its inputs. Plus the onnxruntime oracle and a float comparison.
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { QUIET } from '../helpers/ort-quiet.js';

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomTensor(dims: number[], seed: number, lo = -1, hi = 1): Tensor {
  const r = rng(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  return makeTensor(
    'float32',
    dims,
    Float32Array.from({ length: n }, () => lo + (hi - lo) * r()),
  );
}

const C = 3;
const F = 8;
const CLASSES = 5;

/** input [N,3,H,W] -> logits [N,5] and the pooled feature map [N,8,floor(H/2),floor(W/2)]. */
export function symbolicCnn(): Uint8Array {
  return buildModel({
    // Named 'input' as tests/helpers/qplay-run.ts names the tensor files it writes.
    inputs: [{ name: 'input', dtype: 'float32', dims: ['N', C, 'H', 'W'] }],
    outputs: [
      { name: 'logits', dtype: 'float32', dims: ['N', CLASSES] },
      { name: 'pooled', dtype: 'float32', dims: ['N', F, 'H2', 'W2'] },
    ],
    initializers: {
      w1: randomTensor([F, C, 3, 3], 1, -0.5, 0.5),
      b1: randomTensor([F], 2, -0.1, 0.1),
      w2: randomTensor([F, 1, 3, 3], 3, -0.5, 0.5),
      b2: randomTensor([F], 4, -0.1, 0.1),
      wg: randomTensor([CLASSES, F], 5, -1, 1),
      bg: randomTensor([CLASSES], 6, -0.1, 0.1),
      zero: int64Tensor([], [0]),
      minus1: int64Tensor([1], [-1]),
    },
    nodes: [
      {
        op: 'Conv',
        name: 'conv1',
        inputs: ['input', 'w1', 'b1'],
        outputs: ['c1'],
        attrs: { pads: [1, 1, 1, 1] },
      },
      { op: 'Relu', name: 'relu1', inputs: ['c1'], outputs: ['r1'] },
      {
        op: 'MaxPool',
        name: 'pool1',
        inputs: ['r1'],
        outputs: ['pooled'],
        attrs: { kernel_shape: [2, 2], strides: [2, 2] },
      },
      {
        op: 'Conv',
        name: 'dw',
        inputs: ['pooled', 'w2', 'b2'],
        outputs: ['c2'],
        attrs: { pads: [1, 1, 1, 1], group: F },
      },
      { op: 'HardSigmoid', name: 'gate', inputs: ['c2'], outputs: ['g'], attrs: { alpha: 1 / 6, beta: 0.5 } },
      { op: 'Mul', name: 'swish', inputs: ['c2', 'g'], outputs: ['hs'] },
      { op: 'GlobalAveragePool', name: 'gap', inputs: ['hs'], outputs: ['gp'] },
      // torch.flatten as exported: Reshape(gp, Concat(Unsqueeze(Gather(Shape(gp), 0)), [-1]))
      { op: 'Shape', name: 'shape', inputs: ['gp'], outputs: ['s'] },
      { op: 'Gather', name: 'batch', inputs: ['s', 'zero'], outputs: ['n'], attrs: { axis: 0 } },
      { op: 'Unsqueeze', name: 'n1', inputs: ['n'], outputs: ['n1'], attrs: { axes: [0] } },
      { op: 'Concat', name: 'target', inputs: ['n1', 'minus1'], outputs: ['t'], attrs: { axis: 0 } },
      { op: 'Reshape', name: 'flatten', inputs: ['gp', 't'], outputs: ['flat'] },
      { op: 'Gemm', name: 'fc', inputs: ['flat', 'wg', 'bg'], outputs: ['logits'], attrs: { transB: 1 } },
    ],
    opset: 11,
  });
}

/** a [N,4] and b [N,K] -> y [N,3] = MatMul(a, w) + the mean of b's row: N is shared by both inputs. */
export function sharedBatchModel(): Uint8Array {
  return buildModel({
    inputs: [
      { name: 'a', dtype: 'float32', dims: ['N', 4] },
      { name: 'b', dtype: 'float32', dims: ['N', 'K'] },
    ],
    outputs: [{ name: 'y', dtype: 'float32', dims: ['N', 3] }],
    initializers: { w: randomTensor([4, 3], 7) },
    nodes: [
      { op: 'MatMul', name: 'mm', inputs: ['a', 'w'], outputs: ['m'] },
      { op: 'ReduceMean', name: 'mean', inputs: ['b'], outputs: ['bm'], attrs: { axes: [1], keepdims: 1 } },
      { op: 'Add', name: 'add', inputs: ['m', 'bm'], outputs: ['y'] },
    ],
    opset: 13,
  });
}

/** Feeds for the CNN at a size. */
export function cnnFeeds(n: number, h: number, w: number, seed: number): Map<string, Tensor> {
  return new Map([['input', randomTensor([n, C, h, w], seed, 0, 1)]]);
}

/** onnxruntime-node's outputs for the feeds, by name (quiet: warnings are not failures). */
export async function runOrt(
  bytes: Uint8Array,
  feeds: ReadonlyMap<string, Tensor>,
): Promise<Map<string, Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { ...QUIET, executionProviders: ['cpu'] });
  try {
    const f: Record<string, ort.Tensor> = {};
    for (const [k, t] of feeds) f[k] = new ort.Tensor('float32', t.data as Float32Array, [...t.dims]);
    const out = await session.run(f);
    const result = new Map<string, Tensor>();
    for (const [k, v] of Object.entries(out))
      result.set(k, makeTensor('float32', v.dims as number[], v.data as Float32Array));
    return result;
  } finally {
    await session.release();
  }
}

/** Same dims, and every value within 1e-4 of the expected one, relative to max |expected|. */
export function expectClose(got: Tensor | undefined, want: Tensor | undefined, what: string): void {
  expect(got, what).toBeDefined();
  expect(want, what).toBeDefined();
  expect([...got!.dims], `${what} dims`).toEqual([...want!.dims]);
  const a = got!.data as Float32Array;
  const b = want!.data as Float32Array;
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst, `${what}: worst error (scale ${scale})`).toBeLessThanOrEqual(1e-4 * Math.max(scale, 1e-3));
}

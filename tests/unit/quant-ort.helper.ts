// Runs one ONNX model on onnxruntime-node (the bit-exactness oracle of the quant tests).
import * as ort from 'onnxruntime-node';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { QUIET, SILENT } from '../helpers/ort-quiet.js';

const ORT_TYPE: Record<string, ort.Tensor.Type> = {
  float32: 'float32',
  int8: 'int8',
  uint8: 'uint8',
  int16: 'int16',
  uint16: 'uint16',
  int32: 'int32',
  int64: 'int64',
};

export async function runOrt(
  model: Uint8Array,
  feeds: Record<string, Tensor>,
  optimization: 'all' | 'disabled' = 'disabled',
  /** The test expects onnxruntime to refuse: keep its error log out of the output. */
  expectFailure = false,
): Promise<Record<string, Tensor>> {
  const log = expectFailure ? SILENT : QUIET;
  const session = await ort.InferenceSession.create(model, {
    ...log,
    graphOptimizationLevel: optimization,
    executionProviders: ['cpu'],
  });
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(feeds))
    ortFeeds[k] = new ort.Tensor(ORT_TYPE[t.dtype], t.data as never, [...t.dims]);
  const out = await session.run(ortFeeds, log);
  const result: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(out))
    result[k] = makeTensor(v.type as Tensor['dtype'], v.dims as number[], v.data as never);
  await session.release();
  return result;
}

/** A small deterministic PRNG (mulberry32) so random cases are reproducible. */
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

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

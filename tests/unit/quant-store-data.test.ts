// Calibration data for the page, without a browser: random inputs from a distribution with
// symbolic dimensions bound, images through the CLI's preprocessing rule, .pb / .npy tensor
// files matched to inputs, and the strategy answers' checks. Also: a QDQ model opened in the
// page opens as an imported session.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeTensor, toFloat32 } from '../../kernels/tensor.js';
import type { RgbImage } from '../../app/cli/images/decode-image.js';
import { imageToTensor, planImageInput } from '../../app/cli/images/preprocess.js';
import { decodeModel } from '../../app/model/decode.js';
import type { Graph } from '../../app/model/ir.js';
import { encodeTensorFile } from '../../app/model/tensor-proto.js';
import { loadModelBytes } from '../../app/store/actions-model.js';
import { calibrate, openForQuant } from '../../app/store/quant-actions.js';
import {
  bindSymbolicDims,
  imageOptionsFrom,
  imagesToSamples,
  randomSamples,
  tensorFilesToSamples,
} from '../../app/store/quant-data.js';
import { exportFiles } from '../../app/store/quant-export.js';
import { modelExplorerNodeData } from '../../app/store/quant-views.js';
import { getQuant } from '../../app/store/quant-store.js';
import { overrideFrom } from '../../app/store/quant-strategy.js';
import { seededRandom } from '../../app/store/sample-input.js';
import { getState, setState } from '../../app/store/store.js';
import { buildModel } from '../helpers/onnx-builder.js';

const MODELS = new URL('../fixtures/models', import.meta.url).pathname;

function graphWith(dims: (number | string)[], dtype: 'float32' | 'int64' = 'float32'): Graph {
  return {
    inputs: [{ name: 'x', dtype, dims }],
    outputs: [],
    nodes: [],
    initializers: new Map(),
  } as unknown as Graph;
}

function npy(values: Float32Array, shape: number[]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const out = new Uint8Array(10 + header.length + values.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(values.buffer), 10 + header.length);
  return out;
}

describe('random calibration inputs', () => {
  it('binds a symbolic batch to 1 and symbolic H, W to 224 (C to 3 when unknown too)', () => {
    expect(bindSymbolicDims(graphWith(['N', 3, 'H', 'W'])).inputs[0].dims).toEqual([1, 3, 224, 224]);
    expect(bindSymbolicDims(graphWith(['N', 'H', 'W', 3])).inputs[0].dims).toEqual([1, 224, 224, 3]);
    expect(bindSymbolicDims(graphWith(['N', 'C', 'H', 'W'])).inputs[0].dims).toEqual([1, 3, 224, 224]);
    expect(bindSymbolicDims(graphWith(['batch', 16])).inputs[0].dims).toEqual([1, 16]);
    expect(bindSymbolicDims(graphWith([2, 5])).inputs[0].dims).toEqual([2, 5]);
  });

  it('draws uniform values inside [a, b) and normal values with about the asked mean and std', () => {
    const g = graphWith([1, 4096]);
    const u = randomSamples(g, { count: 2, distribution: 'uniform', a: -3, b: 5 });
    expect(u).toHaveLength(2);
    const uv = toFloat32(u[0].get('x')!);
    expect(Math.min(...uv)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...uv)).toBeLessThan(5);
    expect(uv).not.toEqual(toFloat32(u[1].get('x')!)); // one seed per sample
    const n = toFloat32(randomSamples(g, { count: 1, distribution: 'normal', a: 2, b: 0.5 })[0].get('x')!);
    const mean = n.reduce((a, b) => a + b, 0) / n.length;
    const sd = Math.sqrt(n.reduce((a, b) => a + (b - mean) ** 2, 0) / n.length);
    expect(mean).toBeCloseTo(2, 1);
    expect(sd).toBeGreaterThan(0.45);
    expect(sd).toBeLessThan(0.55);
    // Same spec, same values.
    expect(
      toFloat32(randomSamples(g, { count: 1, distribution: 'normal', a: 2, b: 0.5 })[0].get('x')!),
    ).toEqual(n);
  });

  it.each([
    [{ count: 0, distribution: 'uniform', a: 0, b: 1 }, /1 to 256/],
    [{ count: 2.5, distribution: 'uniform', a: 0, b: 1 }, /1 to 256/],
    [{ count: 1, distribution: 'uniform', a: 1, b: 1 }, /low < high/],
    [{ count: 1, distribution: 'normal', a: 0, b: 0 }, /positive standard deviation/],
    [{ count: 1, distribution: 'normal', a: Number.NaN, b: 1 }, /numbers/],
  ] as const)('refuses %o in one line', (spec, why) => {
    expect(() => randomSamples(graphWith([1, 4]), spec)).toThrow(why);
  });

  it('leaves integer inputs as randomFeeds makes them', () => {
    const s = randomSamples(graphWith([1, 8], 'int64'), { count: 1, distribution: 'normal', a: 100, b: 1 });
    expect(s[0].get('x')!.dtype).toBe('int64');
  });
});

describe('images and tensor files', () => {
  function image(w: number, h: number, seed: number): RgbImage {
    const next = seededRandom(seed);
    return {
      width: w,
      height: h,
      data: Uint8Array.from({ length: w * h * 3 }, () => Math.floor(next() * 256)),
    };
  }

  it('preprocesses exactly as the CLI does (plan + imageToTensor), per option', () => {
    const g = graphWith([1, 3, 8, 8]);
    const imgs = [image(12, 10, 1), image(8, 8, 2)];
    const options = imageOptionsFrom({
      size: '',
      layout: '',
      mean: '0.5',
      std: '0.25',
      scale: '1/255',
      channelOrder: 'bgr',
    });
    const samples = imagesToSamples(g, imgs, options);
    const plan = planImageInput(g.inputs[0], options);
    samples.forEach((s, i) => {
      expect(s.get('x')).toEqual(imageToTensor(imgs[i], plan));
    });
  });

  it('a symbolic H, W takes the first image’s size unless a size is given', () => {
    const g = graphWith(['N', 3, 'H', 'W']);
    expect(imagesToSamples(g, [image(6, 4, 3)], {})[0].get('x')!.dims).toEqual([1, 3, 4, 6]);
    const sized = imagesToSamples(
      g,
      [image(6, 4, 3)],
      imageOptionsFrom({ size: '5x7', layout: '', mean: '', std: '', scale: '', channelOrder: '' }),
    );
    expect(sized[0].get('x')!.dims).toEqual([1, 3, 5, 7]);
  });

  it('bad preprocessing fields and models without an image input are one clear line', () => {
    const f = { size: '', layout: '', mean: '', std: '0', scale: '', channelOrder: '' };
    expect(() => imagesToSamples(graphWith([1, 3, 8, 8]), [image(8, 8, 1)], imageOptionsFrom(f))).toThrow(
      /std/,
    );
    expect(() => imagesToSamples(graphWith([1, 16]), [image(8, 8, 1)], {})).toThrow(/rank-3 or rank-4/);
  });

  it('.npy and .pb files become samples of a one-input model; shape and dtype are checked', () => {
    const g = graphWith(['N', 4]);
    const a = Float32Array.from([1, 2, 3, 4]);
    const pb = encodeTensorFile(makeTensor('float32', [1, 4], [5, 6, 7, 8]), 'x');
    const s = tensorFilesToSamples(g, [
      { name: 'a.npy', bytes: npy(a, [1, 4]) },
      { name: 'b.pb', bytes: pb },
    ]);
    expect(s).toHaveLength(2);
    expect(toFloat32(s[0].get('x')!)).toEqual(a);
    expect(toFloat32(s[1].get('x')!)).toEqual(Float32Array.from([5, 6, 7, 8]));
    expect(() => tensorFilesToSamples(g, [{ name: 'c.npy', bytes: npy(a, [4]) }])).toThrow(
      /c\.npy has shape \[4\]/,
    );
    expect(() => tensorFilesToSamples(g, [{ name: 'c.txt', bytes: new Uint8Array(4) }])).toThrow(
      /\.pb .* or \.npy/,
    );
    expect(() => tensorFilesToSamples(g, [{ name: 'bad.npy', bytes: new Uint8Array(12) }])).toThrow(
      /bad\.npy/,
    );
  });
});

describe('strategy answers', () => {
  const t = { name: 't', qmin: 0, qmax: 255 };
  it.each([
    [
      { min: -1, max: 2 },
      { min: -1, max: 2 },
    ],
    [
      { scale: 0.1, zeroPoint: 128 },
      { scale: 0.1, zeroPoint: 128 },
    ],
    [{ min: 3, max: 2 }, /above max/],
    [{ min: 'a', max: 2 }, /as numbers/],
    [{ scale: -1, zeroPoint: 0 }, /positive/],
    [{ scale: 0.1, zeroPoint: 1.5 }, /integer/],
    [{ scale: 0.1, zeroPoint: 300 }, /outside \[0, 255\]/],
    [{ scale: 1e-50, zeroPoint: 0 }, /underflows/],
    [{}, /as numbers/],
  ] as const)('%o', (answer, expected) => {
    const r = overrideFrom(t, answer);
    if (expected instanceof RegExp) expect(r).toMatch(expected);
    else expect(r).toEqual(expected);
  });
});

describe('a QDQ model opened in the page', () => {
  it('opens as an imported session with metrics, and its Model Explorer data has every layer', async () => {
    const mnist = new Uint8Array(readFileSync(`${MODELS}/mnist-8.onnx`));
    loadModelBytes('mnist-8.onnx', mnist);
    await openForQuant(getState().modelId);
    await calibrate();
    const { qdq } = await exportFiles();
    expect(loadModelBytes('mnist-8.qdq.onnx', qdq)).toBe(true);
    await openForQuant(getState().modelId);
    const q = getQuant();
    expect(q.error).toBeNull();
    expect(q.overview?.imported).toBe(true);
    expect(q.overview?.done).toBe(true);
    expect(q.metrics?.layers.length).toBeGreaterThan(2);
    expect(q.message).toMatch(/^Imported mnist-8\.qdq\.onnx: output SQNR/);
    const data = modelExplorerNodeData(q.metrics!, 'cumulative') as {
      results: Record<string, { value: number }>;
    };
    expect(Object.keys(data.results).sort()).toEqual(q.metrics!.layers.map((l) => l.node).sort());
    for (const v of Object.values(data.results)) expect(Number.isFinite(v.value)).toBe(true);
    expect(decodeModel(qdq).graph.nodes.length).toBeGreaterThan(12);
  }, 120_000);
});

describe('a model the engine cannot run', () => {
  it('says why it cannot be quantized, in one line', async () => {
    setState({ modelId: null, unsupported: null });
    const bytes = buildModel({
      inputs: [{ name: 'x', dtype: 'float32', dims: [1, 4] }],
      outputs: [{ name: 'y', dtype: 'float32', dims: [1, 4] }],
      nodes: [{ op: 'FrobnicateXYZ', name: 'mystery', inputs: ['x'], outputs: ['y'] }],
    });
    expect(loadModelBytes('odd.onnx', bytes)).toBe(true);
    await openForQuant(getState().modelId);
    expect(getQuant().message).toMatch(
      /^odd\.onnx cannot run here, so it cannot be quantized: .*FrobnicateXYZ/,
    );
    expect(getQuant().overview).toBeNull();
  });
});

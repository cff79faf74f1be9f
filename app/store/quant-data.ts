// Calibration data for the page: the bundled digit images, seeded random inputs from a chosen
// distribution, dropped images (decoded by the browser, then preprocessed by exactly the CLI's
// rule: app/cli/images/preprocess.ts) and tensor files (.pb TensorProto, .npy).
import { type Tensor, toFloat32 } from '../../kernels/tensor.js';
import type { RgbImage } from '../cli/images/decode-image.js';
import { type ImageOptions, parseImageOptions } from '../cli/images/image-options.js';
import { imageToTensor, planImageInput } from '../cli/images/preprocess.js';
import { decodeNpy } from '../cli/npy.js';
import type { Graph } from '../model/ir.js';
import { decodeTensorFile } from '../model/tensor-proto.js';
import { randomFeeds, seededRandom } from './sample-input.js';

export type Feeds = Map<string, Tensor>;

export interface RandomSpec {
  readonly count: number;
  readonly distribution: 'uniform' | 'normal';
  /** uniform: [a, b); normal: mean a, standard deviation b. */
  readonly a: number;
  readonly b: number;
}

export const DEFAULT_RANDOM: RandomSpec = { count: 8, distribution: 'uniform', a: 0, b: 1 };

/** The preprocessing fields as typed in the form (each empty for the default). */
export interface ImageFields {
  readonly size: string;
  readonly layout: string;
  readonly mean: string;
  readonly std: string;
  readonly scale: string;
  readonly channelOrder: string;
}

export const DEFAULT_IMAGE_FIELDS: ImageFields = {
  size: '',
  layout: '',
  mean: '',
  std: '',
  scale: '',
  channelOrder: '',
};

export function imageOptionsFrom(f: ImageFields): ImageOptions {
  const v = (s: string) => (s.trim() === '' ? undefined : s.trim());
  return parseImageOptions({
    size: v(f.size),
    layout: v(f.layout),
    mean: v(f.mean),
    std: v(f.std),
    scale: v(f.scale),
    channelOrder: v(f.channelOrder),
  });
}

/** The spatial size a symbolic image dimension takes when nothing else says (ImageNet's). */
export const DEFAULT_SPATIAL = 224;

/**
 * The graph with its symbolic input dimensions bound: a name in `sizes` (the page's input
 * dimensions) to that size, else the batch (first) dimension to 1, the others of a rank-3/4
 * input to 224 (the spatial default), any other to 1. Random inputs need a shape; binding H and
 * W to 1 makes real CNNs fail at their first pooling.
 */
export function bindSymbolicDims(graph: Graph, sizes: Readonly<Record<string, number>> = {}): Graph {
  const inputs = graph.inputs.map((input) => {
    const dims = input.dims;
    if (!dims || dims.every((d) => typeof d === 'number')) return input;
    const image = dims.length === 3 || dims.length === 4;
    const bound = dims.map((d, i) => {
      if (typeof d === 'number') return d;
      if (Object.hasOwn(sizes, d)) return sizes[d];
      if (i === 0) return 1;
      return image ? DEFAULT_SPATIAL : 1;
    });
    // [N, C, H, W] with every slot symbolic: read as NCHW colour (NHWC declares its channels).
    if (image && dims.length === 4 && typeof dims[1] !== 'number' && typeof dims[3] !== 'number')
      if (!Object.hasOwn(sizes, String(dims[1]))) bound[1] = 3;
    return { ...input, dims: bound };
  });
  return { ...graph, inputs };
}

/** `count` random samples: float inputs drawn from the distribution, others as randomFeeds makes them. */
export function randomSamples(
  graph: Graph,
  spec: RandomSpec,
  sizes: Readonly<Record<string, number>> = {},
): Feeds[] {
  if (!Number.isInteger(spec.count) || spec.count < 1 || spec.count > 256)
    throw new Error(`the number of random samples must be 1 to 256, not ${spec.count}`);
  if (!Number.isFinite(spec.a) || !Number.isFinite(spec.b))
    throw new Error('the distribution parameters must be numbers');
  if (spec.distribution === 'uniform' && !(spec.b > spec.a))
    throw new Error(`a uniform range needs low < high, not [${spec.a}, ${spec.b})`);
  if (spec.distribution === 'normal' && !(spec.b > 0))
    throw new Error(`a normal distribution needs a positive standard deviation, not ${spec.b}`);
  const out: Feeds[] = [];
  const bound = bindSymbolicDims(graph, sizes);
  for (let k = 0; k < spec.count; k++) {
    const feeds = randomFeeds(bound, k + 1);
    const next = seededRandom(1000 + k);
    for (const [name, t] of feeds) {
      if (t.dtype !== 'float32') continue;
      const u = t.data as Float32Array;
      const v = new Float32Array(u.length);
      for (let i = 0; i < u.length; i++) {
        if (spec.distribution === 'uniform') v[i] = spec.a + u[i] * (spec.b - spec.a);
        else {
          // Box-Muller with a second seeded uniform; 1 - u keeps the log finite.
          const r = Math.sqrt(-2 * Math.log(1 - u[i]));
          v[i] = spec.a + spec.b * r * Math.cos(2 * Math.PI * next());
        }
      }
      feeds.set(name, { ...t, data: v });
    }
    out.push(feeds);
  }
  return out;
}

/** Whether the model takes one image-like input (rank 3 or 4, 1 or 3 channels). */
export function imageInputOf(graph: Graph) {
  if (graph.inputs.length !== 1) return undefined;
  const d = graph.inputs[0].dims;
  return d && (d.length === 3 || d.length === 4) ? graph.inputs[0] : undefined;
}

/** Decoded images (RGB bytes) to one sample each, by the CLI's preprocessing rule. */
export function imagesToSamples(graph: Graph, images: readonly RgbImage[], options: ImageOptions): Feeds[] {
  const input = imageInputOf(graph);
  if (!input) {
    throw new Error(
      `images feed a model with one rank-3 or rank-4 input; this one has ${graph.inputs.length} input(s)`,
    );
  }
  if (images.length === 0) throw new Error('no images');
  // A symbolic height/width takes the first image's size unless a size is given.
  const dims = input.dims!;
  const symbolic = dims.slice(-3).some((d) => typeof d !== 'number');
  const opts: ImageOptions =
    !options.size && symbolic ? { ...options, size: [images[0].height, images[0].width] } : options;
  const plan = planImageInput(input, opts);
  return images.map((img) => new Map([[input.name, imageToTensor(img, plan)]]));
}

/** Tensor files to samples: one input takes one file per sample; several inputs match .pb names. */
export function tensorFilesToSamples(
  graph: Graph,
  files: readonly { readonly name: string; readonly bytes: Uint8Array }[],
): Feeds[] {
  if (files.length === 0) throw new Error('no tensor files');
  const decoded = files.map((f) => {
    if (/\.npy$/i.test(f.name)) return { file: f.name, name: '', tensor: decodeNpy(f.bytes, f.name) };
    if (/\.pb$/i.test(f.name)) return { file: f.name, ...decodeTensorFile(f.bytes, f.name) };
    throw new Error(`${f.name}: tensor files are .pb (ONNX TensorProto) or .npy`);
  });
  const inputs = graph.inputs;
  const check = (input: (typeof inputs)[number], t: Tensor, file: string) => {
    const d = input.dims;
    if (input.dtype && input.dtype !== t.dtype)
      throw new Error(`${file} is ${t.dtype}; input '${input.name}' takes ${input.dtype}`);
    if (d && (d.length !== t.dims.length || d.some((x, i) => typeof x === 'number' && x !== t.dims[i])))
      throw new Error(`${file} has shape [${t.dims.join(', ')}]; input '${input.name}' is [${d.join(', ')}]`);
  };
  if (inputs.length === 1) {
    return decoded.map((d) => {
      check(inputs[0], d.tensor, d.file);
      return new Map([[inputs[0].name, d.tensor]]);
    });
  }
  const byInput = new Map<string, Tensor[]>(inputs.map((i) => [i.name, []]));
  for (const d of decoded) {
    const list = byInput.get(d.name);
    if (!list)
      throw new Error(`${d.file} names '${d.name || '(no name)'}', which is not an input of this model`);
    const input = inputs.find((i) => i.name === d.name)!;
    check(input, d.tensor, d.file);
    list.push(d.tensor);
  }
  const counts = [...byInput.values()].map((l) => l.length);
  if (counts.some((c) => c !== counts[0]))
    throw new Error(
      `each input needs as many files: ${[...byInput].map(([n, l]) => `${n} ${l.length}`).join(', ')}`,
    );
  return Array.from({ length: counts[0] }, (_, s) => new Map([...byInput].map(([n, l]) => [n, l[s]])));
}

/** The browser's decoder: any image it can show, as RGB bytes at its natural size. */
export async function decodeImageInBrowser(blob: Blob, name: string): Promise<RgbImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new Error(`${name}: the browser could not decode this image (png, jpg or bmp)`);
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser has no 2D canvas');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    data[i * 3] = rgba[i * 4];
    data[i * 3 + 1] = rgba[i * 4 + 1];
    data[i * 3 + 2] = rgba[i * 4 + 2];
  }
  return { width, height, data };
}

/** Summary numbers of a calibration set (shown next to it). */
export function describeSamples(samples: readonly Feeds[]): string {
  if (samples.length === 0) return 'no samples';
  const first = [...samples[0]].map(([n, t]) => `${n} [${t.dims.join('×')}]`).join(', ');
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of samples)
    for (const t of s.values())
      for (const v of toFloat32(t)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
  return `${first}, values ${lo.toPrecision(3)} … ${hi.toPrecision(3)}`;
}

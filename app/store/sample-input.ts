// Inputs for a run: an MNIST digit image decoded by the browser to the [1,1,28,28] float input
// (0..255, white digit on black, as mnist-8 expects), or seeded random values for any model.
import { type DType, makeTensor, sizeOf, type Tensor } from '../../kernels/tensor.js';
import type { Graph, ValueInfo } from '../model/ir.js';

export const DIGIT_SIZE = 28;

export function digitUrl(digit: number): string {
  return `${import.meta.env.BASE_URL}samples/digit-${digit}.png`;
}

/** Whether an input is a single 28x28 grayscale image: [N,1,28,28] with N 1 or symbolic. */
export function isDigitInput(v: ValueInfo): boolean {
  const d = v.dims;
  return (
    v.dtype === 'float32' &&
    d !== undefined &&
    d.length === 4 &&
    (d[0] === 1 || typeof d[0] === 'string') &&
    d[1] === 1 &&
    d[2] === DIGIT_SIZE &&
    d[3] === DIGIT_SIZE
  );
}

export function acceptsDigits(graph: Graph): boolean {
  return graph.inputs.length === 1 && isDigitInput(graph.inputs[0]);
}

/** Decodes a digit PNG with a canvas: the red channel of a grayscale image is its gray value. */
export async function loadDigitTensor(digit: number): Promise<Tensor> {
  const response = await fetch(digitUrl(digit));
  if (!response.ok) throw new Error(`could not load digit ${digit} (HTTP ${response.status})`);
  const bitmap = await createImageBitmap(await response.blob(), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
  const canvas = new OffscreenCanvas(DIGIT_SIZE, DIGIT_SIZE);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser has no 2D canvas');
  ctx.drawImage(bitmap, 0, 0, DIGIT_SIZE, DIGIT_SIZE);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, DIGIT_SIZE, DIGIT_SIZE).data;
  const gray = new Float32Array(DIGIT_SIZE * DIGIT_SIZE);
  for (let i = 0; i < gray.length; i++) gray[i] = rgba[i * 4];
  return makeTensor('float32', [1, 1, DIGIT_SIZE, DIGIT_SIZE], gray);
}

/** mulberry32: a small, fast, seedable generator; the same seed gives the same inputs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random feeds for every graph input: floats uniform in [0,1), integers in [0,10), bools 0/1.
 * Symbolic dimensions are taken as 1. Unknown shapes cannot be fed and are reported.
 */
export function randomFeeds(graph: Graph, seed: number): Map<string, Tensor> {
  const next = seededRandom(seed);
  const feeds = new Map<string, Tensor>();
  for (const input of graph.inputs) {
    if (!input.dims)
      throw new Error(`input '${input.name}' has no declared shape, so no random input can be made`);
    const dims = input.dims.map((d) => (typeof d === 'number' ? d : 1));
    const dtype: DType = input.dtype ?? 'float32';
    const n = sizeOf(dims);
    if (dtype === 'float16')
      throw new Error(`input '${input.name}' is float16, which random inputs do not cover yet`);
    const isFloat = dtype === 'float32' || dtype === 'float64';
    const values = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const r = next();
      values[i] = isFloat ? r : dtype === 'bool' ? (r < 0.5 ? 0 : 1) : Math.floor(r * 10);
    }
    feeds.set(input.name, makeTensor(dtype, dims, values));
  }
  return feeds;
}

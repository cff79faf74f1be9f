// Col2Im: the inverse of im2col. X is [N, C * prod(block), L] whose column l holds the block at
// sliding position l (positions row-major over the N-D grid the pads, dilations and strides
// give); each value is added into image [N, C, ...image_shape] at its position. Overlapping
// blocks sum (in block-element order, then position order, as the ONNX reference).
import { allocData, type Tensor } from '../tensor.js';

export interface Col2ImOptions {
  readonly imageShape: readonly number[];
  readonly blockShape: readonly number[];
  readonly dilations?: readonly number[];
  /** [begin..., end...]. */
  readonly pads?: readonly number[];
  readonly strides?: readonly number[];
}

/** Sliding positions along each dim. */
export function col2imBlocks(o: Col2ImOptions): number[] {
  const k = o.imageShape.length;
  return o.imageShape.map((size, i) => {
    const pad = (o.pads?.[i] ?? 0) + (o.pads?.[i + k] ?? 0);
    const span = (o.dilations?.[i] ?? 1) * (o.blockShape[i] - 1) + 1;
    return Math.floor((size + pad - span) / (o.strides?.[i] ?? 1)) + 1;
  });
}

export function col2imDims(xDims: readonly number[], o: Col2ImOptions): number[] {
  const k = o.imageShape.length;
  if (o.blockShape.length !== k)
    throw new Error(`Col2Im block_shape has ${o.blockShape.length} dims, image_shape ${k}`);
  const kernel = o.blockShape.reduce((a, b) => a * b, 1);
  if (xDims.length !== 3 || kernel === 0 || xDims[1] % kernel !== 0) {
    throw new Error(`Col2Im input [${xDims}] does not fit block_shape [${o.blockShape}]`);
  }
  const blocks = col2imBlocks(o);
  const count = blocks.reduce((a, b) => a * b, 1);
  if (blocks.some((b) => b < 1) || count !== xDims[2]) {
    throw new Error(`Col2Im input [${xDims}] has ${xDims[2]} blocks, the image needs ${count} ([${blocks}])`);
  }
  return [xDims[0], xDims[1] / kernel, ...o.imageShape];
}

export function col2imRef(x: Tensor, o: Col2ImOptions): Tensor {
  if (x.dtype !== 'float32' && x.dtype !== 'float64')
    throw new Error(`Col2Im on ${x.dtype} is not supported`);
  const outDims = col2imDims(x.dims, o);
  const k = o.imageShape.length;
  const blocks = col2imBlocks(o);
  const kernel = o.blockShape.reduce((a, b) => a * b, 1);
  const count = x.dims[2];
  const image = o.imageShape.reduce((a, b) => a * b, 1);
  const [n, c] = outDims;
  const src = x.data as Float32Array | Float64Array;
  const out = allocData(x.dtype, n * c * image) as Float32Array | Float64Array;
  const off = new Array<number>(k);
  const pos = new Array<number>(k);
  for (let kc = 0; kc < kernel; kc++) {
    let rest = kc;
    for (let d = k - 1; d >= 0; d--) {
      off[d] = rest % o.blockShape[d];
      rest = Math.floor(rest / o.blockShape[d]);
    }
    for (let l = 0; l < count; l++) {
      let r = l;
      let at = 0;
      let inside = true;
      for (let d = k - 1; d >= 0; d--) {
        pos[d] = r % blocks[d];
        r = Math.floor(r / blocks[d]);
      }
      for (let d = 0; d < k; d++) {
        const i = pos[d] * (o.strides?.[d] ?? 1) - (o.pads?.[d] ?? 0) + off[d] * (o.dilations?.[d] ?? 1);
        if (i < 0 || i >= o.imageShape[d]) inside = false;
        at = at * o.imageShape[d] + i;
      }
      if (!inside) continue;
      for (let b = 0; b < n; b++) {
        for (let ch = 0; ch < c; ch++) {
          out[(b * c + ch) * image + at] += src[((b * c + ch) * kernel + kc) * count + l];
        }
      }
    }
  }
  return { dtype: x.dtype, dims: outDims, data: out };
}

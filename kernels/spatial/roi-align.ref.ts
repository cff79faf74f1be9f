// RoiAlign: for each region (x1, y1, x2, y2 in input pixels times spatial_scale) of image
// batch_indices[r], an output_height x output_width grid of bins, each the average (or max) of
// sampling_ratio^2 bilinear samples (sampling_ratio 0: ceil(bin size) per axis). Opset 16's
// default half_pixel shifts the region by -0.5 pixel; 'output_half_pixel' (opset 10's only
// behaviour) does not, and makes regions at least 1 pixel. The max mode takes, per sample, the
// largest of the four weighted corner values, as onnxruntime and the ONNX reference do.
import { allocData, type Tensor } from '../tensor.js';

export interface RoiAlignOptions {
  readonly mode: 'avg' | 'max';
  readonly outputHeight: number;
  readonly outputWidth: number;
  readonly samplingRatio: number;
  readonly spatialScale: number;
  readonly halfPixel: boolean;
}

interface Sample {
  readonly pos: [number, number, number, number];
  readonly w: [number, number, number, number];
}

/** The bilinear corners and weights of one sample point (zero weights outside the image). */
function sample(y: number, x: number, height: number, width: number): Sample {
  if (y < -1 || y > height || x < -1 || x > width) return { pos: [0, 0, 0, 0], w: [0, 0, 0, 0] };
  let yy = Math.max(y, 0);
  let xx = Math.max(x, 0);
  let yLow = Math.trunc(yy);
  let xLow = Math.trunc(xx);
  let yHigh: number;
  let xHigh: number;
  if (yLow >= height - 1) {
    yHigh = yLow = height - 1;
    yy = yLow;
  } else yHigh = yLow + 1;
  if (xLow >= width - 1) {
    xHigh = xLow = width - 1;
    xx = xLow;
  } else xHigh = xLow + 1;
  const ly = yy - yLow;
  const lx = xx - xLow;
  const hy = 1 - ly;
  const hx = 1 - lx;
  return {
    pos: [yLow * width + xLow, yLow * width + xHigh, yHigh * width + xLow, yHigh * width + xHigh],
    w: [hy * hx, hy * lx, ly * hx, ly * lx],
  };
}

export function roiAlignRef(x: Tensor, rois: Tensor, batchIndices: Tensor, o: RoiAlignOptions): Tensor {
  if (x.dtype !== 'float32' && x.dtype !== 'float64')
    throw new Error(`RoiAlign on ${x.dtype} is not supported`);
  if (x.dims.length !== 4) throw new Error(`RoiAlign input must be 4-D, got [${x.dims}]`);
  const [batch, channels, height, width] = x.dims;
  const num = rois.dims[0];
  if (rois.dims.length !== 2 || rois.dims[1] !== 4 || batchIndices.data.length !== num) {
    throw new Error(`RoiAlign rois [${rois.dims}] / batch_indices [${batchIndices.dims}] do not fit`);
  }
  const ph = o.outputHeight;
  const pw = o.outputWidth;
  const src = x.data as Float32Array | Float64Array;
  const r = Array.from(rois.data as ArrayLike<number>, Number);
  const out = allocData(x.dtype, num * channels * ph * pw) as Float32Array | Float64Array;
  const offset = o.halfPixel ? 0.5 : 0;
  for (let n = 0; n < num; n++) {
    const b = Number(batchIndices.data[n]);
    if (b < 0 || b >= batch) throw new Error(`RoiAlign batch index ${b} is out of range for ${batch} images`);
    const startW = r[n * 4] * o.spatialScale - offset;
    const startH = r[n * 4 + 1] * o.spatialScale - offset;
    let roiW = r[n * 4 + 2] * o.spatialScale - offset - startW;
    let roiH = r[n * 4 + 3] * o.spatialScale - offset - startH;
    if (!o.halfPixel) {
      roiW = Math.max(roiW, 1);
      roiH = Math.max(roiH, 1);
    }
    const binH = roiH / ph;
    const binW = roiW / pw;
    const gridH = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(roiH / ph);
    const gridW = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(roiW / pw);
    const count = Math.max(gridH * gridW, 1);
    const samples: Sample[] = [];
    for (let i = 0; i < ph; i++) {
      for (let j = 0; j < pw; j++) {
        for (let iy = 0; iy < gridH; iy++) {
          const y = startH + i * binH + ((iy + 0.5) * binH) / gridH;
          for (let ix = 0; ix < gridW; ix++) {
            samples.push(sample(y, startW + j * binW + ((ix + 0.5) * binW) / gridW, height, width));
          }
        }
      }
    }
    for (let c = 0; c < channels; c++) {
      const base = (b * channels + c) * height * width;
      let s = 0;
      for (let bin = 0; bin < ph * pw; bin++) {
        let acc = 0;
        for (let k = 0; k < gridH * gridW; k++) {
          const { pos, w } = samples[s++];
          if (o.mode === 'avg') {
            acc +=
              w[0] * src[base + pos[0]] +
              w[1] * src[base + pos[1]] +
              w[2] * src[base + pos[2]] +
              w[3] * src[base + pos[3]];
          } else {
            const v = Math.max(
              w[0] * src[base + pos[0]],
              w[1] * src[base + pos[1]],
              w[2] * src[base + pos[2]],
              w[3] * src[base + pos[3]],
            );
            acc = k === 0 ? v : Math.max(acc, v);
          }
        }
        out[(n * channels + c) * ph * pw + bin] = o.mode === 'avg' ? acc / count : acc;
      }
    }
  }
  return { dtype: x.dtype, dims: [num, channels, ph, pw], data: out };
}

// Turns a decoded image into the tensor a model input expects. The steps, in this order:
//   1. channels: 3-channel inputs get R, G, B (or B, G, R with channelOrder 'bgr'); 1-channel
//      inputs get ITU-R BT.601 luma Y = 0.299 R + 0.587 G + 0.114 B, kept fractional (PIL's
//      convert('L') rounds it to a byte; gray pixels, R = G = B, give their value exactly);
//   2. resize, when the image is not already the target size: bilinear with half-pixel centres,
//      source coordinate s = (d + 0.5) · in/out − 0.5 clamped to [0, in − 1], the two nearest
//      source pixels weighted by distance, rows and columns separately. This is
//      torch.nn.functional.interpolate(mode='bilinear', align_corners=False, antialias=False),
//      torchvision's Resize on tensors without antialias, and ONNX Resize 'linear' with
//      'half_pixel'. Values are not rounded back to bytes (PIL and torchvision on uint8 do);
//      a downscale does not low-pass first, so shrinking by more than 2 skips pixels;
//   3. value = (pixel · scale − mean[c]) / std[c], computed in double precision;
//   4. written in the input's layout (NCHW or NHWC; a batch dimension of 1 when the input has
//      rank 4) and dtype (float32/float64 rounded to nearest once at the end, float16 through
//      float32; uint8 rounded half up and clamped to 0..255).
import { allocData, type DType, numberToFloat16Bits, type Tensor } from '../../../kernels/tensor.js';
import type { ValueInfo } from '../../model/ir.js';
import { CliError } from '../cli-errors.js';
import type { RgbImage } from './decode-image.js';
import { formatScale, type ImageOptions, validateImageOptions } from './image-options.js';

/** Everything needed to turn any image into one input tensor, fixed once per model input. */
export interface ImagePlan {
  readonly input: string;
  readonly layout: 'nchw' | 'nhwc';
  readonly channels: 1 | 3;
  readonly height: number;
  readonly width: number;
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly scale: number;
  readonly mean: readonly number[]; // one per channel
  readonly std: readonly number[];
  readonly channelOrder: 'rgb' | 'bgr';
}

const IMAGE_DTYPES: readonly DType[] = ['float32', 'float16', 'float64', 'uint8'];

/** Reads layout, channels, size and dtype from the input's declared type and the options. */
export function planImageInput(input: ValueInfo, options: ImageOptions = {}): ImagePlan {
  validateImageOptions(options, (m) => new CliError(m));
  const name = `input '${input.name}'`;
  const dims = input.dims;
  const shape = dims ? `[${dims.join(', ')}]` : '(no declared shape)';
  if (!dims || (dims.length !== 3 && dims.length !== 4)) {
    throw new CliError(
      `${name} has shape ${shape}; images need a rank-4 input (N, C, H, W or N, H, W, C) or rank 3`,
    );
  }
  const dtype = input.dtype ?? 'float32';
  if (!IMAGE_DTYPES.includes(dtype)) {
    throw new CliError(`${name} is ${dtype}; images can feed float32, float16, float64 or uint8 inputs`);
  }
  const rank = dims.length;
  if (rank === 4 && typeof dims[0] === 'number' && dims[0] !== 1) {
    throw new CliError(`${name} has shape ${shape}: a batch of ${dims[0]}; an image is one sample (batch 1)`);
  }
  const layout = options.layout ?? inferLayout(dims, name, shape);
  const cPos = layout === 'nchw' ? rank - 3 : rank - 1;
  const [hPos, wPos] = layout === 'nchw' ? [rank - 2, rank - 1] : [rank - 3, rank - 2];
  const cDim = dims[cPos];
  if (typeof cDim === 'number' && cDim !== 1 && cDim !== 3) {
    throw new CliError(
      `${name} has shape ${shape}: ${cDim} channels in ${layout} layout; images give 1 (gray) or 3 (colour)`,
    );
  }
  const channels: 1 | 3 = cDim === 1 ? 1 : 3; // a symbolic channel count takes colour

  const [hDim, wDim] = [dims[hPos], dims[wPos]];
  let height: number;
  let width: number;
  if (options.size) {
    [height, width] = options.size;
    if ((typeof hDim === 'number' && hDim !== height) || (typeof wDim === 'number' && wDim !== width)) {
      throw new CliError(
        `--size ${height}x${width} does not fit ${name} of shape ${shape} (${layout}, H=${hDim}, W=${wDim})`,
      );
    }
  } else if (typeof hDim === 'number' && typeof wDim === 'number') {
    [height, width] = [hDim, wDim];
  } else {
    throw new CliError(
      `${name} has shape ${shape} with no fixed height and width; give the image size with --size HxW`,
    );
  }

  const perChannel = (list: number[] | undefined, fill: number, flag: string): number[] => {
    if (!list) return new Array(channels).fill(fill);
    if (list.length === 1) return new Array(channels).fill(list[0]);
    if (list.length !== channels) {
      throw new CliError(
        `${flag} has ${list.length} values; ${name} takes ${channels} channel${channels === 1 ? '' : 's'} (give 1 or ${channels})`,
      );
    }
    return [...list];
  };
  const outDims = [height, width];
  if (layout === 'nchw') outDims.unshift(channels);
  else outDims.push(channels);
  if (rank === 4) outDims.unshift(1);
  return {
    input: input.name,
    layout,
    channels,
    height,
    width,
    dtype,
    dims: outDims,
    scale: options.scale ?? (dtype === 'uint8' ? 1 : 1 / 255),
    mean: perChannel(options.mean, 0, '--mean'),
    std: perChannel(options.std, 1, '--std'),
    channelOrder: options.channelOrder ?? 'rgb',
  };
}

/**
 * NCHW when the channel slot right after the batch holds 1 or 3, NHWC when the last one does;
 * when both do, the one holding 3 (a 1x1 colour image, [1, 3, 1, 1]); 1 and 1 or 3 and 3 stay
 * ambiguous.
 */
function inferLayout(dims: readonly (number | string)[], name: string, shape: string): 'nchw' | 'nhwc' {
  const first = dims[dims.length - 3];
  const last = dims[dims.length - 1];
  const looksC = (d: number | string) => d === 1 || d === 3;
  if (looksC(first) && (!looksC(last) || (first === 3 && last === 1))) return 'nchw';
  if (looksC(last) && (!looksC(first) || (last === 3 && first === 1))) return 'nhwc';
  const why = looksC(first) ? 'both could be channels' : 'neither holds 1 or 3 channels';
  throw new CliError(
    `cannot tell the layout of ${name} ${shape} (${why}); pass --layout nchw or --layout nhwc`,
  );
}

/** One line: "28x28 gray nchw, scale 1/255" plus mean, std and bgr when set. */
export function describePlan(plan: ImagePlan): string {
  const parts = [
    `${plan.height}x${plan.width} ${plan.channels === 1 ? 'grayscale' : plan.channelOrder} ${plan.layout} ${plan.dtype}`,
    `scale ${formatScale(plan.scale)}`,
  ];
  if (plan.mean.some((m) => m !== 0)) parts.push(`mean ${plan.mean.join(',')}`);
  if (plan.std.some((s) => s !== 1)) parts.push(`std ${plan.std.join(',')}`);
  return parts.join(', ');
}

/**
 * Bilinear resize of one channel plane (row-major, inH x inW) to outH x outW with half-pixel
 * centres and edge clamping (see the header comment for the exact rule).
 */
export function resizeBilinear(
  src: Float64Array,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
): Float64Array {
  const ys = axisTaps(inH, outH);
  const xs = axisTaps(inW, outW);
  const out = new Float64Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    const r0 = ys.i0[y] * inW;
    const r1 = ys.i1[y] * inW;
    const fy = ys.f[y];
    for (let x = 0; x < outW; x++) {
      const [c0, c1, fx] = [xs.i0[x], xs.i1[x], xs.f[x]];
      const top = src[r0 + c0] + (src[r0 + c1] - src[r0 + c0]) * fx;
      const bottom = src[r1 + c0] + (src[r1 + c1] - src[r1 + c0]) * fx;
      out[y * outW + x] = top + (bottom - top) * fy;
    }
  }
  return out;
}

/** For each output index: the two source indices and the weight of the second. */
function axisTaps(inN: number, outN: number): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(outN);
  const i1 = new Int32Array(outN);
  const f = new Float64Array(outN);
  const ratio = inN / outN;
  for (let d = 0; d < outN; d++) {
    const s = Math.min(Math.max((d + 0.5) * ratio - 0.5, 0), inN - 1);
    i0[d] = Math.floor(s);
    i1[d] = Math.min(i0[d] + 1, inN - 1);
    f[d] = s - i0[d];
  }
  return { i0, i1, f };
}

/** The input tensor for one decoded image (steps 1-4 of the header comment). */
export function imageToTensor(img: RgbImage, plan: ImagePlan): Tensor {
  const n = img.width * img.height;
  const planes: Float64Array[] = [];
  if (plan.channels === 1) {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const [r, g, b] = [img.data[i * 3], img.data[i * 3 + 1], img.data[i * 3 + 2]];
      y[i] = r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
    }
    planes.push(y);
  } else {
    const order = plan.channelOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
    for (const c of order) {
      const p = new Float64Array(n);
      for (let i = 0; i < n; i++) p[i] = img.data[i * 3 + c];
      planes.push(p);
    }
  }
  const { height: H, width: W, channels: C } = plan;
  const sized =
    img.height === H && img.width === W
      ? planes
      : planes.map((p) => resizeBilinear(p, img.height, img.width, H, W));

  const data = allocData(plan.dtype, C * H * W);
  const store = storer(plan.dtype, data);
  for (let c = 0; c < C; c++) {
    const p = sized[c];
    const [m, s] = [plan.mean[c], plan.std[c]];
    for (let i = 0; i < H * W; i++) {
      const v = (p[i] * plan.scale - m) / s;
      store(plan.layout === 'nchw' ? c * H * W + i : i * C + c, v);
    }
  }
  return { dtype: plan.dtype, dims: [...plan.dims], data };
}

function storer(dtype: DType, data: Tensor['data']): (i: number, v: number) => void {
  if (dtype === 'float16') {
    const d = data as Uint16Array;
    return (i, v) => {
      d[i] = numberToFloat16Bits(v);
    };
  }
  if (dtype === 'uint8') {
    const d = data as Uint8Array;
    // Math.round rounds .5 up: for the values that survive the clamp, half away from zero.
    return (i, v) => {
      d[i] = Math.min(255, Math.max(0, Math.round(v)));
    };
  }
  const d = data as Float32Array | Float64Array;
  return (i, v) => {
    d[i] = v;
  };
}

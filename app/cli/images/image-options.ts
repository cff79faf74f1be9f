// Image preprocessing options of `qplay calibrate --data DIR` and the parser for their flag
// text, so the command line and the loader agree on one meaning:
//   value = (pixel · scale − mean[c]) / std[c]
// with pixel the 0..255 sample after channel selection and resizing, and c counted in the order
// the channels are fed to the model (after --channel-order), as torchvision's Normalize does.
import { UsageError } from '../cli-errors.js';

export interface ImageOptions {
  /** Height and width fed to the model; default: the input's static H and W. */
  size?: [number, number];
  /** Where the channels are; default: inferred from the input's declared shape. */
  layout?: 'nchw' | 'nhwc';
  /** Subtracted after scaling; one value for every channel, or one per channel. Default 0. */
  mean?: number[];
  /** Divides after the mean; one value, or one per channel. Default 1. */
  std?: number[];
  /** Multiplies the 0..255 pixel values; default 1/255 (1 for a uint8 input). */
  scale?: number;
  /** Order of the three colour channels in the tensor; default rgb. */
  channelOrder?: 'rgb' | 'bgr';
}

/** The flags as typed on the command line (each undefined when absent). */
export interface ImageOptionFlags {
  size?: string;
  layout?: string;
  mean?: string;
  std?: string;
  scale?: string;
  channelOrder?: string;
}

/**
 * Parses the flag text: `--size 224x224` or `--size 224` (square), `--layout nchw|nhwc`,
 * `--mean 0.485,0.456,0.406`, `--std 0.229,0.224,0.225`, `--scale 1/255` or `--scale 0.5`,
 * `--channel-order rgb|bgr`. A malformed value is a UsageError naming the flag.
 */
export function parseImageOptions(flags: ImageOptionFlags): ImageOptions {
  const out: ImageOptions = {};
  if (flags.size !== undefined) out.size = parseSize(flags.size);
  if (flags.layout !== undefined) {
    const l = flags.layout.trim().toLowerCase();
    if (l !== 'nchw' && l !== 'nhwc')
      throw new UsageError(`--layout: expected nchw or nhwc, got '${flags.layout}'`);
    out.layout = l;
  }
  if (flags.mean !== undefined) out.mean = parseList(flags.mean, '--mean');
  if (flags.std !== undefined) out.std = parseList(flags.std, '--std');
  if (flags.scale !== undefined) out.scale = parseScale(flags.scale);
  if (flags.channelOrder !== undefined) {
    const c = flags.channelOrder.trim().toLowerCase();
    if (c !== 'rgb' && c !== 'bgr') {
      throw new UsageError(`--channel-order: expected rgb or bgr, got '${flags.channelOrder}'`);
    }
    out.channelOrder = c;
  }
  validateImageOptions(out, (m) => new UsageError(m));
  return out;
}

/** `HxW` (also `H,W` or `H*W`) or a single `N` for N x N. */
function parseSize(text: string): [number, number] {
  const parts = text
    .trim()
    .toLowerCase()
    .split(/\s*[x×,*]\s*/);
  const nums = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  if ((nums.length !== 1 && nums.length !== 2) || nums.some((n) => !(n >= 1 && n <= 65535))) {
    throw new UsageError(`--size: expected HxW or N (positive integers), got '${text}'`);
  }
  return nums.length === 1 ? [nums[0], nums[0]] : [nums[0], nums[1]];
}

function parseList(text: string, flag: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const nums = parts.map(parseNumber);
  if (parts.length === 0 || nums.some((n) => n === undefined)) {
    throw new UsageError(
      `${flag}: expected comma-separated numbers such as 0.485,0.456,0.406, got '${text}'`,
    );
  }
  return nums as number[];
}

/** A number, or a fraction `a/b` (so `1/255` is exact to the last bit of a double division). */
function parseScale(text: string): number {
  const t = text.trim();
  const frac = /^([^/]+)\/([^/]+)$/.exec(t);
  const v = frac
    ? (parseNumber(frac[1]) ?? Number.NaN) / (parseNumber(frac[2]) ?? Number.NaN)
    : (parseNumber(t) ?? Number.NaN);
  if (!Number.isFinite(v))
    throw new UsageError(`--scale: expected a number or a fraction such as 1/255, got '${text}'`);
  return v;
}

function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * The checks that do not need the model (the loader repeats them, since ImageOptions may come
 * from code, not flags): sizes positive integers, finite numbers, no zero std.
 */
export function validateImageOptions(o: ImageOptions, error: (message: string) => Error): void {
  if (o.size && (o.size.length !== 2 || o.size.some((n) => !Number.isInteger(n) || n < 1))) {
    throw error(`image size must be two positive integers, got ${JSON.stringify(o.size)}`);
  }
  if (o.layout !== undefined && o.layout !== 'nchw' && o.layout !== 'nhwc') {
    throw error(`image layout must be nchw or nhwc, got '${o.layout}'`);
  }
  if (o.channelOrder !== undefined && o.channelOrder !== 'rgb' && o.channelOrder !== 'bgr') {
    throw error(`channel order must be rgb or bgr, got '${o.channelOrder}'`);
  }
  for (const [flag, list] of [
    ['--mean', o.mean],
    ['--std', o.std],
  ] as const) {
    if (list === undefined) continue;
    if (list.length === 0 || list.some((v) => !Number.isFinite(v))) {
      throw error(`${flag} needs finite numbers, got [${list.join(', ')}]`);
    }
  }
  if (o.std?.some((v) => v === 0))
    throw error(`--std must not contain 0 (it divides), got [${o.std.join(', ')}]`);
  if (o.scale !== undefined && !Number.isFinite(o.scale))
    throw error(`--scale must be a finite number, got ${o.scale}`);
}

/** `1/255` when the scale is exactly that double, else the number. */
export function formatScale(scale: number): string {
  for (const d of [255, 256, 127.5, 128]) if (scale === 1 / d) return `1/${d}`;
  return String(scale);
}

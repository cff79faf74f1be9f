// Decodes PNG, JPEG and BMP files to 8-bit RGB for the calibration-data loader. The format is
// read from the file's first bytes (a .jpg saved as .png still loads); the extension only
// decides which files are images at all. PNG via pngjs (every bit depth, palettes, interlace;
// 16-bit samples are scaled to 8 bits), JPEG via jpeg-js (baseline and progressive, gray, RGB,
// CMYK), BMP by our own reader (bmp.ts). Alpha is dropped, not composited (PIL's convert('RGB')).
import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { CliError } from '../cli-errors.js';
import { decodeBmp } from './bmp.js';

/** Pixels as R, G, B bytes, row-major from the top-left corner. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.bmp'];

/** The format the bytes begin with, or undefined when it is none of the three. */
export function sniffImageFormat(bytes: Uint8Array): 'png' | 'jpeg' | 'bmp' | undefined {
  const starts = (sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts([0x42, 0x4d])) return 'bmp';
  return undefined;
}

/** Decodes an image file's bytes; every failure is a CliError naming `path`. */
export function decodeImage(bytes: Uint8Array, path: string): RgbImage {
  const format = sniffImageFormat(bytes);
  if (format === 'bmp') return decodeBmp(bytes, path);
  if (format === undefined) {
    throw new CliError(`image '${path}' is not a PNG, JPEG or BMP file (unrecognized first bytes)`);
  }
  let rgba: { width: number; height: number; data: Uint8Array };
  let channels: number;
  try {
    if (format === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      rgba = png;
      channels = 4;
    } else {
      rgba = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 100 });
      channels = 3;
    }
  } catch (e) {
    const why = String((e as Error)?.message ?? e)
      .replace(/\s+/g, ' ')
      .trim();
    throw new CliError(
      `image '${path}' is not a readable ${format.toUpperCase()} file: ${why || 'decoder failed'}`,
    );
  }
  const { width, height } = rgba;
  const n = width * height;
  if (!(n > 0) || rgba.data.length < n * channels) {
    throw new CliError(`image '${path}' is not a readable ${format.toUpperCase()} file: no pixel data`);
  }
  if (channels === 3) return { width, height, data: new Uint8Array(rgba.data.subarray(0, n * 3)) };
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    data[i * 3] = rgba.data[i * 4];
    data[i * 3 + 1] = rgba.data[i * 4 + 1];
    data[i * 3 + 2] = rgba.data[i * 4 + 2];
  }
  return { width, height, data };
}

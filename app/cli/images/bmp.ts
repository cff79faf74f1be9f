// A small Windows BMP reader for calibration images: uncompressed 8-bit (palette), 24-bit and
// 32-bit pixels (BI_RGB, or BI_BITFIELDS masks for 32-bit), any header from BITMAPCOREHEADER (12
// bytes) to BITMAPV5HEADER (124). Rows are bottom-up unless the height is negative, and each row
// is padded to a multiple of 4 bytes. Alpha is dropped, as everywhere in the image loader.
// Anything else (RLE, 1/4/16-bit, truncated files) is refused with one line naming the file.
import { CliError } from '../cli-errors.js';
import type { RgbImage } from './decode-image.js';

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

/** Decodes a BMP file's bytes into 8-bit RGB; `path` names the file in error messages. */
export function decodeBmp(bytes: Uint8Array, path: string): RgbImage {
  const fail = (why: string): never => {
    throw new CliError(`image '${path}' is not a readable BMP file: ${why}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) fail('no BM header');
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (![12, 40, 52, 56, 64, 108, 124].includes(headerSize)) fail(`unknown header size ${headerSize}`);
  if (14 + headerSize > bytes.byteLength) fail('truncated inside its header');

  let width: number;
  let rawHeight: number;
  let bpp: number;
  let compression = BI_RGB;
  let colorsUsed = 0;
  if (headerSize === 12) {
    // BITMAPCOREHEADER (OS/2 1.x): 16-bit unsigned sizes, 3-byte palette entries.
    width = view.getUint16(18, true);
    rawHeight = view.getUint16(20, true);
    bpp = view.getUint16(24, true);
  } else {
    width = view.getInt32(18, true);
    rawHeight = view.getInt32(22, true);
    bpp = view.getUint16(28, true);
    compression = view.getUint32(30, true);
    colorsUsed = view.getUint32(46, true);
  }
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) fail(`bad size ${width}x${rawHeight}`);
  if (width * height > 100_000_000) fail(`${width}x${height} is larger than 100 megapixels`);
  if (bpp !== 8 && bpp !== 24 && bpp !== 32) fail(`${bpp} bits per pixel is not supported (8, 24 or 32)`);
  const bitfields = compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS;
  if (compression !== BI_RGB && !(bitfields && bpp === 32)) {
    fail(`compression ${compression} with ${bpp} bits per pixel is not supported (uncompressed only)`);
  }

  // Channel masks: BI_RGB 32-bit is B, G, R, unused; BI_BITFIELDS gives them after the 40-byte
  // header (as a separate block for BITMAPINFOHEADER, inside the header for V2 and later).
  let masks = [0x00ff0000, 0x0000ff00, 0x000000ff];
  if (bitfields) {
    if (14 + 40 + 12 > bytes.byteLength) fail('truncated inside its colour masks');
    masks = [view.getUint32(54, true), view.getUint32(58, true), view.getUint32(62, true)];
    if (masks.some((m) => m === 0)) fail('a colour mask is zero');
  }

  let palette: Uint8Array | undefined;
  if (bpp === 8) {
    const entry = headerSize === 12 ? 3 : 4;
    if (colorsUsed > 256) fail(`${colorsUsed} palette entries (at most 256)`);
    // The palette follows the header, and the three masks when they are a separate block. It
    // holds colorsUsed entries (0: all 256), and never runs into the pixels: writers of the
    // core header, which has no colour count, store only the colours they use (as stb_image reads).
    const start = 14 + headerSize + (headerSize === 40 && bitfields ? 12 : 0);
    const count = Math.min(colorsUsed || 256, Math.floor((dataOffset - start) / entry));
    if (count <= 0) fail('8 bits per pixel without a palette');
    if (start + count * entry > bytes.byteLength) fail('truncated inside its palette');
    palette = new Uint8Array(256 * 3); // indices past `count` read black, as Windows does
    for (let i = 0; i < count; i++) {
      const p = start + i * entry; // stored B, G, R(, reserved)
      palette[i * 3] = bytes[p + 2];
      palette[i * 3 + 1] = bytes[p + 1];
      palette[i * 3 + 2] = bytes[p];
    }
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  // The last row needs only its pixels, not its padding (some writers drop the final pad).
  if (dataOffset + stride * (height - 1) + Math.ceil((bpp * width) / 8) > bytes.byteLength) {
    fail(
      `pixel data truncated (${bytes.byteLength} bytes, ${height} rows of ${stride} from offset ${dataOffset})`,
    );
  }
  const shifts = masks.map(maskShift);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (palette) {
        const k = bytes[row + x] * 3;
        data[o] = palette[k];
        data[o + 1] = palette[k + 1];
        data[o + 2] = palette[k + 2];
      } else if (bpp === 24) {
        const p = row + x * 3;
        data[o] = bytes[p + 2];
        data[o + 1] = bytes[p + 1];
        data[o + 2] = bytes[p];
      } else {
        const v = view.getUint32(row + x * 4, true);
        for (let c = 0; c < 3; c++) data[o + c] = extract(v, masks[c], shifts[c]);
      }
    }
  }
  return { width, height, data };
}

function maskShift(mask: number): number {
  let s = 0;
  while (s < 32 && ((mask >>> s) & 1) === 0) s++;
  return s;
}

/** A masked channel scaled to 0..255 (a 5-bit 31 is 255, an 8-bit value stays itself). */
function extract(v: number, mask: number, shift: number): number {
  const max = mask >>> shift;
  return Math.round((((v & mask) >>> shift) * 255) / max);
}

// Images for `qplay calibrate --data DIR`: exact pixels of hand-made PNG and BMP files (the BMPs
// written byte by byte here, independent of the reader), real PNG/JPEG/BMP fixtures, and the
// preprocessing arithmetic: scale/mean/std, bgr, layouts, grayscale luma, dtypes, and the
// bilinear resize against hand-computed values and an exact property on random ramps.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { float16BitsToNumber, type Tensor } from '../../kernels/tensor.js';
import { loadCalibrationData, parseImageOptions, type ImageOptions } from '../../app/cli/calibration-data.js';
import { CliError, UsageError } from '../../app/cli/cli-errors.js';
import { decodeImage } from '../../app/cli/images/decode-image.js';
import { resizeBilinear } from '../../app/cli/images/preprocess.js';
import type { Dim, Model, ValueInfo } from '../../app/model/ir.js';

const images = join(import.meta.dirname, '../fixtures/images');
const root = mkdtempSync(join(tmpdir(), 'qplay-calibration-images-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirCount = 0;

function modelWith(dims: Dim[], dtype: ValueInfo['dtype'] = 'float32'): Model {
  const inputs = [{ name: 'img', dtype, dims }];
  return {
    irVersion: 8,
    producerName: 'test',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    opsets: [{ domain: '', version: 17 }],
    metadata: {},
    graph: { name: 'g', nodes: [], inputs, outputs: [], initializers: new Map(), valueInfo: new Map() },
  };
}

/** Loads one image file through the whole pipeline and returns the tensor and description. */
function load(
  file: string,
  bytes: Uint8Array,
  dims: Dim[],
  options?: ImageOptions,
  dtype?: ValueInfo['dtype'],
) {
  const dir = join(root, `d${dirCount++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, file), bytes);
  const { samples, description } = loadCalibrationData(modelWith(dims, dtype), dir, options);
  expect(samples.length).toBe(1);
  return { t: samples[0].feeds.get('img')!, description };
}
const values = (t: Tensor) => Array.from(t.data as Float32Array);

/** An RGB PNG from [r, g, b] triples, row-major. */
function rgbPng(w: number, h: number, px: number[][]): Uint8Array {
  const png = new PNG({ width: w, height: h });
  for (const [i, [r, g, b]] of px.entries()) png.data.set([r, g, b, 255], i * 4);
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}

// 2x2 RGB: top-left red-ish, top-right green-ish, bottom-left blue-ish, bottom-right gray.
const PX = [
  [200, 10, 20],
  [30, 180, 40],
  [50, 60, 250],
  [77, 77, 77],
];

describe('PNG pixels through the pipeline (scale 1: the values are the bytes)', () => {
  it('nchw rgb: planes R, G, B, row-major', () => {
    const { t } = load('a.png', rgbPng(2, 2, PX), [1, 3, 2, 2], { scale: 1 });
    expect(t.dims).toEqual([1, 3, 2, 2]);
    expect(values(t)).toEqual([200, 30, 50, 77, 10, 180, 60, 77, 20, 40, 250, 77]);
  });

  it('nhwc rgb: pixels interleaved, layout inferred from a trailing 3', () => {
    const { t, description } = load('a.png', rgbPng(2, 2, PX), [1, 2, 2, 3], { scale: 1 });
    expect(t.dims).toEqual([1, 2, 2, 3]);
    expect(values(t)).toEqual(PX.flat());
    expect(description).toMatch(/: 2x2 rgb nhwc float32, scale 1$/);
  });

  it('bgr swaps the first and last channels; rank-3 inputs get no batch dim', () => {
    const { t, description } = load('a.png', rgbPng(2, 2, PX), [2, 2, 3], { scale: 1, channelOrder: 'bgr' });
    expect(t.dims).toEqual([2, 2, 3]);
    expect(values(t)).toEqual(PX.flatMap(([r, g, b]) => [b, g, r]));
    expect(description).toMatch(/2x2 bgr nhwc/);
  });

  it('scale, then mean, then std, per channel (hand-computed)', () => {
    const { t, description } = load('a.png', rgbPng(2, 2, PX), [1, 3, 2, 2], {
      scale: 0.5,
      mean: [10, 20, 30],
      std: [2, 4, 0.5],
    });
    // R: (v/2 - 10)/2; G: (v/2 - 20)/4; B: (v/2 - 30)/0.5
    expect(values(t)).toEqual([45, 2.5, 7.5, 14.25, -3.75, 17.5, 2.5, 4.625, -40, -20, 190, 17]);
    expect(description).toMatch(/scale 0\.5, mean 10,20,30, std 2,4,0\.5$/);
  });

  it('the default scale 1/255 with ImageNet mean/std rounds once, to float32', () => {
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const { t } = load('a.png', rgbPng(2, 2, PX), [1, 3, 2, 2], { mean, std });
    const want = [0, 1, 2].flatMap((c) => PX.map((p) => Math.fround((p[c] * (1 / 255) - mean[c]) / std[c])));
    expect(values(t)).toEqual(want);
    expect(values(t)[0]).toBeCloseTo((200 / 255 - 0.485) / 0.229, 6); // 1.3074...
  });

  it('grayscale models get BT.601 luma, exact for gray pixels; gray images fill 3 channels', () => {
    const { t } = load('a.png', rgbPng(2, 2, PX), [1, 1, 2, 2], { scale: 1 });
    // 0.299 R + 0.587 G + 0.114 B by hand: 59.8 + 5.87 + 2.28; 8.97 + 105.66 + 4.56; 14.95 + 35.22 + 28.5
    expect(values(t)).toEqual([67.95, 119.19, 78.67, 77].map(Math.fround));
    const png = new PNG({ width: 1, height: 2 });
    png.data.set([9, 9, 9, 255, 250, 250, 250, 255]);
    const gray = new Uint8Array(PNG.sync.write(png, { colorType: 0 }));
    expect(values(load('g.png', gray, [1, 3, 2, 1], { scale: 1, layout: 'nchw' }).t)).toEqual([
      9, 250, 9, 250, 9, 250,
    ]);
  });

  it('uint8 inputs take the bytes (default scale 1), rounded and clamped after mean/std', () => {
    const { t } = load('a.png', rgbPng(2, 2, PX), [1, 2, 2, 3], undefined, 'uint8');
    expect(t.dtype).toBe('uint8');
    expect(Array.from(t.data as Uint8Array)).toEqual(PX.flat());
    const shifted = load('a.png', rgbPng(2, 2, PX), [1, 2, 2, 3], { mean: [60.5] }, 'uint8').t;
    expect(Array.from(shifted.data as Uint8Array)).toEqual(
      PX.flat().map((v) => Math.min(255, Math.max(0, Math.round(v - 60.5)))),
    );
  });

  it('float16 and float64 inputs', () => {
    const h = load('a.png', rgbPng(2, 2, PX), [1, 2, 2, 3], undefined, 'float16').t;
    expect(h.dtype).toBe('float16');
    expect(Array.from(h.data as Uint16Array, float16BitsToNumber)[0]).toBeCloseTo(200 / 255, 3);
    const d = load('a.png', rgbPng(2, 2, PX), [1, 2, 2, 3], undefined, 'float64').t;
    expect((d.data as Float64Array)[0]).toBe(200 * (1 / 255));
  });

  it('alpha is dropped', () => {
    const png = new PNG({ width: 1, height: 1 });
    png.data.set([10, 20, 30, 0]);
    const bytes = new Uint8Array(PNG.sync.write(png, { colorType: 6 }));
    expect(values(load('a.png', bytes, [1, 3, 1, 1], { scale: 1 }).t)).toEqual([10, 20, 30]);
  });
});

describe('input shape rules', () => {
  const png = rgbPng(2, 2, PX);
  it('layout and size from the declared dims; symbolic ones need --layout / --size', () => {
    expect(load('a.png', png, ['N', 3, 'H', 'W'], { size: [2, 2] }).t.dims).toEqual([1, 3, 2, 2]);
    expect(load('a.png', png, [1, 'H', 'W', 3], { size: [3, 1] }).t.dims).toEqual([1, 3, 1, 3]);
    expect(load('a.png', png, [1, 'c', 4, 4], { layout: 'nchw' }).t.dims).toEqual([1, 3, 4, 4]);
    const err = (dims: Dim[], options?: ImageOptions, dtype?: ValueInfo['dtype']) => {
      try {
        load('a.png', png, dims, options, dtype);
      } catch (e) {
        expect(e).toBeInstanceOf(CliError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(err([1, 3, 'H', 'W'])).toBe(
      "input 'img' has shape [1, 3, H, W] with no fixed height and width; give the image size with --size HxW",
    );
    expect(err([1, 3, 8, 3])).toBe(
      "cannot tell the layout of input 'img' [1, 3, 8, 3] (both could be channels); pass --layout nchw or --layout nhwc",
    );
    expect(err([1, 1, 8, 1])).toMatch(/\(both could be channels\)/);
    expect(load('a.png', png, [1, 3, 2, 1]).t.dims).toEqual([1, 3, 2, 1]); // the 3 wins
    expect(load('a.png', png, [1, 1, 2, 3]).t.dims).toEqual([1, 1, 2, 3]);
    expect(err([1, 8, 8, 8])).toMatch(/neither holds 1 or 3 channels/);
    expect(err([1, 8, 8, 8], { layout: 'nhwc' })).toMatch(
      /8 channels in nhwc layout; images give 1 \(gray\) or 3/,
    );
    expect(err([2, 3, 2, 2])).toMatch(/a batch of 2; an image is one sample/);
    expect(err([3, 2])).toMatch(/images need a rank-4 input/);
    expect(err([1, 3, 2, 2], undefined, 'int64')).toBe(
      "input 'img' is int64; images can feed float32, float16, float64 or uint8 inputs",
    );
  });
});

describe('bilinear resize (half-pixel centres, edge clamp)', () => {
  it('2x2 -> 4x4 matches hand-computed values, alone and through the pipeline', () => {
    // Output d samples s = (d + 0.5)/2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamp 0, 0.25, 0.75, 1.
    const want = [
      [0, 25, 75, 100],
      [50, 72.1875, 116.5625, 138.75],
      [150, 166.5625, 199.6875, 216.25],
      [200, 213.75, 241.25, 255],
    ].flat();
    expect(Array.from(resizeBilinear(Float64Array.from([0, 100, 200, 255]), 2, 2, 4, 4))).toEqual(want);
    const png = rgbPng(
      2,
      2,
      [0, 100, 200, 255].map((v) => [v, v, v]),
    );
    expect(values(load('a.png', png, [1, 1, 4, 4], { scale: 1 }).t)).toEqual(want);
  });

  it('4x4 -> 2x2 averages 2x2 blocks; 1x3 -> 1x2 by hand; same size is the identity', () => {
    const src = Float64Array.from({ length: 16 }, (_, i) => i * i);
    const block = (r: number, c: number) =>
      (src[r * 4 + c] + src[r * 4 + c + 1] + src[r * 4 + c + 4] + src[r * 4 + c + 5]) / 4;
    expect(Array.from(resizeBilinear(src, 4, 4, 2, 2))).toEqual([
      block(0, 0),
      block(0, 2),
      block(2, 0),
      block(2, 2),
    ]);
    // s = (d + 0.5)·1.5 - 0.5 = 0.25, 1.75: 0 + 0.25·10 = 2.5, 10 + 0.75·30 = 32.5
    expect(Array.from(resizeBilinear(Float64Array.from([0, 10, 40]), 1, 3, 1, 2))).toEqual([2.5, 32.5]);
    expect(Array.from(resizeBilinear(src, 4, 4, 4, 4))).toEqual(Array.from(src));
  });

  it('random sizes: a ramp a·x + b·y + c is reproduced at every clamped source coordinate', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 200; trial++) {
      const [inH, inW, outH, outW] = [0, 0, 0, 0].map(() => 1 + Math.floor(rand() * 9));
      const [a, b, c] = [rand() * 10 - 5, rand() * 10 - 5, rand() * 100];
      const src = new Float64Array(inH * inW);
      for (let y = 0; y < inH; y++) for (let x = 0; x < inW; x++) src[y * inW + x] = a * x + b * y + c;
      const out = resizeBilinear(src, inH, inW, outH, outW);
      const coord = (d: number, n: number, o: number) =>
        Math.min(Math.max((d + 0.5) * (n / o) - 0.5, 0), n - 1);
      for (let y = 0; y < outH; y++) {
        for (let x = 0; x < outW; x++) {
          const want = a * coord(x, inW, outW) + b * coord(y, inH, outH) + c;
          expect(Math.abs(out[y * outW + x] - want)).toBeLessThan(1e-9);
        }
      }
    }
  });

  it('burger.jpg squeezed to 224x224 stays within 1.5 levels (mean) of the reference burger-224.png', () => {
    const bytes = new Uint8Array(readFileSync(join(images, 'burger.jpg')));
    const { t, description } = load('burger.jpg', bytes, [1, 224, 224, 3], { scale: 1 });
    expect(description).toMatch(/: 224x224 rgb nhwc float32, scale 1$/);
    const ref = decodeImage(new Uint8Array(readFileSync(join(images, 'burger-224.png'))), 'ref');
    expect([ref.width, ref.height]).toEqual([224, 224]);
    let sum = 0;
    for (let i = 0; i < ref.data.length; i++) sum += Math.abs((t.data[i] as number) - ref.data[i]);
    // Nearest-neighbour sampling at the same half-pixel centres measures 3.1 here.
    expect(sum / ref.data.length).toBeLessThan(1.5);
  });
});

describe('JPEG', () => {
  it('burger.jpg decodes to 480x325 RGB', () => {
    const img = decodeImage(new Uint8Array(readFileSync(join(images, 'burger.jpg'))), 'burger.jpg');
    expect([img.width, img.height, img.data.length]).toEqual([480, 325, 480 * 325 * 3]);
  });

  it('two flat 16x16 blocks (quality 100, one colour per MCU) come back within 2 levels', () => {
    const [W, H] = [32, 16];
    const A = [200, 40, 90];
    const B = [10, 220, 130];
    const data = new Uint8Array(W * H * 4);
    for (let i = 0; i < W * H; i++) data.set([...(i % W < 16 ? A : B), 255], i * 4);
    const jpg = new Uint8Array(encodeJpeg({ width: W, height: H, data }, 100).data);
    const v = values(load('x.jpeg', jpg, [1, H, W, 3], { scale: 1 }).t);
    for (let i = 0; i < W * H; i++) {
      const want = i % W < 16 ? A : B;
      for (let c = 0; c < 3; c++) expect(Math.abs(v[i * 3 + c] - want[c])).toBeLessThanOrEqual(2);
    }
  });
});

interface BmpSpec {
  width: number;
  height: number;
  bpp: number;
  topDown?: boolean;
  header?: 12 | 40 | 124;
  compression?: number;
  masks?: [number, number, number];
  palette?: number[][]; // [r, g, b]
  rows: number[][]; // top row first: palette indices (8-bit) or 32-bit words / [r,g,b] flattened
}

/** Writes a BMP byte by byte from the format description (rows padded with 0xEE garbage). */
function bmp(s: BmpSpec): Uint8Array {
  const header = s.header ?? 40;
  const bitfieldBlock = header === 40 && s.masks ? 12 : 0;
  const entry = header === 12 ? 3 : 4;
  const paletteBytes = (s.palette?.length ?? 0) * entry;
  const stride = Math.ceil((s.width * s.bpp) / 32) * 4;
  const offset = 14 + header + bitfieldBlock + paletteBytes;
  const out = new Uint8Array(offset + stride * s.height).fill(0xee);
  const v = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  v.setUint32(2, out.length, true);
  v.setUint32(6, 0, true);
  v.setUint32(10, offset, true);
  v.setUint32(14, header, true);
  if (header === 12) {
    v.setUint16(18, s.width, true);
    v.setUint16(20, s.height, true);
    v.setUint16(22, 1, true);
    v.setUint16(24, s.bpp, true);
  } else {
    out.fill(0, 18, 14 + header);
    v.setInt32(18, s.width, true);
    v.setInt32(22, s.topDown ? -s.height : s.height, true);
    v.setUint16(26, 1, true);
    v.setUint16(28, s.bpp, true);
    v.setUint32(30, s.compression ?? (s.masks ? 3 : 0), true);
    v.setUint32(46, s.palette?.length ?? 0, true);
    for (const [i, m] of (s.masks ?? []).entries()) v.setUint32(54 + i * 4, m, true);
  }
  for (const [i, [r, g, b]] of (s.palette ?? []).entries()) {
    out.set(entry === 3 ? [b, g, r] : [b, g, r, 0], 14 + header + bitfieldBlock + i * entry);
  }
  for (const [y, row] of s.rows.entries()) {
    const start = offset + (s.topDown ? y : s.height - 1 - y) * stride;
    for (let x = 0; x < s.width; x++) {
      if (s.bpp === 32) v.setUint32(start + x * 4, row[x] >>> 0, true);
      else if (s.bpp === 24) out.set([row[x * 3 + 2], row[x * 3 + 1], row[x * 3]], start + x * 3);
      else out[start + x] = row[x];
    }
  }
  return out;
}

const pixelsOf = (bytes: Uint8Array) => {
  const img = decodeImage(bytes, 'x.bmp');
  return [img.width, img.height, Array.from(img.data)];
};

describe('BMP', () => {
  const RGB6 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]; // 3x2 pixels

  it('8-bit palette, bottom-up, width 3 (one pad byte per row), 4 colours used', () => {
    const palette = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [9, 99, 199],
    ];
    const bytes = bmp({
      width: 3,
      height: 2,
      bpp: 8,
      palette,
      rows: [
        [0, 1, 2],
        [3, 3, 0],
      ],
    });
    expect(pixelsOf(bytes)).toEqual([
      3,
      2,
      [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 99, 199, 9, 99, 199, 255, 0, 0],
    ]);
  });

  it('24-bit bottom-up and top-down (three pad bytes per row), and the 12-byte core header', () => {
    const rows = [RGB6.slice(0, 9), RGB6.slice(9)];
    expect(pixelsOf(bmp({ width: 3, height: 2, bpp: 24, rows }))).toEqual([3, 2, RGB6]);
    expect(pixelsOf(bmp({ width: 3, height: 2, bpp: 24, rows, topDown: true }))).toEqual([3, 2, RGB6]);
    expect(pixelsOf(bmp({ width: 3, height: 2, bpp: 24, rows, header: 12 }))).toEqual([3, 2, RGB6]);
    const core8 = bmp({
      width: 2,
      height: 1,
      bpp: 8,
      header: 12,
      palette: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      rows: [[1, 0]],
    });
    expect(pixelsOf(core8)).toEqual([2, 1, [4, 5, 6, 1, 2, 3]]);
  });

  it('32-bit: BGRX (alpha byte ignored), and BI_BITFIELDS masks in RGBA byte order (40- and 124-byte headers)', () => {
    const bgrx = [0x7f030201, 0x7f060504]; // B=1 G=2 R=3, B=4 G=5 R=6
    expect(pixelsOf(bmp({ width: 2, height: 1, bpp: 32, rows: [bgrx] }))).toEqual([2, 1, [3, 2, 1, 6, 5, 4]]);
    const masks: [number, number, number] = [0x000000ff, 0x0000ff00, 0x00ff0000];
    const rgba = [0xff030201, 0x80060504]; // R=1 G=2 B=3, R=4 G=5 B=6
    for (const header of [40, 124] as const) {
      expect(pixelsOf(bmp({ width: 2, height: 1, bpp: 32, masks, header, rows: [rgba] }))).toEqual([
        2,
        1,
        [1, 2, 3, 4, 5, 6],
      ]);
    }
  });

  it('the real 96x96 person-detection BMP: 8-bit gray palette, bottom-up', () => {
    const raw = new Uint8Array(readFileSync(join(images, 'person-96x96-gray.bmp')));
    const img = decodeImage(raw, 'person');
    expect([img.width, img.height]).toEqual([96, 96]);
    const offset = new DataView(raw.buffer).getUint32(10, true); // 1078: 54 + 256 palette entries
    for (const [x, y] of [
      [0, 0],
      [95, 0],
      [0, 95],
      [40, 57],
    ]) {
      const byte = raw[offset + (95 - y) * 96 + x]; // the palette is the identity gray ramp
      expect(Array.from(img.data.subarray((y * 96 + x) * 3, (y * 96 + x) * 3 + 3))).toEqual([
        byte,
        byte,
        byte,
      ]);
    }
    const { t } = load('p.bmp', raw, [1, 96, 96, 1], { scale: 1 });
    expect(values(t)[0]).toBe(img.data[0]);
  });

  it('refuses compressed, 16-bit, truncated and malformed files, naming the file', () => {
    const base = {
      width: 2,
      height: 2,
      bpp: 24,
      rows: [
        [1, 2, 3, 4, 5, 6],
        [1, 2, 3, 4, 5, 6],
      ],
    };
    const cases: Array<[Uint8Array, RegExp]> = [
      [
        bmp({
          ...base,
          bpp: 8,
          compression: 1,
          palette: [[0, 0, 0]],
          rows: [
            [0, 0],
            [0, 0],
          ],
        }),
        /compression 1 with 8 bits per pixel is not supported/,
      ],
      [bmp({ ...base, bpp: 16, rows: [] }), /16 bits per pixel is not supported \(8, 24 or 32\)/],
      [bmp(base).subarray(0, 60), /pixel data truncated/],
      [bmp(base).subarray(0, 30), /truncated inside its header/],
      [
        (() => {
          const b = bmp(base);
          b[14] = 41;
          return b;
        })(),
        /unknown header size 41/,
      ],
      [
        (() => {
          const b = bmp(base);
          b.fill(0, 18, 22);
          return b;
        })(),
        /bad size 0x2/,
      ],
    ];
    for (const [bytes, message] of cases) {
      expect(() => decodeImage(bytes, 'dir/x.bmp')).toThrow(CliError);
      expect(() => decodeImage(bytes, 'dir/x.bmp')).toThrow(
        new RegExp(`^image 'dir/x\\.bmp' is not a readable BMP file: ${message.source}`),
      );
    }
  });
});

describe('parseImageOptions (the flag text)', () => {
  it('parses sizes, lists, fractions, layouts and channel orders', () => {
    expect(parseImageOptions({ size: '224' }).size).toEqual([224, 224]);
    expect(parseImageOptions({ size: '32x48' }).size).toEqual([32, 48]);
    expect(parseImageOptions({ scale: '1/255' }).scale).toBe(1 / 255);
    expect(parseImageOptions({ scale: '0.0078125' }).scale).toBe(0.0078125);
    expect(parseImageOptions({ mean: '0.485, 0.456,0.406', std: '58.4' })).toEqual({
      mean: [0.485, 0.456, 0.406],
      std: [58.4],
    });
    expect(parseImageOptions({ layout: 'NHWC', channelOrder: 'BGR' })).toEqual({
      layout: 'nhwc',
      channelOrder: 'bgr',
    });
    expect(parseImageOptions({})).toEqual({});
  });
  it.each([
    [{ size: '0x3' }, /--size: expected HxW or N/],
    [{ size: '3x4x5' }, /--size/],
    [{ size: 'axb' }, /--size/],
    [{ mean: '1,,2' }, /--mean: expected comma-separated numbers/],
    [{ std: '1,0,1' }, /--std must not contain 0/],
    [{ scale: '1/0' }, /--scale: expected a number or a fraction/],
    [{ scale: 'abc' }, /--scale/],
    [{ layout: 'chw' }, /--layout: expected nchw or nhwc, got 'chw'/],
    [{ channelOrder: 'rgba' }, /--channel-order: expected rgb or bgr/],
  ])('refuses %o', (flags, message) => {
    expect(() => parseImageOptions(flags)).toThrow(UsageError);
    expect(() => parseImageOptions(flags)).toThrow(message);
  });
});

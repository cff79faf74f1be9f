// The calibration-data reader of `qplay calibrate --data DIR`: the three layouts (ONNX test-data
// subdirectories, flat .pb/.npy files, images), their order, pairing with model inputs, the
// declared-type checks, and each error a user can cause (one CliError line naming the file).
// Image decoding and preprocessing arithmetic are in calibration-data-images.test.ts.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { loadCalibrationData, naturalCompare, type ImageOptions } from '../../app/cli/calibration-data.js';
import { CliError } from '../../app/cli/cli-errors.js';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import type { Dim, Model, ValueInfo } from '../../app/model/ir.js';
import { decodeTensorFile, encodeTensorFile } from '../../app/model/tensor-proto.js';

const fixtures = join(import.meta.dirname, '../fixtures');
const mnistData = join(fixtures, 'models/mnist-8.test_data');
const images = join(fixtures, 'images');
const mnist = decodeModel(new Uint8Array(readFileSync(join(fixtures, 'models/mnist-8.onnx'))));

const root = mkdtempSync(join(tmpdir(), 'qplay-calibration-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirCount = 0;

/** A fresh directory with the given files (path relative to it -> bytes; '/' makes subdirs). */
function makeDir(files: Record<string, Uint8Array | string>): string {
  const dir = join(root, `d${dirCount++}`);
  mkdirSync(dir);
  for (const [rel, bytes] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, bytes);
  }
  return dir;
}

/** Only graph.inputs matters to the loader, so a model is its list of inputs. */
function modelWith(inputs: ValueInfo[]): Model {
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
const input = (name: string, dims: Dim[], dtype: ValueInfo['dtype'] = 'float32'): ValueInfo => ({
  name,
  dtype,
  dims,
});

const f32 = (dims: number[], values: number[]) => makeTensor('float32', dims, values);
const pb = (t: Tensor, name = '') => encodeTensorFile(t, name);

/** A version-1 .npy file of float32 (the format spec, numpy/lib/format.py). */
function npy(dims: number[], values: number[]): Uint8Array {
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - 11, ' ')}\n`;
  const out = new Uint8Array(total + values.length * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(new Float32Array(values).buffer), total);
  return out;
}

function grayPng(w: number, h: number, values: number[]): Uint8Array {
  const png = new PNG({ width: w, height: h });
  for (const [i, v] of values.entries()) png.data.set([v, v, v, 255], i * 4);
  return new Uint8Array(PNG.sync.write(png, { colorType: 0 }));
}

/** The CliError message of a failing call (and that it is a CliError, one line). */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    const m = (e as Error).message;
    expect(m).not.toContain('\n');
    return m;
  }
  throw new Error('expected an error');
}

describe('layout (a): one sample per subdirectory (ONNX test-data layout)', () => {
  it('reads the mnist-8 test data: three sets, input_0.pb each, output_0.pb ignored', () => {
    const { samples, description } = loadCalibrationData(mnist, mnistData);
    expect(samples.map((s) => s.id)).toEqual(['test_data_set_0', 'test_data_set_1', 'test_data_set_2']);
    expect(description).toBe(`3 samples from ${mnistData} (ONNX test-data layout)`);
    for (const s of samples) {
      expect([...s.feeds.keys()]).toEqual(['Input3']);
      const want = decodeTensorFile(new Uint8Array(readFileSync(join(mnistData, s.id, 'input_0.pb')))).tensor;
      const got = s.feeds.get('Input3')!;
      expect(got.dtype).toBe('float32');
      expect(got.dims).toEqual([1, 1, 28, 28]);
      expect(Array.from(got.data as Float32Array)).toEqual(Array.from(want.data as Float32Array));
    }
  });

  it('orders subdirectories naturally: set_2 before set_10', () => {
    const model = modelWith([input('x', [1])]);
    const files: Record<string, Uint8Array> = {};
    for (const k of [10, 2, 1, 0, 11]) files[`set_${k}/input_0.pb`] = pb(f32([1], [k]));
    const { samples } = loadCalibrationData(model, makeDir(files));
    expect(samples.map((s) => s.id)).toEqual(['set_0', 'set_1', 'set_2', 'set_10', 'set_11']);
    expect(samples.map((s) => (s.feeds.get('x')!.data as Float32Array)[0])).toEqual([0, 1, 2, 10, 11]);
  });

  it('pairs a 2-input model: named tensors by name, unnamed by position, .npy accepted', () => {
    const model = modelWith([input('a', [2]), input('b', ['n', 3])]);
    const dir = makeDir({
      's0/input_0.pb': pb(f32([2], [1, 2])),
      's0/input_1.npy': npy(
        [4, 3],
        Array.from({ length: 12 }, (_, i) => i),
      ), // symbolic n = 4
      's1/input_0.pb': pb(f32([1, 3], [7, 8, 9]), 'b'), // named 'b': goes to b despite input_0
      's1/input_1.pb': pb(f32([2], [5, 6])),
      's1/output_0.pb': pb(f32([1], [0])),
      's1/.hidden': 'ignored',
    });
    const { samples } = loadCalibrationData(model, dir);
    expect(samples.map((s) => [...s.feeds.keys()])).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(samples[0].feeds.get('b')!.dims).toEqual([4, 3]);
    expect(Array.from(samples[1].feeds.get('a')!.data as Float32Array)).toEqual([5, 6]);
    expect(Array.from(samples[1].feeds.get('b')!.data as Float32Array)).toEqual([7, 8, 9]);
  });

  it('refuses incomplete or odd sample directories', () => {
    const two = modelWith([input('a', [1]), input('b', [1])]);
    const one = pb(f32([1], [1]));
    let dir = makeDir({ 's0/input_0.pb': one, 's0/input_1.pb': one, 's1/input_0.pb': one });
    expect(errorOf(() => loadCalibrationData(two, dir))).toBe(
      `'${join(dir, 's1')}' has no input_1.pb; the model has 2 inputs (a, b)`,
    );
    dir = makeDir({ 's0/input_0.pb': one, 's0/input_1.pb': one, 's0/input_2.pb': one });
    expect(errorOf(() => loadCalibrationData(two, dir))).toMatch(
      /input_2\.pb': the model has 2 inputs \(a, b\), so input_0 to input_1 only$/,
    );
    dir = makeDir({ 's0/input_0.pb': one, 's0/input_0.npy': npy([1], [1]), 's0/input_1.pb': one });
    expect(errorOf(() => loadCalibrationData(two, dir))).toMatch(/holds input 0 twice/);
    dir = makeDir({ 's0/input_0.pb': one, 's0/input_1.pb': one, 's0/notes.csv': 'x' });
    expect(errorOf(() => loadCalibrationData(two, dir))).toMatch(
      /^unexpected file '.*notes\.csv': a sample directory holds input_<i>\.pb/,
    );
    dir = makeDir({ 's0/input_0.pb': one, 's0/input_1.pb': one, 's0/deeper/input_0.pb': one });
    expect(errorOf(() => loadCalibrationData(two, dir))).toMatch(/^unexpected subdirectory '.*deeper'/);
  });

  it('checks dtype and static dims against the declared input, naming the file and the input', () => {
    const model = modelWith([input('x', ['batch', 3, 2])]);
    let dir = makeDir({ 'k/input_0.pb': pb(f32([1, 3, 3], Array(9).fill(0))) });
    expect(errorOf(() => loadCalibrationData(model, dir))).toBe(
      `'${join(dir, 'k/input_0.pb')}' has shape [1, 3, 3]; input 'x' expects [batch, 3, 2]`,
    );
    dir = makeDir({ 'k/input_0.pb': pb(makeTensor('int32', [1, 3, 2])) });
    expect(errorOf(() => loadCalibrationData(model, dir))).toBe(
      `'${join(dir, 'k/input_0.pb')}' holds int32; input 'x' expects float32`,
    );
    dir = makeDir({ 'k/input_0.pb': pb(f32([3, 2], Array(6).fill(0))) });
    expect(errorOf(() => loadCalibrationData(model, dir))).toMatch(
      /has shape \[3, 2\]; input 'x' expects \[batch, 3, 2\]$/,
    );
    dir = makeDir({ 'k/input_0.pb': pb(f32([1, 3, 2], Array(6).fill(0)), 'y') });
    expect(errorOf(() => loadCalibrationData(model, dir))).toMatch(
      /holds a tensor named 'y'; the model has no input of that name/,
    );
    // symbolic: any batch passes
    dir = makeDir({ 'k/input_0.pb': pb(f32([5, 3, 2], Array(30).fill(0))) });
    expect(loadCalibrationData(model, dir).samples[0].feeds.get('x')!.dims).toEqual([5, 3, 2]);
  });
});

describe('layout (b): .pb / .npy files directly in DIR', () => {
  it('one sample per file in natural order; output_<i>.pb and notes skipped', () => {
    const model = modelWith([input('x', [1, 2])]);
    const dir = makeDir({
      's10.npy': npy([1, 2], [10, 10]),
      's9.pb': pb(f32([1, 2], [9, 9])),
      's1.pb': pb(f32([1, 2], [1, 1]), 'x'),
      'output_0.pb': pb(f32([1], [0])),
      'README.md': '# notes',
      'model.onnx': 'skipped',
    });
    const { samples, description } = loadCalibrationData(model, dir);
    expect(samples.map((s) => s.id)).toEqual(['s1.pb', 's9.pb', 's10.npy']);
    expect(samples.map((s) => (s.feeds.get('x')!.data as Float32Array)[0])).toEqual([1, 9, 10]);
    expect(description).toBe(`3 samples from ${dir} (.pb/.npy files)`);
  });

  it('a single test_data_set directory reads as one sample', () => {
    const { samples } = loadCalibrationData(mnist, join(mnistData, 'test_data_set_1'));
    expect(samples.map((s) => s.id)).toEqual(['input_0.pb']);
  });

  it('refuses multi-input models, corrupt files and image options', () => {
    const two = modelWith([input('a', [1]), input('b', [1])]);
    let dir = makeDir({ 'x.pb': pb(f32([1], [1])) });
    expect(errorOf(() => loadCalibrationData(two, dir))).toMatch(
      /holds tensor files directly .* this model has 2 inputs \(a, b\): put each sample in its own subdirectory/,
    );
    const one = modelWith([input('x', [1])]);
    dir = makeDir({ 'bad.npy': new Uint8Array([1, 2, 3]) });
    expect(errorOf(() => loadCalibrationData(one, dir))).toMatch(/bad\.npy' is not a \.npy file/);
    dir = makeDir({ 'bad.pb': new Uint8Array([0xff, 0xff, 0xff]) });
    expect(errorOf(() => loadCalibrationData(one, dir))).toMatch(
      /^input file '.*bad\.pb': is not a valid ONNX TensorProto/,
    );
    dir = makeDir({ 'x.pb': pb(f32([1], [1])) });
    for (const [opts, flags] of [
      [{ mean: [1] }, '--mean'],
      [{ size: [2, 2], scale: 1 }, '--size, --scale'],
      [{ channelOrder: 'bgr' }, '--channel-order'],
    ] as Array<[ImageOptions, string]>) {
      expect(errorOf(() => loadCalibrationData(one, dir, opts))).toBe(
        `${flags}: image options, but '${dir}' holds tensor data, not images`,
      );
    }
  });
});

describe('layout (c): images', () => {
  it('mnist digit PNGs feed mnist-8, which reads each digit right (orientation, gray, scale 1)', async () => {
    const dir = makeDir({});
    for (const d of [7, 2, 4]) copyFileSync(join(images, `digit-${d}.png`), join(dir, `digit-${d}.png`));
    const { samples, description } = loadCalibrationData(mnist, dir, { scale: 1 });
    expect(description).toBe(`3 images from ${dir}: 28x28 grayscale nchw float32, scale 1`);
    const interp = new CpuInterpreter(mnist); // float model: default settings
    const predicted: number[] = [];
    for (const s of samples) {
      const t = s.feeds.get('Input3')!;
      expect(t.dims).toEqual([1, 1, 28, 28]);
      const out = [...(await interp.run(new Map(s.feeds))).values()][0].data as Float32Array;
      predicted.push(out.indexOf(Math.max(...out)));
    }
    interp.dispose();
    expect(samples.map((s) => s.id)).toEqual(['digit-2.png', 'digit-4.png', 'digit-7.png']);
    expect(predicted).toEqual([2, 4, 7]);
  });

  it('the default scale is 1/255 and the description says so', () => {
    const dir = makeDir({ 'a.png': grayPng(28, 28, Array(784).fill(51)) });
    const { samples, description } = loadCalibrationData(mnist, dir);
    expect(description).toBe(`1 image from ${dir}: 28x28 grayscale nchw float32, scale 1/255`);
    expect(samples[0].feeds.get('Input3')!.data[0]).toBe(Math.fround(51 / 255));
  });

  it('refuses what it cannot read or place, in one line naming the file', () => {
    const model = modelWith([input('x', [1, 3, 2, 2])]);
    const good = grayPng(2, 2, [1, 2, 3, 4]);
    let dir = makeDir({
      'a.png': good,
      'b.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2]),
    });
    expect(errorOf(() => loadCalibrationData(model, dir))).toMatch(
      new RegExp(`^image '${join(dir, 'b.png')}' is not a readable PNG file: .+`),
    );
    dir = makeDir({ 'a.jpg': new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a]) });
    expect(errorOf(() => loadCalibrationData(model, dir))).toMatch(/a\.jpg' is not a readable JPEG file: /);
    dir = makeDir({ 'c.bmp': 'GIF89a not a bitmap' });
    expect(errorOf(() => loadCalibrationData(model, dir))).toBe(
      `image '${join(dir, 'c.bmp')}' is not a PNG, JPEG or BMP file (unrecognized first bytes)`,
    );
    dir = makeDir({ 'a.png': good, 'd.gif': 'GIF89a' });
    expect(errorOf(() => loadCalibrationData(model, dir))).toMatch(
      /d\.gif': unsupported file type '\.gif' in calibration data/,
    );
    dir = makeDir({ 'a.png': good, 'x.pb': pb(f32([1], [1])) });
    expect(errorOf(() => loadCalibrationData(model, dir))).toBe(
      `'${dir}' mixes layouts: tensor files ('x.pb') and images ('a.png'); use one kind only`,
    );
    dir = makeDir({ 'a.png': good, 's0/input_0.pb': pb(f32([1], [1])) });
    expect(errorOf(() => loadCalibrationData(model, dir))).toMatch(
      /mixes layouts: subdirectories \('s0'\) and sample files \('a\.png'\)/,
    );
    const two = modelWith([input('a', [1, 3, 2, 2]), input('b', [1])]);
    dir = makeDir({ 'a.png': good });
    expect(errorOf(() => loadCalibrationData(two, dir))).toMatch(
      /holds images directly .* this model has 2 inputs/,
    );
    expect(errorOf(() => loadCalibrationData(model, dir, { mean: [1, 2] }))).toBe(
      `--mean has 2 values; input 'x' takes 3 channels (give 1 or 3)`,
    );
    expect(errorOf(() => loadCalibrationData(model, dir, { size: [3, 2] }))).toMatch(
      /^--size 3x2 does not fit input 'x' of shape \[1, 3, 2, 2\]/,
    );
    expect(errorOf(() => loadCalibrationData(model, dir, { std: [0] }))).toMatch(/--std must not contain 0/);
  });
});

describe('directory errors', () => {
  const model = modelWith([input('x', [1])]);
  it('empty, missing, not a directory, a model without inputs', () => {
    const empty = makeDir({ '.DS_Store': 'x', 'notes.txt': 'x' });
    expect(errorOf(() => loadCalibrationData(model, empty))).toBe(
      `'${empty}' holds no calibration samples: expected one subdirectory per sample (<k>/input_<i>.pb), .pb/.npy files, or images (.png, .jpg, .jpeg, .bmp)`,
    );
    const missing = join(root, 'nowhere');
    expect(errorOf(() => loadCalibrationData(model, missing))).toBe(
      `cannot read calibration data directory '${missing}': no such directory`,
    );
    const file = join(makeDir({ 'f.pb': pb(f32([1], [1])) }), 'f.pb');
    expect(errorOf(() => loadCalibrationData(model, file))).toBe(
      `cannot read calibration data directory '${file}': not a directory`,
    );
    expect(errorOf(() => loadCalibrationData(modelWith([]), empty))).toMatch(/the model has no inputs/);
  });
});

describe('naturalCompare', () => {
  it('curated cases', () => {
    const sorted = [
      'a',
      'a0',
      'a1',
      'a01',
      'a2',
      'a10',
      'a10b',
      'a10c',
      'b',
      'b2c1',
      'b2c10',
      'b10',
      'set_9',
      'set_10',
    ];
    const shuffled = [...sorted].reverse();
    expect(shuffled.sort(naturalCompare)).toEqual(sorted);
    expect(naturalCompare('x', 'x')).toBe(0);
    expect(naturalCompare('n99999999999999999999', 'n100000000000000000000')).toBeLessThan(0); // no float loss
  });

  it('random names with one number sort by that number', () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 50; trial++) {
      const nums = Array.from({ length: 20 }, () => Math.floor(rand() * 10 ** (1 + Math.floor(rand() * 6))));
      const names = [...new Set(nums)].map((n) => `test_data_set_${n}`);
      const want = [...names].sort((x, y) => Number(x.slice(14)) - Number(y.slice(14)));
      expect([...names].sort(naturalCompare)).toEqual(want);
    }
  });
});

// The calibration set behind `qplay calibrate MODEL --data DIR`. DIR holds one of three layouts:
//   (a) one sample per subdirectory, the ONNX test-data layout: DIR/<k>/input_<i>.pb (or .npy),
//       output_<i>.pb ignored; subdirectories in natural order (set_2 before set_10);
//   (b) .pb / .npy files directly in DIR, one sample per file, for single-input models;
//   (c) images (.png, .jpg, .jpeg, .bmp), one sample each, for a single image input, decoded and
//       preprocessed as app/cli/images/preprocess.ts documents (size, layout, mean/std, scale,
//       channel order, grayscale).
// Hidden entries and the files that sit beside test data (.onnx models, .txt/.md notes) are
// skipped; any other file is an error, so a typo never silently shrinks the set. Every sample is
// loaded and checked against the model's declared input types and static dims up front: a bad
// file fails before a long calibration starts, with one line naming the file and the input.
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Tensor } from '../../kernels/tensor.js';
import { InputError } from '../model/errors.js';
import type { Model, ValueInfo } from '../model/ir.js';
import { CliError, readFileBytes } from './cli-errors.js';
import { decodeImage, IMAGE_EXTENSIONS } from './images/decode-image.js';
import type { ImageOptions } from './images/image-options.js';
import { describePlan, imageToTensor, planImageInput } from './images/preprocess.js';
import { type InputFile, matchInputs, readInputFile } from './run-model.js';

export type { ImageOptions, ImageOptionFlags } from './images/image-options.js';
export { parseImageOptions } from './images/image-options.js';

export interface CalibrationSample {
  /** The subdirectory or file name the sample came from. */
  readonly id: string;
  /** One tensor per model input, keyed by input name, in the model's input order. */
  readonly feeds: ReadonlyMap<string, Tensor>;
}

const TENSOR_EXTENSIONS = ['.pb', '.npy'];
const SKIPPED_EXTENSIONS = ['.onnx', '.txt', '.md'];
const INPUT_FILE = /^input_(\d+)\.(pb|npy)$/i;
const OUTPUT_FILE = /^output_\d+\.pb$/i;

/**
 * Loads every sample in `dir` (layouts above). `options` apply to images only; passing any of
 * them for tensor files is an error rather than silently ignored.
 */
export function loadCalibrationData(
  model: Model,
  dir: string,
  options: ImageOptions = {},
): { samples: CalibrationSample[]; description: string } {
  const inputs = model.graph.inputs;
  if (inputs.length === 0)
    throw new CliError('the model has no inputs: there is nothing to feed calibration data to');
  const entries = listDirectory(dir, 'calibration data directory');
  const subdirs = entries.filter((e) => e.isDir);
  const tensors: Entry[] = [];
  const images: Entry[] = [];
  for (const e of entries.filter((x) => !x.isDir)) {
    const ext = extname(e.name).toLowerCase();
    if (TENSOR_EXTENSIONS.includes(ext)) {
      if (!OUTPUT_FILE.test(e.name)) tensors.push(e); // reference outputs beside inputs
    } else if (IMAGE_EXTENSIONS.includes(ext)) {
      images.push(e);
    } else if (!SKIPPED_EXTENSIONS.includes(ext)) {
      throw new CliError(
        `'${e.path}': unsupported file type '${ext || e.name}' in calibration data (.pb, .npy, .png, .jpg, .jpeg, .bmp, or one subdirectory per sample)`,
      );
    }
  }
  const files = [...tensors, ...images];
  if (subdirs.length > 0 && files.length > 0) {
    throw new CliError(
      `'${dir}' mixes layouts: subdirectories ('${subdirs[0].name}') and sample files ('${files[0].name}'); use one subdirectory per sample, or files only`,
    );
  }
  if (tensors.length > 0 && images.length > 0) {
    throw new CliError(
      `'${dir}' mixes layouts: tensor files ('${tensors[0].name}') and images ('${images[0].name}'); use one kind only`,
    );
  }
  if (subdirs.length === 0 && files.length === 0) {
    throw new CliError(
      `'${dir}' holds no calibration samples: expected one subdirectory per sample (<k>/input_<i>.pb), .pb/.npy files, or images (.png, .jpg, .jpeg, .bmp)`,
    );
  }
  const optionFlags = setOptionFlags(options);
  if (images.length === 0 && optionFlags.length > 0) {
    throw new CliError(
      `${optionFlags.join(', ')}: image options, but '${dir}' holds tensor data, not images`,
    );
  }

  if (subdirs.length > 0) {
    const samples = subdirs.map((d) => ({
      id: d.name,
      feeds: feedsFromFiles(model, sampleDirFiles(d.path, inputs)),
    }));
    return { samples, description: `${count(samples.length, 'sample')} from ${dir} (ONNX test-data layout)` };
  }
  if (inputs.length !== 1) {
    throw new CliError(
      `'${dir}' holds ${images.length ? 'images' : 'tensor files'} directly (one sample per file), which suits single-input models; this model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}): put each sample in its own subdirectory as input_0.pb, input_1.pb, …`,
    );
  }
  if (tensors.length > 0) {
    const samples = tensors.map((f) => ({ id: f.name, feeds: feedsFromFiles(model, [readTensor(f.path)]) }));
    return { samples, description: `${count(samples.length, 'sample')} from ${dir} (.pb/.npy files)` };
  }
  const plan = planImageInput(inputs[0], options);
  const samples = images.map((f) => {
    const tensor = imageToTensor(decodeImage(readFileBytes(f.path, 'image'), f.path), plan);
    return { id: f.name, feeds: new Map([[plan.input, tensor]]) };
  });
  return { samples, description: `${count(samples.length, 'image')} from ${dir}: ${describePlan(plan)}` };
}

interface Entry {
  readonly name: string;
  readonly path: string;
  readonly isDir: boolean;
}

/** Visible entries in natural order; symbolic links are followed. */
function listDirectory(dir: string, what: string): Entry[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : (e as Error).message;
    throw new CliError(`cannot read ${what} '${dir}': ${why}`);
  }
  return names
    .filter((n) => !n.startsWith('.'))
    .sort(naturalCompare)
    .map((name) => {
      const path = join(dir, name);
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch (e) {
        throw new CliError(`cannot read '${path}': ${(e as Error).message}`);
      }
      return { name, path, isDir };
    });
}

/**
 * Natural order: runs of digits compare as numbers (set_2 < set_10 < set_010 by length at equal
 * value), everything else by code unit, so the order does not depend on the locale.
 */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const [x, y] = [pa[i], pb[i]];
    if (x === y) continue;
    const digits = /^\d/.test(x) && /^\d/.test(y);
    if (digits) {
      const [tx, ty] = [x.replace(/^0+(?=\d)/, ''), y.replace(/^0+(?=\d)/, '')];
      if (tx.length !== ty.length) return tx.length - ty.length;
      if (tx !== ty) return tx < ty ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** The input_<i> files of one sample directory, input_0 first; each index 0..n-1 exactly once. */
function sampleDirFiles(dir: string, inputs: readonly ValueInfo[]): InputFile[] {
  const n = inputs.length;
  const byIndex = new Map<number, string>();
  for (const e of listDirectory(dir, 'sample directory')) {
    const m = INPUT_FILE.exec(e.name);
    if (e.isDir || (!m && !OUTPUT_FILE.test(e.name))) {
      throw new CliError(
        `unexpected ${e.isDir ? 'subdirectory' : 'file'} '${e.path}': a sample directory holds input_<i>.pb (or .npy) files and, ignored, output_<i>.pb`,
      );
    }
    if (!m) continue;
    const i = Number(m[1]);
    const other = byIndex.get(i);
    if (other) throw new CliError(`'${dir}' holds input ${i} twice: '${other}' and '${e.path}'`);
    if (i >= n) {
      throw new CliError(
        `'${e.path}': the model has ${count(n, 'input')} (${inputs.map((x) => x.name).join(', ')}), so input_0 to input_${n - 1} only`,
      );
    }
    byIndex.set(i, e.path);
  }
  const files: InputFile[] = [];
  for (let i = 0; i < n; i++) {
    const path = byIndex.get(i);
    if (!path) {
      throw new CliError(
        `'${dir}' has no input_${i}.pb; the model has ${count(n, 'input')} (${inputs.map((x) => x.name).join(', ')})`,
      );
    }
    files.push(readTensor(path));
  }
  return files;
}

/** readInputFile with every failure (the .npy reader raises InputError) as a CliError. */
function readTensor(path: string): InputFile {
  try {
    return readInputFile(path);
  } catch (e) {
    if (e instanceof InputError) throw new CliError(e.message);
    throw e;
  }
}

/** Pairs files with inputs (by tensor name, unnamed ones by position) and checks each. */
function feedsFromFiles(model: Model, files: readonly InputFile[]): Map<string, Tensor> {
  const matched = matchInputs(model, files);
  const feeds = new Map<string, Tensor>();
  for (const input of model.graph.inputs) {
    const f = matched.get(input.name)!;
    checkDeclared(input, f);
    feeds.set(input.name, f.tensor);
  }
  return feeds;
}

/** The declared dtype must match; static dims must match; symbolic dims accept any size. */
function checkDeclared(input: ValueInfo, f: InputFile): void {
  const t = f.tensor;
  if (input.dtype && t.dtype !== input.dtype) {
    throw new CliError(`'${f.path}' holds ${t.dtype}; input '${input.name}' expects ${input.dtype}`);
  }
  if (!input.dims) return;
  const ok =
    input.dims.length === t.dims.length &&
    input.dims.every((d, i) => typeof d === 'string' || d === t.dims[i]);
  if (!ok) {
    throw new CliError(
      `'${f.path}' has shape [${t.dims.join(', ')}]; input '${input.name}' expects [${input.dims.join(', ')}]`,
    );
  }
}

function setOptionFlags(o: ImageOptions): string[] {
  const flags: Array<[unknown, string]> = [
    [o.size, '--size'],
    [o.layout, '--layout'],
    [o.mean, '--mean'],
    [o.std, '--std'],
    [o.scale, '--scale'],
    [o.channelOrder, '--channel-order'],
  ];
  return flags.filter(([v]) => v !== undefined).map(([, f]) => f);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

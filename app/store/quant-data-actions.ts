// Choosing the calibration set: the bundled digits (mnist-like models), random inputs (the
// default for a model with no data of its own, said on screen), dropped images with the
// preprocessing fields, tensor files. The samples are kept here so a configuration change can
// restart calibration on the same data.
import { bindingsFromInputs } from '../model/shape-inference.js';
import { applyImpliedDims, currentBindings } from './actions-dims.js';
import { oneLine } from './one-line.js';
import { restartSession } from './quant-actions.js';
import {
  bindSymbolicDims,
  DEFAULT_RANDOM,
  decodeImageInBrowser,
  describeSamples,
  type Feeds,
  type ImageFields,
  imageOptionsFrom,
  imagesToSamples,
  type RandomSpec,
  randomSamples,
  tensorFilesToSamples,
} from './quant-data.js';
import { type DataState, getQuant, setQuant } from './quant-store.js';
import { getModelEntry } from './registry.js';
import { acceptsDigits, loadDigitTensor } from './sample-input.js';
import { useAppStore } from './store.js';

let current: { samples: Feeds[]; description: string; version: number } | null = null;
let version = 0;

/** The samples calibration runs on now (the metrics worker gets the same), with a version. */
export function currentData(): { samples: readonly Feeds[]; description: string; version: number } | null {
  return current;
}
/** Images kept decoded, so changing a preprocessing field re-runs only the preprocessing. */
let images: { name: string; image: Awaited<ReturnType<typeof decodeImageInBrowser>> }[] = [];

function graph() {
  const g = getModelEntry(getQuant().modelId)?.model.graph;
  if (!g) throw new Error('no model is open');
  return g;
}

function dataError(e: unknown, what: string): void {
  const text = oneLine(`${what}: ${(e as Error)?.message ?? String(e)}`, 400);
  setQuant({ error: text, message: text });
}

async function adopt(samples: Feeds[], description: string, data: Omit<DataState, 'count' | 'description'>) {
  current = { samples, description, version: ++version };
  // Images and tensor files have real sizes: they become the symbolic dims' defaults.
  if (data.kind === 'images' || data.kind === 'tensors') {
    const first = samples[0];
    applyImpliedDims(bindingsFromInputs(graph(), (name) => first?.get(name)?.dims));
  }
  for (const url of getQuant().data.thumbnails)
    if (!data.thumbnails.includes(url)) URL.revokeObjectURL?.(url);
  setQuant({
    data: { ...data, description: `${description} — ${describeSamples(samples)}`, count: samples.length },
  });
  return restartSession({
    method: 'start',
    config: getQuant().config,
    samples: samples.map((s) => [...s]),
    description,
  });
}

/** The bundled digits for a 28x28 grayscale model, else random inputs (said on screen). */
export async function chooseDefaultData(): Promise<boolean> {
  let g: ReturnType<typeof graph>;
  try {
    g = graph();
  } catch (e) {
    dataError(e, 'No calibration data');
    return false;
  }
  if (acceptsDigits(g)) {
    const model = getQuant().modelId;
    try {
      const samples: Feeds[] = [];
      for (let d = 0; d < 10; d++) samples.push(new Map([[g.inputs[0].name, await loadDigitTensor(d)]]));
      // Another model opened while the digits loaded: these are not its data.
      if (getQuant().modelId !== model) return false;
      return await adopt(samples, 'the 10 bundled digit images', {
        kind: 'samples',
        thumbnails: [],
        note: null,
      });
    } catch {
      // No canvas or no network (tests in Node): random inputs below, said in the note.
    }
  }
  // Big inputs (224x224 colour and up) calibrate on 4 random samples by default: each costs about
  // seven inferences with the metrics, and random data gains little from more.
  const spec = getQuant().randomSpec;
  const elements = bindSymbolicDims(g, currentBindings()).inputs.reduce(
    (n, i) => n + (i.dims ?? []).reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1),
    0,
  );
  return chooseRandomData(
    spec === DEFAULT_RANDOM && elements > 100_000 ? { ...spec, count: 4 } : spec,
    'this model has no calibration data of its own: random inputs are used; drop images or tensor files for real ones',
  );
}

export async function chooseRandomData(spec: RandomSpec, note: string | null = null): Promise<boolean> {
  setQuant({ randomSpec: spec });
  try {
    const samples = randomSamples(graph(), spec, currentBindings());
    const dist =
      spec.distribution === 'uniform'
        ? `uniform [${spec.a}, ${spec.b})`
        : `normal (mean ${spec.a}, std ${spec.b})`;
    return await adopt(samples, `${spec.count} random inputs, ${dist}`, {
      kind: 'random',
      thumbnails: [],
      note,
    });
  } catch (e) {
    dataError(e, 'Random inputs failed');
    return false;
  }
}

function imageSamples(fields: ImageFields): Feeds[] {
  return imagesToSamples(
    graph(),
    images.map((i) => i.image),
    imageOptionsFrom(fields),
  );
}

/** Dropped or chosen images: decoded by the browser, preprocessed by the CLI's rule. */
export async function chooseImageFiles(files: readonly File[]): Promise<boolean> {
  const model = getQuant().modelId;
  try {
    const decoded = [];
    for (const f of files) decoded.push({ name: f.name, image: await decodeImageInBrowser(f, f.name) });
    if (getQuant().modelId !== model) return false; // another model opened meanwhile
    images = decoded;
    const samples = imageSamples(getQuant().imageFields);
    const thumbnails = files.slice(0, 24).map((f) => URL.createObjectURL(f));
    return await adopt(samples, `${files.length} image${files.length === 1 ? '' : 's'}`, {
      kind: 'images',
      thumbnails,
      note: null,
    });
  } catch (e) {
    dataError(e, 'Could not use the images');
    return false;
  }
}

/** A preprocessing field changed: the images are preprocessed again and calibration restarts. */
export async function setImageFields(fields: ImageFields): Promise<boolean> {
  setQuant({ imageFields: fields });
  if (getQuant().data.kind !== 'images' || images.length === 0) return true;
  try {
    const samples = imageSamples(fields);
    return await adopt(samples, `${images.length} images`, { ...getQuant().data });
  } catch (e) {
    dataError(e, 'Preprocessing failed');
    return false;
  }
}

export async function chooseTensorFiles(
  files: readonly { name: string; bytes: Uint8Array }[],
): Promise<boolean> {
  try {
    const samples = tensorFilesToSamples(graph(), files);
    return await adopt(samples, `${files.length} tensor file${files.length === 1 ? '' : 's'}`, {
      kind: 'tensors',
      thumbnails: [],
      note: null,
    });
  } catch (e) {
    dataError(e, 'Could not use the tensor files');
    return false;
  }
}

/** Files from a file input or a drop: images, or .pb/.npy tensors. */
export async function chooseDataFiles(files: readonly File[]): Promise<boolean> {
  if (files.length === 0) return false;
  if (files.every((f) => /\.(pb|npy)$/i.test(f.name))) {
    const read = await Promise.all(
      files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
    );
    return chooseTensorFiles(read);
  }
  const bad = files.find((f) => !/\.(png|jpe?g|bmp)$/i.test(f.name));
  if (bad) {
    dataError(
      new Error(`${bad.name} is neither an image (png, jpg, bmp) nor a tensor file (.pb, .npy)`),
      'Calibration data',
    );
    return false;
  }
  return chooseImageFiles(files);
}

/** A configuration change: same data, calibration from the top. */
export async function restartWithCurrentData(): Promise<boolean> {
  if (!current) return chooseDefaultData();
  return adopt(current.samples, current.description, { ...getQuant().data });
}

/**
 * Random calibration data follows the page's input dimensions: a size set there makes new random
 * samples at that size (calibration restarts). Other data has its own sizes and stays.
 */
export function followInputDims(): () => void {
  return useAppStore.subscribe((s, prev) => {
    if (s.modelId !== prev.modelId || s.inputDims === prev.inputDims) return;
    if (s.modelId !== getQuant().modelId || getQuant().data.kind !== 'random') return;
    const before = Object.fromEntries(prev.inputDims.map((d) => [d.name, d.value]));
    if (s.inputDims.every((d) => before[d.name] === d.value)) return;
    void chooseRandomData(getQuant().randomSpec, getQuant().data.note);
  });
}

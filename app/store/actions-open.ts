// Opening a model from somewhere other than a local file: the bundled samples (the default and
// the sample menu) and `?model=<url>` (fetched with CORS). A fetch that fails, or bytes that are
// not a model, end as one line in the notice; the page keeps (or falls back to) a model.
import { loadModelBytes } from './actions-model.js';
import { noteModelSource } from './model-sources.js';
import { oneLine } from './one-line.js';
import { getState, setState } from './store.js';

export interface Sample {
  readonly file: string;
  /** What the menu says. */
  readonly label: string;
}

/** The models in public/samples (see its ATTRIBUTION.md); the first is the default. */
export const SAMPLES: readonly Sample[] = [
  { file: 'mnist-8.onnx', label: 'mnist-8 (digits, CNTK)' },
  { file: 'opt-mnist.onnx', label: 'opt-mnist (digits, wonnx)' },
  { file: 'light-squeezenet.onnx', label: 'light SqueezeNet (224×224, untrained)' },
];

export const DEFAULT_SAMPLE = SAMPLES[0].file;

/**
 * Fetches `url` and opens it as `name`; throws a one-line reason when the fetch fails. With
 * `unlessOpened`, a model the person opened while this one was fetched is kept (the first model
 * of the page must not replace a file dropped meanwhile).
 */
async function fetchModel(url: string, name: string, unlessOpened = false): Promise<boolean> {
  const before = getState().modelId;
  let response: Response;
  try {
    response = await fetch(url, { mode: 'cors' });
  } catch (e) {
    // The browser hides why (network, DNS, a server without Access-Control-Allow-Origin).
    throw new Error(
      `the request failed (${(e as Error).message}): the server is unreachable or does not allow cross-origin (CORS) requests`,
    );
  }
  if (!response.ok) throw new Error(`the server answered HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (unlessOpened && getState().modelId !== before) return false;
  return loadModelBytes(name, bytes);
}

export async function loadSample(file: string, unlessOpened = false): Promise<boolean> {
  const sample = SAMPLES.find((s) => s.file === file);
  if (!sample) {
    setState({ notice: { kind: 'error', text: oneLine(`There is no bundled sample named ${file}`) } });
    return false;
  }
  setState({ loading: file });
  try {
    const ok = await fetchModel(`${import.meta.env.BASE_URL}samples/${file}`, file, unlessOpened);
    if (ok) noteModelSource(getState().modelId, { kind: 'sample', file });
    return ok;
  } catch (e) {
    setState({
      loading: null,
      notice: { kind: 'error', text: oneLine(`Could not fetch the sample ${file}: ${(e as Error).message}`) },
    });
    return false;
  }
}

/** The page's first model (or the fallback): never replaces a model opened meanwhile. */
export function loadDefaultSample(): Promise<boolean> {
  return loadSample(DEFAULT_SAMPLE, true);
}

/** The file name a URL's model is shown under: its last path segment, else "model.onnx". */
export function modelNameFromUrl(url: URL): string {
  const last = url.pathname.split('/').filter(Boolean).pop();
  try {
    return last ? decodeURIComponent(last) : 'model.onnx';
  } catch {
    return last ?? 'model.onnx';
  }
}

/**
 * Opens the model at `address` (absolute, or relative to the page). When that fails the default
 * sample opens instead and the notice says why in one line, so the page is never left empty.
 */
export async function loadModelUrl(address: string): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(address, globalThis.location?.href);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`only http and https addresses can be fetched, not ${url.protocol}`);
  } catch (e) {
    return fallBack(`Could not open the model at ${address}: ${(e as Error).message}`);
  }
  const name = modelNameFromUrl(url);
  setState({ loading: name });
  let opened: boolean;
  try {
    opened = await fetchModel(url.href, name);
  } catch (e) {
    return fallBack(`Could not fetch the model at ${url.href}: ${(e as Error).message}`);
  }
  if (opened) {
    noteModelSource(getState().modelId, { kind: 'url', url: url.href });
    return true;
  }
  // loadModelBytes said why in the notice ("Could not open x.onnx: not an ONNX model ...").
  return fallBack(null);
}

async function fallBack(message: string | null): Promise<boolean> {
  const notice = message ? { kind: 'error' as const, text: oneLine(message) } : getState().notice;
  if (getState().modelId === null) await loadDefaultSample();
  setState({ loading: null, notice });
  return false;
}

/** What the page opens first: `?model=<url>` when given, else the default sample. */
export function openInitialModel(search: string): Promise<boolean> {
  const address = new URLSearchParams(search).get('model');
  return address ? loadModelUrl(address) : loadDefaultSample();
}

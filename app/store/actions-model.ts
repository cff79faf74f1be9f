// Loading models and selecting nodes. A file that does not decode, or that uses ops the engine
// cannot run, leaves the current model in place and says why in one line.
import { isCpuSupported } from '../exec/cpu/interpreter.js';
import { assertSupported } from '../exec/support.js';
import { decodeModel } from '../model/decode.js';
import type { Model } from '../model/ir.js';
import { assertSupportedOpsets } from '../model/opset-range.js';
import { cancelRun, resetRun } from './actions-run.js';
import { defaultInputDims, dimBindings, dimsCheck } from './input-dims.js';
import { modelShapes, summarizeForPage } from './model-views.js';
import { oneLine } from './one-line.js';
import { getModelEntry, registerModel, releaseModelsExcept } from './registry.js';
import { acceptsDigits } from './sample-input.js';
import { getState, setState } from './store.js';

/** The largest file we try to decode in the page (the whole file is held in memory twice). */
const MAX_BYTES = 512 * 1024 * 1024;

export function currentModel(): Model | undefined {
  return getModelEntry(getState().modelId)?.model;
}

/**
 * Decodes `bytes` and makes it the current model. Returns whether it was accepted. A model
 * with unsupported ops is refused when another model is shown (that one stays); when nothing is
 * shown yet it is drawn anyway, with the run disabled and the reason in the notice.
 */
export function loadModelBytes(fileName: string, bytes: Uint8Array): boolean {
  let model: Model;
  try {
    if (bytes.byteLength > MAX_BYTES)
      throw new Error(`the file is ${Math.round(bytes.byteLength / 2 ** 20)} MiB, over the page's limit`);
    model = decodeModel(bytes);
    assertSupportedOpsets(model); // an opset we do not implement: refused like a bad file
  } catch (e) {
    setState({
      loading: null,
      notice: { kind: 'error', text: oneLine(`Could not open ${fileName}: ${(e as Error).message}`) },
    });
    return false;
  }
  let unsupported: string | null = null;
  try {
    assertSupported(model, isCpuSupported);
  } catch (e) {
    unsupported = oneLine((e as Error).message);
  }
  if (unsupported && getState().modelId !== null) {
    setState({
      loading: null,
      notice: { kind: 'error', text: oneLine(`Could not open ${fileName}: ${unsupported}`) },
    });
    return false;
  }
  cancelRun();
  const inputDims = defaultInputDims(model.graph);
  const { known, note, dimsError } = modelShapes(model, dimBindings(inputDims), dimsCheck(inputDims));
  const modelId = registerModel({ model, bytes, fileName, known, dimsError });
  releaseModelsExcept(modelId);
  resetRun();
  const digits = acceptsDigits(model.graph);
  const choice = getState().inputChoice;
  setState({
    modelId,
    inputDims,
    shapesVersion: getState().shapesVersion + 1,
    summary: summarizeForPage(model, fileName, note, known),
    unsupported,
    loading: null,
    notice: unsupported
      ? { kind: 'warning', text: oneLine(`${fileName} is shown but cannot run: ${unsupported}`) }
      : null,
    selectedNode: null,
    acceptsDigits: digits,
    inputChoice: digits
      ? choice.kind === 'digit'
        ? choice
        : { kind: 'digit', digit: 7 }
      : { kind: 'random', seed: 1 },
  });
  return true;
}

export async function loadModelFile(file: File): Promise<boolean> {
  setState({ loading: file.name });
  try {
    return loadModelBytes(file.name, new Uint8Array(await file.arrayBuffer()));
  } catch (e) {
    setState({
      loading: null,
      notice: { kind: 'error', text: oneLine(`Could not read ${file.name}: ${(e as Error).message}`) },
    });
    return false;
  }
}

export function selectNode(name: string | null): void {
  if (getState().selectedNode !== name) setState({ selectedNode: name });
}

export function dismissNotice(): void {
  setState({ notice: null });
}

export function showNotice(kind: 'error' | 'warning' | 'info', text: string): void {
  setState({ notice: { kind, text: oneLine(text) } });
}

// Setting the symbolic input dimensions of the current model: the sizes Run's random inputs and
// the random calibration data take, and the shapes the graph and the summary show. A size the
// calibration data implies (images, tensor files) replaces a default nobody edited.
import {
  describeDims,
  dimBindings,
  dimsCheck,
  dimsHint,
  type InputDim,
  parseDimSize,
  withImplied,
} from './input-dims.js';
import { modelShapes, summarizeForPage } from './model-views.js';
import { oneLine } from './one-line.js';
import { getModelEntry, updateModelShapes } from './registry.js';
import { getState, setState } from './store.js';

/** The sizes of the current model's symbolic input dims, by name. */
export function currentBindings(): Record<string, number> {
  return dimBindings(getState().inputDims);
}

/**
 * The pointer a failure caused by the dims' sizes ends with: "(with N=1, H=1, W=1; set the input
 * dimensions: N, H, W)", or '' for a model without symbolic dims or whose shapes infer.
 */
export function dimsFailureHint(): string {
  const dims = getState().inputDims;
  const entry = getModelEntry(getState().modelId);
  if (dims.length === 0 || !entry?.dimsError) return '';
  return ` (with ${describeDims(dims)}; ${dimsHint(dims)})`;
}

function applyDims(dims: readonly InputDim[]): void {
  const { modelId } = getState();
  const entry = getModelEntry(modelId);
  if (!entry || !modelId) return;
  const shapes = modelShapes(entry.model, dimBindings(dims), dimsCheck(dims));
  updateModelShapes(modelId, shapes.known, shapes.dimsError);
  setState({
    inputDims: dims,
    shapesVersion: getState().shapesVersion + 1,
    summary: summarizeForPage(entry.model, entry.fileName, shapes.note, shapes.known),
  });
}

/** A person set dimension `name` to `text`; a bad size is a one-line notice and changes nothing. */
export function setInputDim(name: string, text: string): boolean {
  const dims = getState().inputDims;
  if (!dims.some((d) => d.name === name)) return false;
  let value: number;
  try {
    value = parseDimSize(name, text);
  } catch (e) {
    setState({ notice: { kind: 'error', text: oneLine((e as Error).message) } });
    return false;
  }
  applyDims(dims.map((d) => (d.name === name ? { ...d, value, edited: true } : d)));
  return true;
}

/** Every dimension back to its default. */
export function resetInputDims(): void {
  applyDims(getState().inputDims.map((d) => ({ ...d, value: d.defaultValue, edited: false })));
}

/** Sizes the calibration data has (by dim name) become the defaults of the dims nobody edited. */
export function applyImpliedDims(implied: Readonly<Record<string, number>>): void {
  const dims = getState().inputDims;
  const next = withImplied(dims, implied);
  if (next.some((d, i) => d.value !== dims[i].value || d.source !== dims[i].source)) applyDims(next);
}

// Big data lives here, outside React state: decoded models (with their bytes, for the run
// worker) and run outputs. The store keeps only ids and version counters, so a state update
// never copies or diffs a tensor, and selectors stay cheap.
import type { Tensor } from '../../kernels/tensor.js';
import { foldGraph, type GraphFolding } from '../model/graph-folding.js';
import type { Model, ValueInfo } from '../model/ir.js';

export interface ModelEntry {
  readonly model: Model;
  readonly bytes: Uint8Array;
  readonly fileName: string;
  /** dtype/shape of every value we know of (see knownValues). */
  readonly known: ReadonlyMap<string, ValueInfo>;
  /**
   * Why shape inference fails at the current input dimensions when other sizes infer (the sizes
   * are to blame), else null.
   */
  readonly dimsError: string | null;
  /** What the graph view folds into its consumers (Constant weights, shape chains). */
  readonly folding: GraphFolding;
}

const models = new Map<string, ModelEntry>();
const tensors = new Map<string, Tensor>();
let nextId = 1;

export function registerModel(entry: Omit<ModelEntry, 'folding'>): string {
  const id = `model-${nextId++}`;
  models.set(id, { ...entry, folding: foldGraph(entry.model.graph, entry.known) });
  return id;
}

export function getModelEntry(id: string | null): ModelEntry | undefined {
  return id ? models.get(id) : undefined;
}

/** New shapes for a model whose input dimensions changed (the model itself stays). */
export function updateModelShapes(
  id: string,
  known: ReadonlyMap<string, ValueInfo>,
  dimsError: string | null,
): void {
  const entry = models.get(id);
  // Folding reads the shapes (which values are integers), so it follows them.
  if (entry) models.set(id, { ...entry, known, dimsError, folding: foldGraph(entry.model.graph, known) });
}

/** Drops every model but the one kept (the page shows one model at a time). */
export function releaseModelsExcept(keep: string | null): void {
  for (const id of models.keys()) if (id !== keep) models.delete(id);
}

export function registerTensor(t: Tensor): string {
  const id = `tensor-${nextId++}`;
  tensors.set(id, t);
  return id;
}

export function getTensor(id: string): Tensor | undefined {
  return tensors.get(id);
}

export function releaseTensors(ids: readonly string[]): void {
  for (const id of ids) tensors.delete(id);
}

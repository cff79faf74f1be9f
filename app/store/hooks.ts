// Narrow hooks over the store + registry: components re-render only when the id they depend on
// changes, and the heavy objects come from the registry, not from React state.
import { useMemo } from 'react';
import type { GraphFolding } from '../model/graph-folding.js';
import type { Model, ValueInfo } from '../model/ir.js';
import { describeNode } from './model-views.js';
import { getModelEntry } from './registry.js';
import { useAppStore } from './store.js';
import type { NodeDetails } from './types.js';

export interface ModelView {
  readonly id: string;
  readonly model: Model;
  readonly known: ReadonlyMap<string, ValueInfo>;
  /** Which shapes these are: new input dimensions give new ones for the same model. */
  readonly shapesVersion: number;
  readonly folding: GraphFolding;
}

export function useModelView(): ModelView | null {
  const id = useAppStore((s) => s.modelId);
  // New input dimensions give new shapes for the same model (the registry entry is replaced).
  const shapesVersion = useAppStore((s) => s.shapesVersion);
  return useMemo(() => {
    const entry = getModelEntry(id);
    return entry && id
      ? { id, model: entry.model, known: entry.known, shapesVersion, folding: entry.folding }
      : null;
  }, [id, shapesVersion]);
}

export function useNodeDetails(): NodeDetails | null {
  const view = useModelView();
  const selected = useAppStore((s) => s.selectedNode);
  return useMemo(
    () => (view && selected ? describeNode(view.model, view.known, selected, view.folding) : null),
    [view, selected],
  );
}

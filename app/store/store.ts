// The zustand store: typed slices of small, plain state. Big data (models, tensors) stays in
// ./registry.ts keyed by id; actions live in ./actions-*.ts as module-level functions so the
// UI, tests and later a worker can call them without a hook.
import { create } from 'zustand';
import type { InputDim } from './input-dims.js';
import type { Backend, GpuStatus, InputChoice, ModelSummary, Notice, RunState } from './types.js';

export interface ModelSlice {
  modelId: string | null;
  summary: ModelSummary | null;
  loading: string | null; // the file name being loaded
  /** Why the current model cannot run (unsupported ops), or null. */
  unsupported: string | null;
  notice: Notice | null;
  /** The model's symbolic input dimensions with the sizes they take (./actions-dims.ts). */
  inputDims: readonly InputDim[];
  /** Bumped when the shapes of the current model change (its input dimensions were set). */
  shapesVersion: number;
}

export interface SelectionSlice {
  selectedNode: string | null;
}

export interface RunSlice {
  inputChoice: InputChoice;
  /** Whether the current model takes a 28x28 grayscale image (then digits are offered). */
  acceptsDigits: boolean;
  /**
   * The backend runs ask for: 'webgpu' once an adapter is found (unless the user chose), else
   * 'cpu'. A WebGPU run that fails goes to the CPU and says why in run.placement.fallback.
   */
  backend: Backend;
  run: RunState;
}

export interface GpuSlice {
  gpu: GpuStatus;
}

export type AppState = ModelSlice & SelectionSlice & RunSlice & GpuSlice;

export const idleRun: RunState = {
  status: 'idle',
  done: 0,
  total: 0,
  ms: null,
  error: null,
  outputs: [],
  inputLabel: null,
  placement: null,
};

export const useAppStore = create<AppState>()(() => ({
  modelId: null,
  summary: null,
  loading: null,
  unsupported: null,
  notice: null,
  inputDims: [],
  shapesVersion: 0,
  selectedNode: null,
  inputChoice: { kind: 'digit', digit: 7 },
  acceptsDigits: false,
  backend: 'cpu',
  run: idleRun,
  gpu: { state: 'checking' },
}));

export const getState = useAppStore.getState;
export const setState = useAppStore.setState;

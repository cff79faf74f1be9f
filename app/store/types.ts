// Plain, serialisable view types the store hands to the UI. Nothing here holds a tensor: the UI
// renders numbers and strings, and asks the store for anything bigger.

export interface Notice {
  readonly kind: 'error' | 'warning' | 'info';
  readonly text: string; // one line, shown as text (never as HTML)
}

export interface ModelSummary {
  readonly fileName: string;
  readonly producer: string; // "CNTK 2.5.1"
  readonly irVersion: number;
  readonly opsets: readonly string[]; // "ai.onnx v8"
  readonly inputs: readonly ValueView[];
  readonly outputs: readonly ValueView[];
  readonly nodeCount: number;
  readonly opCounts: readonly { readonly opType: string; readonly count: number }[]; // most used first
  readonly parameterCount: number; // elements in all initializers and Constant nodes
  readonly parameterBytes: number;
  /** Where shapes come from when inference could not finish, or its first warning. */
  readonly shapeNote: string | null;
}

export interface ValueView {
  readonly name: string;
  readonly dtype: string; // '?' when unknown
  readonly shape: string; // "[1,1,28,28]", '?' when unknown
}

export interface TensorStats {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

export interface NodeInput extends ValueView {
  readonly role: string; // the schema's name for this input slot, or its index
  readonly initializer?: TensorStats;
}

export interface NodeDetails {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly category: string;
  readonly attributes: readonly { readonly name: string; readonly value: string }[];
  readonly inputs: readonly NodeInput[];
  readonly outputs: readonly ValueView[];
  /** Nodes the graph does not draw that feed this one (Constant weights, shape computations). */
  readonly folded: readonly FoldedNode[];
  /** For a node the graph does not draw: the drawn node it is shown in. */
  readonly foldedInto: string | null;
}

export interface FoldedNode {
  readonly name: string;
  readonly opType: string;
  readonly outputs: readonly ValueView[];
}

export type InputChoice =
  | { readonly kind: 'digit'; readonly digit: number }
  | { readonly kind: 'random'; readonly seed: number };

export interface RunOutput {
  readonly name: string;
  readonly dtype: string;
  readonly shape: string;
  readonly stats: TensorStats;
  /** All values when the output is small enough to chart (<= 64 elements), else null. */
  readonly values: readonly number[] | null;
  readonly argmax: number;
  /** The five largest values with their flat indices, when `values` is null. */
  readonly top: readonly { readonly index: number; readonly value: number }[];
}

export type RunStatus = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

export interface RunState {
  readonly status: RunStatus;
  readonly done: number;
  readonly total: number;
  readonly ms: number | null;
  readonly error: string | null;
  readonly outputs: readonly RunOutput[];
  readonly inputLabel: string | null; // what was fed: "digit 7", "random (seed 1)"
  /** Where the finished run went (backend, adapter, node counts); null until a run is done. */
  readonly placement: RunPlacement | null;
}

/** The backend a run asks for: the WebGPU executor or the CPU reference interpreter. */
export type Backend = 'webgpu' | 'cpu';

/** Where a run actually went, from the WebGPU executor's plan summary (or the CPU interpreter). */
export interface RunPlacement {
  readonly backend: Backend;
  /** The adapter that ran it (WebGPU only), as the worker's device describes it. */
  readonly adapter: string | null;
  /** Nodes run by GPU kernels (including int8 hosts that read their inputs back). */
  readonly gpuNodes: number;
  /** Nodes run by the CPU reference: all of them on the CPU, the plan's fallbacks on WebGPU. */
  readonly cpuNodes: number;
  /** Reshape-like nodes that became views, and nodes fused into or folded before the GPU work. */
  readonly viewNodes: number;
  readonly fusedNodes: number;
  readonly foldedNodes: number;
  /** `opType (node)` of the first CPU fallbacks inside a WebGPU run. */
  readonly cpuFallbacks: readonly string[];
  /** Command buffers submitted for compute, and readback copies (WebGPU only). */
  readonly submits: number | null;
  readonly readbacks: number | null;
  /** Time spent creating and planning the executor in this run (first WebGPU run of a model). */
  readonly prepareMs: number | null;
  /** Why WebGPU was asked for but this run went to the CPU, one line; null when it did not. */
  readonly fallback: string | null;
}

export type GpuStatus =
  | { readonly state: 'checking' }
  | { readonly state: 'unavailable'; readonly reason: string }
  | { readonly state: 'available'; readonly adapter: string; readonly fallback: boolean };

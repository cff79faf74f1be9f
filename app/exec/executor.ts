// The executor interface both backends implement: the CPU reference interpreter
// (app/exec/cpu) and the WebGPU executor (app/exec/webgpu).
import type { Tensor } from '../../kernels/tensor.js';

export type BackendName = 'cpu' | 'webgpu';

export interface RunOptions {
  /** Which values to return; default: the graph outputs. Intermediates may be named too. */
  readonly outputs?: readonly string[];
  readonly signal?: AbortSignal;
  /** Called after each node with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface Executor {
  readonly backend: BackendName;
  run(feeds: ReadonlyMap<string, Tensor>, options?: RunOptions): Promise<Map<string, Tensor>>;
  dispose(): void;
}

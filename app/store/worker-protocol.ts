// Messages between the page and the run worker (./worker.ts). The worker keeps the last model
// it was sent, so a re-run only carries the feeds; a cancelled run terminates the worker.
import type { Tensor } from '../../kernels/tensor.js';
import type { Backend, RunPlacement } from './types.js';

export type ToWorker = {
  readonly type: 'run';
  readonly runId: number;
  readonly modelId: string;
  /** Present when the worker does not hold this model yet. */
  readonly modelBytes?: Uint8Array;
  readonly feeds: readonly (readonly [string, Tensor])[];
  /** The backend asked for; a failed WebGPU run falls back to the CPU (placement says why). */
  readonly backend: Backend;
};

export type FromWorker =
  | { readonly type: 'progress'; readonly runId: number; readonly done: number; readonly total: number }
  | {
      readonly type: 'result';
      readonly runId: number;
      readonly outputs: readonly (readonly [string, Tensor])[];
      readonly placement: RunPlacement;
    }
  | { readonly type: 'error'; readonly runId: number; readonly name: string; readonly message: string };

// Messages between the page and the quant worker (./worker-quant.ts): one request at a time per
// id, answered by a result or an error; progress in between; an abort message stops the request
// between two operators (the calibration stays resumable).
import type { Tensor } from '../../kernels/tensor.js';
import type { QuantConfig } from '../quant/config.js';
import type { MetricsResult, ParamSnapshot } from './quant-engine.js';
import type { CalibrationProgressView, OverrideMap, SimulationMode } from './quant-types.js';

export type Feeds = readonly (readonly [string, Tensor])[];

export type QuantRequest =
  | {
      readonly method: 'open';
      readonly bytes: Uint8Array;
      readonly fileName: string;
      readonly config: QuantConfig;
    }
  | {
      readonly method: 'start';
      readonly config: QuantConfig;
      readonly samples: readonly Feeds[];
      readonly description: string;
    }
  | { readonly method: 'step' }
  | { readonly method: 'run' }
  | { readonly method: 'reset' }
  | { readonly method: 'overview' }
  | {
      readonly method: 'metrics';
      readonly mode: SimulationMode;
      readonly sensitivity: boolean;
      readonly preview: boolean;
    }
  | {
      readonly method: 'passthrough';
      readonly tensor: string;
      readonly on: boolean;
      readonly mode: SimulationMode;
    }
  | { readonly method: 'overrides'; readonly changes: Readonly<Record<string, OverrideMap[string] | null>> }
  | { readonly method: 'nodeTensors'; readonly node: string }
  | { readonly method: 'tensorDetail'; readonly name: string }
  | { readonly method: 'strategyInputs' }
  | { readonly method: 'export' }
  | { readonly method: 'loadSession'; readonly text: string; readonly where: string }
  | { readonly method: 'config' }
  | { readonly method: 'snapshot' }
  | { readonly method: 'adopt'; readonly snapshot: ParamSnapshot }
  | { readonly method: 'setMetrics'; readonly result: MetricsResult };

export type QuantProgress =
  | { readonly kind: 'calibration'; readonly progress: CalibrationProgressView }
  | { readonly kind: 'metrics'; readonly done: number; readonly total: number; readonly what: string };

export type ToQuantWorker =
  | { readonly type: 'call'; readonly id: number; readonly request: QuantRequest }
  | { readonly type: 'abort'; readonly id: number };

export type FromQuantWorker =
  | { readonly type: 'progress'; readonly id: number; readonly progress: QuantProgress }
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  | { readonly type: 'error'; readonly id: number; readonly name: string; readonly message: string };

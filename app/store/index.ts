// What the UI may use: the store hook, its actions and plain view types. The UI imports from
// here only, so it never reaches the engine directly (Biome enforces that for app/ui).
export { detectGpu, setBackend } from './actions-gpu.js';
export {
  currentModel,
  dismissNotice,
  loadModelBytes,
  loadModelFile,
  selectNode,
  showNotice,
} from './actions-model.js';
export { resetInputDims, setInputDim } from './actions-dims.js';
export {
  DEFAULT_SAMPLE,
  loadDefaultSample,
  loadModelUrl,
  loadSample,
  openInitialModel,
  SAMPLES,
  type Sample,
} from './actions-open.js';
export { cancelRun, runModel, setInputChoice } from './actions-run.js';
export { useModelView, useNodeDetails } from './hooks.js';
export { type InputDim, MAX_DIM } from './input-dims.js';
export { digitUrl } from './sample-input.js';
export { type AppState, useAppStore } from './store.js';
export type * from './types.js';

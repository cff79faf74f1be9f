// What the UI may use of the quantization slice (beside ./index.ts): the store hook, actions,
// selectors and plain view types.
export {
  calibrate,
  clearManualRange,
  computePreview,
  dismissQuantError,
  inspectNode,
  pauseCalibration,
  refreshMetrics,
  resetCalibration,
  selectTensor,
  setConfig,
  setLogCount,
  setManualRange,
  setMode,
  setPassthrough,
  setSqnrKind,
  startQuantSync,
  stepCalibration,
  stopWorker,
} from './quant-actions.js';
export type { ImageFields, RandomSpec } from './quant-data.js';
export {
  setImageFields,
  chooseDataFiles,
  chooseDefaultData,
  chooseRandomData,
  followInputDims,
} from './quant-data-actions.js';
export { downloadExport, type ExportKind, uploadSession } from './quant-export.js';
export { makeShareLink, openSharedLink } from './share-actions.js';
export { reopenRecent, restoreLastSession, setKeepModelFiles } from './persist-actions.js';
export {
  HEAVY_CLIP,
  type NodeQuantMark,
  nodeColours,
  type QuantEdges,
  SQNR_BANDS,
  sqnrColour,
  useCalibrationNode,
  useNodeColours,
  useQuantEdges,
} from './quant-selectors.js';
export { type QuantState, useQuantStore } from './quant-store.js';
export { runStrategy, setStrategySource } from './quant-strategy.js';
export type * from './quant-types.js';
export { OBSERVER_NAMES, ROUNDING_NAMES } from '../quant/config.js';

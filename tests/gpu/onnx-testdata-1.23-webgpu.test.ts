// The onnx 1.23.1 backend tests that pass on the CPU interpreter, on the WebGPU executor, against
// the 'webgpu' entries of tests/conformance/status-onnx-1.23.json (see tests/conformance/suite.ts).
import { ONNX_1_23_TESTDATA } from '../conformance/onnx-testdata.js';
import { conformanceSuite } from '../conformance/suite.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();
conformanceSuite(ONNX_1_23_TESTDATA, 'webgpu');

// The libonnx-testdata tests that pass on the CPU interpreter, on the WebGPU executor (Dawn /
// SwiftShader), with ONNX's tolerance: each outcome must equal its 'webgpu' entry in
// tests/conformance/status.json (pass, or a one-line refusal). Nodes without a GPU kernel run on
// the CPU reference inside the GPU plan, so this checks the lowerings, the kernels and the
// fallbacks together.
import { LIBONNX_TESTDATA } from '../conformance/onnx-testdata.js';
import { conformanceSuite } from '../conformance/suite.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();
conformanceSuite(LIBONNX_TESTDATA, 'webgpu');

// The ONNX project's backend test data (Debian's libonnx-testdata, ONNX 1.12) on the CPU
// interpreter, compared with ONNX's tolerance (atol 1e-7 + rtol 1e-3 per element; integer and bool
// outputs exactly), against tests/conformance/status.json (see tests/conformance/suite.ts).
import { LIBONNX_TESTDATA } from '../conformance/onnx-testdata.js';
import { conformanceSuite } from '../conformance/suite.js';

conformanceSuite(LIBONNX_TESTDATA, 'cpu');

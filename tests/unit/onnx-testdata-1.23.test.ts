// The backend test data of onnx 1.23.1 (opsets up to 28, expected outputs from onnx's reference
// implementation; made by tests/conformance/make-onnx-testdata.sh) on the CPU interpreter, against
// tests/conformance/status-onnx-1.23.json (see tests/conformance/suite.ts).
import { ONNX_1_23_TESTDATA } from '../conformance/onnx-testdata.js';
import { conformanceSuite } from '../conformance/suite.js';

conformanceSuite(ONNX_1_23_TESTDATA, 'cpu');

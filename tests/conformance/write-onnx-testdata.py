# Writes the ONNX project's backend test data as onnx's own generator makes it: every node test
# (onnx.backend.test.case.node) and model test, each as model.onnx + test_data_set_N/*.pb, the
# layout libonnx-testdata and onnx's source tree use. onnx 1.23's `backend-test-tools
# generate-data` writes only the model tests, so this reuses its writer with the node cases added.
# The expected outputs come from onnx's reference implementation; the cases are deterministic.
# Usage: python write-onnx-testdata.py OUT_DIR   (run by make-onnx-testdata.sh)
import sys
import types

import onnx
import onnx.backend.test.case.model as model_test
import onnx.backend.test.case.node as node_test
import onnx.backend.test.cmd_tools as cmd_tools

out = sys.argv[1]
cases = model_test.collect_testcases() + node_test.collect_testcases()
model_test.collect_testcases = lambda: cases
cmd_tools.generate_data(types.SimpleNamespace(output=out))
print(f"onnx {onnx.__version__}: {len(cases)} test cases in {out}")

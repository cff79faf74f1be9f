#!/usr/bin/env bash
# Makes the newer ONNX backend test data (onnx 1.23.1, opsets up to 28) under
# .cache/onnx-testdata-1.23/ : a Python venv with the pinned onnx package, then its node and model
# tests written by write-onnx-testdata.py. Idempotent: does nothing when the data is there.
# Used by .ci/run; tests/unit/onnx-testdata.test.ts reads the result (ONNX_TESTDATA_NEWER overrides).
set -euo pipefail
cd "$(dirname "$0")/../.."
version=1.23.1
root=.cache/onnx-testdata-1.23
[ -f "$root/data/.complete" ] && exit 0
command -v python3 >/dev/null || { echo "error: python3 is needed to make the ONNX $version test data" >&2; exit 1; }
rm -rf "$root"
python3 -m venv "$root/venv"
# A local package index, where the machine has one, avoids minutes of retries when offline.
index=()
[ -d /opt/pypi/simple/onnx ] && index=(--index-url file:///opt/pypi/simple)
"$root/venv/bin/pip" install --quiet --disable-pip-version-check "${index[@]}" "onnx==$version"
"$root/venv/bin/python" -W ignore tests/conformance/write-onnx-testdata.py "$root/data"
touch "$root/data/.complete"

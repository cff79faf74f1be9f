// Help texts of `qplay`, kept apart from the logic so they read as documentation.

export const mainHelp = `qplay: inspect and run ONNX models headless (Quantization Playground engine)

usage: qplay <command> [options]

commands:
  inspect MODEL [--json]      format, opsets, inputs/outputs, op counts, parameters, unsupported ops
  run MODEL --input FILE ... --out DIR
                              run a model on input tensors and write its outputs
  calibrate MODEL --data DIR --out SESSION.json
                              quantize: calibrate operator by operator, write a session
  simulate MODEL --session S --input FILE ... --out DIR
                              run the quantized model (affine int8 or fake-quant)
  export MODEL --session S --out MODEL.qdq.onnx
                              write the QDQ ONNX model onnxruntime runs with the same numbers
  report MODEL --session S [--data DIR] [--json]
                              per-layer error, output agreement, sensitivity ranking
  link SESSION.json [--base URL]
                              the page's share link of a session (the URL is the last line)
  unlink URL --out SESSION.json [--model MODEL]
                              the session a share link holds
  help [COMMAND]              show help for a command

global options:
  -h, --help                  show help
  --debug                     print stack traces on errors

examples:
  qplay inspect tests/fixtures/models/mnist-8.onnx
  qplay calibrate tests/fixtures/models/mnist-8.onnx --data tests/fixtures/models/mnist-8.test_data \\
      --out mnist.session.json
  qplay export tests/fixtures/models/mnist-8.onnx --session mnist.session.json --out mnist.qdq.onnx
  qplay run tests/fixtures/models/mnist-8.onnx \\
      --input tests/fixtures/models/mnist-8.test_data/test_data_set_0/input_0.pb --out out/
`;

export const inspectHelp = `usage: qplay inspect MODEL [--json]

Prints what an ONNX model is: format and ir_version, opset imports (including com.microsoft),
producer, inputs and outputs with element types and shapes, op counts, the number of
parameters (initializer elements), and the ops the CPU interpreter cannot run, with the names
of the nodes that use them.

options:
  --json      print the same facts as one JSON object
`;

export const runHelp = `usage: qplay run MODEL --input FILE [--input FILE ...] --out DIR [options]

Runs MODEL on the given inputs and writes DIR/output_<k>.pb (ONNX TensorProto, named after the
output) for each model output, in the model's output order. A summary goes to stdout: a line per
output and, with --backend webgpu, where the nodes ran ('webgpu: 40 nodes on the GPU, 0 on the
CPU, 1 submit', naming the ops that fell back to the CPU reference).

inputs:
  --input FILE    an ONNX TensorProto file (.pb, as in ONNX test data sets) or a NumPy .npy file
                  (little endian f2/f4/f8/i1/u1/i2/u2/i4/u4/i8/u8/b1, C order). A tensor whose
                  name is one of the model's inputs goes to that input; unnamed tensors (.npy
                  files, .pb files without a name) fill the remaining inputs in order.

options:
  --out DIR       where to write the outputs (created if missing)
  --backend B     cpu (default) or webgpu (Dawn in Node)
  --integer       fuse QDQ groups into integer ops first, as onnxruntime does at
                  graphOptimizationLevel 'all' (a model without QDQ groups runs unchanged)
  --accumulation A
                  how uint8 x int8 conv/matmul sums accumulate: auto (default: what onnxruntime
                  does on this CPU), exact (the ONNX meaning, exact int32) or x86-u8s8-pairwise
                  (onnxruntime's MLAS on x86 without VNNI: adjacent products summed with int16
                  saturation, so a pair that overflows gives another result than exact)
`;

export const calibrateHelp = `usage: qplay calibrate MODEL --data DIR --out SESSION.json [options]

Quantizes MODEL the way onnxruntime's quantize_static lays out a QDQ model (uint8 asymmetric
activations, int8 symmetric per-channel weights, int32 bias by default) and calibrates it operator
by operator in topological order: each operator's output range is measured with every operator
before it already quantized (error propagation), then its scale and zero point are fixed
exactly as onnxruntime computes them. Writes the session document (docs/session-format.md)
with every parameter and the per-layer metrics.

data (--data DIR):
  DIR/<k>/input_<i>.pb    one sample per subdirectory (the ONNX test-data layout)
  DIR/*.pb, DIR/*.npy     one sample per file, for single-input models
  DIR/*.png|jpg|bmp       images, preprocessed: value = (pixel * scale - mean[c]) / std[c]
    --size HxW | N        size fed to the model (default: the input's static size)
    --layout nchw|nhwc    default: from the input's shape
    --mean a,b,c  --std a,b,c  --scale S (default 1/255)  --channel-order rgb|bgr

options:
  --config FILE           a quantization config (JSON, docs/session-format.md); flags override it
  --observer O            minmax (default), moving-average, percentile, entropy, mse
  --per-channel | --per-tensor   weight scales per output channel (default) or per tensor
  --activation-dtype T    uint8 (default) or int8
  --range R               full (default), restricted ([-127, 127]) or reduced (7-bit, as
                          onnxruntime's reduce_range)
  --no-error-propagation  calibrate every operator on the float model's values instead
  --backend B             cpu (default) or webgpu: the observers' statistics and the metrics on the GPU
  --out SESSION.json      the session document to write

A progress bar (operator k/N) goes to stderr when it is a terminal.
`;

export const simulateHelp = `usage: qplay simulate MODEL --session SESSION.json --input FILE [...] --out DIR [options]

Runs the quantized model a session describes and writes DIR/output_<k>.pb as 'qplay run' does.

options:
  --mode M              affine (default): conv/Gemm/MatMul as int8 kernels with integer
                        accumulators and a requantize, the rest in affine space where
                        onnxruntime's integer path keeps it (= onnxruntime 'all' on the export);
                        fake: quantize-dequantize in place, float ops between (= 'disabled')
  --accumulator A       auto (default for an int32 session: what onnxruntime does on this CPU,
                        exact with VNNI, x86 pairwise without), int32 (exact), x86-pairwise,
                        wrapN or satN (N in 8..32: an N-bit accumulator that wraps or saturates)
  --passthrough NAME,...  let these tensors through unquantized (repeatable)
  --backend B           cpu (default) or webgpu
`;

export const exportHelp = `usage: qplay export MODEL --session SESSION.json --out MODEL.qdq.onnx [--overrides FILE.json]

Writes the QDQ ONNX model of a session: QuantizeLinear/DequantizeLinear pairs on the quantized
activations, int8 weights (per-channel axis) behind a DequantizeLinear, int32 biases with scale
sx*sw, passthrough tensors left float. onnxruntime runs it with the numbers of 'qplay simulate'
(--mode affine at optimization level 'all', --mode fake at 'disabled').

  --overrides FILE.json  also write the parameters as onnxruntime TensorQuantOverrides
`;

export const reportHelp = `usage: qplay report MODEL --session SESSION.json [--data DIR] [--json] [options]

Per quantized layer: SQNR (dB) with only that layer quantized (local) and with everything up to
it quantized (cumulative), cosine similarity, max abs error, clip rate and accumulator overflows;
the model outputs' SQNR and top-1 agreement; and the sensitivity ranking: the output SQNR with
every layer quantized but one, the layer that costs most first. Without --data the metrics stored
in the session at calibration are shown (no sensitivity ranking).

options:
  --data DIR      samples to measure on (as for calibrate, with the same image options)
  --samples N     measure on the first N samples only (each metric costs whole inferences)
  --json          one JSON document: {layers, outputs, sensitivity} (SQNR null = exact)
  --mode M        affine (default) or fake
  --backend B     cpu (default) or webgpu
`;

export const linkHelp = `usage: qplay link SESSION.json [--base URL] [--sample FILE | --model-url URL] [--selected NODE]

Prints the page's share link of a session document; the URL is the last line. The session goes in
the URL's fragment (#s=..., never sent to a server): the model reference (name, byte size,
SHA-256), the configuration, every activation's parameters (scales as f32 bits), overrides,
passthrough flags and the calibration set's description, deflated. It leaves out the model's
bytes, the calibration data, the weight parameters (recomputed from the model, checked against a
digest) and the metrics (recomputed).

options:
  --base URL        the page's address (default http://localhost:5173/, where npm start serves it)
  --sample FILE     the model is the page's bundled sample FILE (it opens by itself)
  --model-url URL   the model is fetched from URL (it opens by itself); default: a local file the
                    person opening the link is asked for (checked by SHA-256)
  --selected NODE   the node selected when the link opens
`;

export const unlinkHelp = `usage: qplay unlink URL --out SESSION.json [--model MODEL]

Writes the session document a share link holds (the whole URL, its fragment, or the payload).
Without --model its weight parameters are left out (a session may leave them out; every reader
recomputes them); with --model they are recomputed from MODEL, whose SHA-256 must be the link's,
and checked against the link's digest. The metrics are not in a link.

options:
  --out SESSION.json   the session document to write
  --model MODEL        the model, to recompute and check the weight parameters
`;

export function helpFor(command: string | undefined): string | undefined {
  if (command === 'link') return linkHelp;
  if (command === 'unlink') return unlinkHelp;
  if (command === undefined || command === 'help') return mainHelp;
  if (command === 'inspect') return inspectHelp;
  if (command === 'run') return runHelp;
  if (command === 'calibrate') return calibrateHelp;
  if (command === 'simulate') return simulateHelp;
  if (command === 'export') return exportHelp;
  if (command === 'report') return reportHelp;
  return undefined;
}

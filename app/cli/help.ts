// Help texts of `qplay`, kept apart from the logic so they read as documentation.

export const mainHelp = `qplay: inspect and run ONNX models headless (Quantization Playground engine)

usage: qplay <command> [options]

commands:
  inspect MODEL [--json]      format, opsets, inputs/outputs, op counts, parameters, unsupported ops
  run MODEL --input FILE ... --out DIR
                              run a model on input tensors and write its outputs
  help [COMMAND]              show help for a command

global options:
  -h, --help                  show help
  --debug                     print stack traces on errors

examples:
  qplay inspect tests/fixtures/models/mnist-8.onnx
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
output) for each model output, in the model's output order. A summary goes to stdout.

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

export function helpFor(command: string | undefined): string | undefined {
  if (command === undefined || command === 'help') return mainHelp;
  if (command === 'inspect') return inspectHelp;
  if (command === 'run') return runHelp;
  return undefined;
}

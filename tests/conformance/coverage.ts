// Issue 10's measure on a conformance status file: of the tests that use no string, sequence,
// training or control-flow op (nor string/sequence/optional values), how many pass on BOTH
// backends (the CPU interpreter and the WebGPU executor), how many are refused, how many fail,
// and the commonest refusal reasons.
//   npx tsx tests/conformance/coverage.ts [--set 1.23] [--top N]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel } from '../../app/model/decode.js';
import type { Graph } from '../../app/model/ir.js';
import { LIBONNX_TESTDATA, ONNX_1_23_TESTDATA, testdataAvailable } from './onnx-testdata.js';
import { readStatus } from './status.js';

const STRING_OPS = new Set([
  'StringNormalizer',
  'StringConcat',
  'StringSplit',
  'RegexFullMatch',
  'TfIdfVectorizer',
  'LabelEncoder',
]);
const CONTROL_FLOW = new Set(['If', 'Loop', 'Scan']);
const SEQUENCE = /^(Sequence|SplitToSequence|ConcatFromSequence|Optional)/;

/** Why a test is outside the measure, or undefined when it counts. */
function excluded(graph: Graph, reason: string | undefined): string | undefined {
  const nodes = [...graph.nodes];
  for (const n of graph.nodes)
    for (const a of Object.values(n.attributes)) if (a.kind === 'graph') nodes.push(...a.value.nodes);
  for (const n of nodes) {
    if (n.domain.startsWith('ai.onnx.preview.training') || n.opType === 'Gradient') return 'training';
    if (CONTROL_FLOW.has(n.opType)) return 'control flow';
    if (SEQUENCE.test(n.opType)) return 'sequence';
    if (STRING_OPS.has(n.opType)) return 'string';
  }
  if ([...graph.inputs, ...graph.outputs].some((v) => v.kind)) return 'sequence';
  if (reason && /element type STRING/.test(reason)) return 'string';
  return undefined;
}

const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const set = flag('--set') === '1.23' ? ONNX_1_23_TESTDATA : LIBONNX_TESTDATA;
if (!testdataAvailable(set.root)) {
  console.error(`error: no ONNX test data at ${set.root} (${set.install})`);
  process.exit(1);
}
const tests = readStatus(set.statusPath).tests;
const skipped: Record<string, number> = {};
const counts = { pass: 0, refusedCpu: 0, refusedGpu: 0, fail: 0 };
const reasons = new Map<string, number>();
for (const [id, entry] of Object.entries(tests)) {
  let why: string | undefined;
  try {
    why = excluded(
      decodeModel(new Uint8Array(readFileSync(join(set.root, id, 'model.onnx')))).graph,
      entry.reason,
    );
  } catch (e) {
    // A model we cannot even decode (e.g. string initializers): classified by its message.
    why = /element type STRING/.test((e as Error).message) ? 'string' : undefined;
  }
  if (why) {
    skipped[why] = (skipped[why] ?? 0) + 1;
    continue;
  }
  const gpu = entry.webgpu;
  if (entry.outcome === 'fail' || gpu?.outcome === 'fail') counts.fail++;
  else if (entry.outcome === 'refused') counts.refusedCpu++;
  else if (gpu?.outcome !== 'pass') counts.refusedGpu++;
  else counts.pass++;
  const reason =
    entry.outcome !== 'pass' ? entry.reason : gpu?.outcome !== 'pass' ? `webgpu: ${gpu?.reason}` : undefined;
  if (reason) {
    const key = reason
      .replace(/node '[^']*' /, '')
      .replace(/\(node [^)]*\)/, '')
      .replace(/input '[^']*'/, 'input')
      .replace(/test_data_set_\d+: /, '');
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
}
const counted = counts.pass + counts.refusedCpu + counts.refusedGpu + counts.fail;
const pct = (n: number) => `${((100 * n) / counted).toFixed(1)}%`;
console.log(
  `${set.label}: ${Object.keys(tests).length} tests; outside the measure: ${JSON.stringify(skipped)}`,
);
console.log(
  `measured ${counted}: pass on both backends ${counts.pass} (${pct(counts.pass)}), refused on the CPU ${counts.refusedCpu}, refused on WebGPU only ${counts.refusedGpu}, fail ${counts.fail}`,
);
const top = Number(flag('--top') ?? 25);
for (const [r, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${String(n).padStart(5)}  ${r}`);

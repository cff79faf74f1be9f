// `qplay` end to end. Most cases call runCli in-process (fast on 2 shared cores); a few spawn
// the real command (node bin/qplay.mjs) to check exit codes, stream use and response time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { makeTensor, toFloat32 } from '../../kernels/tensor.js';
import { runCli } from '../../app/cli/cli.js';
import { decodeTensorFile, encodeTensorFile } from '../../app/model/tensor-proto.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { QUIET } from '../helpers/ort-quiet.js';

const repo = join(import.meta.dirname, '../..');
const models = join(repo, 'tests/fixtures/models');
const mnist = join(models, 'mnist-8.onnx');
const mnistData = join(models, 'mnist-8.test_data');
const tmp = mkdtempSync(join(tmpdir(), 'qplay-cli-test-'));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

/** A failure is exactly one `error:` line on stderr and nothing on stdout. */
function expectOneErrorLine(r: { stdout: string; stderr: string }, pattern: RegExp): void {
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
}

function npy(descr: string, shape: number[], data: ArrayBufferView): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header = `${header.padEnd(Math.ceil((11 + header.length) / 64) * 64 - 11, ' ')}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 255, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

function file(name: string, bytes: Uint8Array): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

// Two-input model with an op no executor has, and a com.microsoft opset import.
const customModel = file(
  'custom.onnx',
  buildModel({
    inputs: [
      { name: 'a', dtype: 'float32', dims: [2, 3] },
      { name: 'b', dtype: 'int8', dims: [3] },
    ],
    outputs: [{ name: 'y', dtype: 'float32', dims: [2, 3] }],
    nodes: [
      { op: 'FrobnicateNoSuchOp', name: 'frob_a', inputs: ['a', 'b'], outputs: ['t'] },
      { op: 'QLinearNoSuchOp', domain: 'com.microsoft', name: 'ms_b', inputs: ['t'], outputs: ['y'] },
    ],
    initializers: { w: makeTensor('float32', [4], [1, 2, 3, 4]) },
    msOpset: 1,
  }),
);
const aGood = file('a.npy', npy('<f4', [2, 3], new Float32Array(6)));
const bGood = file('b.pb', encodeTensorFile(makeTensor('int8', [3], [1, 2, 3]), 'b'));

describe('qplay: help and usage errors', () => {
  it('--help prints usage on stdout, exit 0; help run describes run', async () => {
    const h = await cli('--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/usage: qplay <command>/);
    const r = await cli('help', 'run');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: qplay run MODEL --input FILE/);
    expect((await cli('run', '--help')).stdout).toBe(r.stdout);
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['help', 'nope'], /unknown command 'nope'/],
    [['inspect'], /missing MODEL/],
    [['inspect', 'a', 'b'], /unexpected argument 'b'/],
    [['inspect', mnist, '--bogus'], /Unknown option '--bogus'/],
    [['run', mnist, '--input', aGood], /missing --out/],
    [['run', mnist, '--out', tmp, '--backend', 'tpu'], /--backend must be cpu or webgpu, not 'tpu'/],
  ])('%j is a usage error: exit 2, one line', async (argv, why) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expectOneErrorLine(r, why);
  });

  it('no command at all: usage on stderr, exit 2', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/usage: qplay/);
  });
});

describe('qplay inspect', () => {
  it('mnist-8: format, opsets, producer, inputs/outputs, op counts, parameters', async () => {
    const r = await cli('inspect', mnist);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/format\s+ONNX, ir_version 3/);
    expect(r.stdout).toMatch(/opsets\s+ai\.onnx 8/);
    expect(r.stdout).toMatch(/producer\s+CNTK 2\.5\.1/);
    expect(r.stdout).toMatch(/inputs\s+Input3 {2}float32 \[1, 1, 28, 28\]/);
    expect(r.stdout).toMatch(/outputs\s+Plus214_Output_0 {2}float32 \[1, 10\]/);
    // 5x5 convs 1->8 and 8->16 with biases, a 256x10 dense layer with bias: 200+8+3200+16+2560+10
    // = 5,994 weights, plus the two Reshape target shapes (2 int64 each).
    expect(r.stdout).toMatch(/parameters\s+5,998 in 8 initializers/);
    expect(r.stdout).toMatch(/ops\s+12 nodes: Add x3, Conv x2, MaxPool x2, Relu x2, Reshape x2, MatMul x1/);
  });

  it('--json: the integer-ops model, op counts and unsupported ops by node name', async () => {
    const r = await cli('inspect', join(models, 'mnist-8-integer-ops.onnx'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ format: 'ONNX', irVersion: 3, opsets: [{ domain: 'ai.onnx', version: 10 }] });
    expect(j.opCounts).toEqual(
      expect.arrayContaining([
        { opType: 'ConvInteger', domain: '', count: 2 },
        { opType: 'MatMulInteger', domain: '', count: 1 },
        { opType: 'QuantizeLinear', domain: '', count: 4 },
      ]),
    );
    expect(j.inputs).toEqual([
      { name: 'Input3', dtype: 'float32', shape: [1, 1, 28, 28], inferredShape: [1, 1, 28, 28] },
    ]);
    expect(j.outputs[0]).toMatchObject({ name: 'Plus214_Output_0', inferredShape: [1, 10] });
    expect(Array.isArray(j.unsupported)).toBe(true);
  });

  it('a com.microsoft opset and unknown ops are listed with their node names', async () => {
    const r = await cli('inspect', customModel, '--json');
    const j = JSON.parse(r.stdout);
    expect(j.opsets).toEqual([
      { domain: 'ai.onnx', version: 13 },
      { domain: 'com.microsoft', version: 1 },
    ]);
    expect(j.parameterCount).toBe(4);
    expect(j.unsupported).toEqual([
      { opType: 'FrobnicateNoSuchOp', domain: '', nodes: ['frob_a'] },
      { opType: 'QLinearNoSuchOp', domain: 'com.microsoft', nodes: ['ms_b'] },
    ]);
    const text = await cli('inspect', customModel);
    expect(text.stdout).toMatch(
      /unsupported\s+FrobnicateNoSuchOp \(nodes: frob_a\)\n\s+com\.microsoft\.QLinearNoSuchOp \(nodes: ms_b\)/,
    );
  });

  it.each([
    ['a missing file', join(tmp, 'nope.onnx'), /cannot read model '.*nope\.onnx': no such file/],
    ['a directory', tmp, /cannot read model '.*': it is a directory/],
    ['a text file', join(repo, 'package.json'), /package\.json: not an ONNX model/],
    [
      'an empty file',
      file('empty.onnx', new Uint8Array(0)),
      /empty\.onnx: not an ONNX model: the file is empty/,
    ],
    [
      'a truncated model',
      file('trunc.onnx', readFileSync(mnist).subarray(0, 9000)),
      /trunc\.onnx: .*truncated\/corrupt/,
    ],
  ])('%s: exit 1, one error line naming the file', async (_, path, why) => {
    const r = await cli('inspect', path);
    expect(r.code).toBe(1);
    expectOneErrorLine(r, why);
  });
});

describe('qplay run: refusals', () => {
  const out = join(tmp, 'out-refused');
  it.each([
    [
      'unsupported ops on the webgpu backend (named like the CPU backend does)',
      [customModel, '--input', aGood, '--input', bGood, '--backend', 'webgpu'],
      /custom\.onnx: unsupported ops: FrobnicateNoSuchOp \(node frob_a\)/,
    ],
    [
      'unsupported ops, also with --integer',
      [customModel, '--input', aGood, '--input', bGood, '--integer'],
      /custom\.onnx: unsupported ops: FrobnicateNoSuchOp \(node frob_a\)/,
    ],
    [
      'a missing input file',
      [customModel, '--input', aGood, '--input', join(tmp, 'nope.pb')],
      /cannot read input file '.*nope\.pb': no such file/,
    ],
    [
      'too few inputs',
      [customModel, '--input', aGood],
      /the model has 2 inputs \(a, b\), 1 --input file was given/,
    ],
    ['no inputs', [customModel], /the model has 2 inputs \(a, b\), 0 --input files were given/],
    [
      'an unknown input name',
      [
        customModel,
        '--input',
        aGood,
        '--input',
        file('c.pb', encodeTensorFile(makeTensor('int8', [3]), 'c')),
      ],
      /'.*c\.pb' holds a tensor named 'c'; the model has no input of that name \(inputs: a, b\)/,
    ],
    [
      'the wrong shape',
      [customModel, '--input', file('a23.npy', npy('<f4', [3, 2], new Float32Array(6))), '--input', bGood],
      /input 'a' from '.*a23\.npy' has shape \[3, 2\]; the model expects \[2, 3\]/,
    ],
    [
      'the wrong dtype',
      [customModel, '--input', file('ai.npy', npy('<i4', [2, 3], new Int32Array(6))), '--input', bGood],
      /input 'a' from '.*ai\.npy' is int32; the model expects float32/,
    ],
    [
      'a corrupt tensor file',
      [customModel, '--input', aGood, '--input', file('bad.pb', Uint8Array.from([0xff, 0xff, 0xff]))],
      /input file '.*bad\.pb'/,
    ],
    [
      'unsupported ops',
      [customModel, '--input', aGood, '--input', bGood],
      /custom\.onnx: unsupported ops: FrobnicateNoSuchOp \(node frob_a\); com\.microsoft\.QLinearNoSuchOp \(node ms_b\)/,
    ],
  ])('%s: exit 1, one error line', async (_, args, why) => {
    const r = await cli('run', ...(args as string[]), '--out', out);
    expect(r.code).toBe(1);
    expectOneErrorLine(r, why);
  });

  it('inputs are matched by name whatever their order (the failure is then the unsupported op)', async () => {
    const bFirst = file('b-named.pb', encodeTensorFile(makeTensor('int8', [3]), 'b'));
    const r = await cli('run', customModel, '--input', bFirst, '--input', aGood, '--out', out);
    expectOneErrorLine(r, /unsupported ops/);
  });
});

describe('qplay run: mnist-8 on its test data', () => {
  it.each([
    ['a TensorProto .pb', 'pb'],
    ['a .npy file', 'npy'],
  ])('with %s input: writes output_0.pb named after the output, matching the reference', async (_, kind) => {
    const input = decodeTensorFile(readFileSync(join(mnistData, 'test_data_set_1/input_0.pb'))).tensor;
    const expected = toFloat32(
      decodeTensorFile(readFileSync(join(mnistData, 'test_data_set_1/output_0.pb'))).tensor,
    );
    const inputPath =
      kind === 'pb'
        ? join(mnistData, 'test_data_set_1/input_0.pb')
        : file('digit.npy', npy('<f4', [1, 1, 28, 28], input.data));
    const outDir = join(tmp, `out-${kind}`, 'nested');
    const r = await cli('run', mnist, '--input', inputPath, '--out', outDir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^output_0\.pb {2}Plus214_Output_0 {2}float32 \[1, 10\] /);
    const written = decodeTensorFile(readFileSync(join(outDir, 'output_0.pb')));
    expect(written.name).toBe('Plus214_Output_0');
    const got = toFloat32(written.tensor);
    for (let i = 0; i < 10; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThanOrEqual(1e-2);
  });
});

describe('qplay run --integer on a QDQ model', () => {
  // x -> Q -> DQ -> MatMul(DQ(W)) -> Q -> DQ -> y: onnxruntime 'all' fuses it into QLinearMatMul,
  // 'disabled' runs it op by op; the two can differ by a quantization step, and each CLI mode must
  // match its counterpart exactly. Weights stay within [-63, 63] so that no pair of uint8 x int8
  // products can exceed int16: onnxruntime on AVX2-without-VNNI CPUs (this machine, measured)
  // saturates such pairs (VPMADDUBSW), VNNI CPUs do not; the test must hold on both.
  const scalar = (dtype: 'float32' | 'uint8' | 'int8', v: number) => makeTensor(dtype, [], [v]);
  const [M, K, N] = [16, 64, 16];
  let seed = 7;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; // a seeded LCG: reproducible inputs
    return seed / 2 ** 32;
  };
  const w = makeTensor(
    'int8',
    [K, N],
    Array.from({ length: K * N }, () => Math.floor(next() * 127) - 63),
  );
  const qdqBytes = buildModel({
    inputs: [{ name: 'x', dtype: 'float32', dims: [M, K] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [M, N] }],
    nodes: [
      { op: 'QuantizeLinear', inputs: ['x', 'xs', 'xz'], outputs: ['xq'] },
      { op: 'DequantizeLinear', inputs: ['xq', 'xs', 'xz'], outputs: ['xd'] },
      { op: 'DequantizeLinear', inputs: ['w', 'ws', 'wz'], outputs: ['wd'] },
      { op: 'MatMul', inputs: ['xd', 'wd'], outputs: ['m'] },
      { op: 'QuantizeLinear', inputs: ['m', 'ys', 'yz'], outputs: ['mq'] },
      { op: 'DequantizeLinear', inputs: ['mq', 'ys', 'yz'], outputs: ['y'] },
    ],
    initializers: {
      xs: scalar('float32', 0.0078125),
      xz: scalar('uint8', 128),
      w,
      ws: scalar('float32', 0.003),
      wz: scalar('int8', 0),
      ys: scalar('float32', 0.021),
      yz: scalar('uint8', 120),
    },
  });
  const qdqModel = file('qdq-matmul.onnx', qdqBytes);
  const x = makeTensor(
    'float32',
    [M, K],
    Array.from({ length: M * K }, () => next() * 2 - 1),
  );
  const xFile = file('qdq-x.pb', encodeTensorFile(x, 'x'));

  async function ortRun(level: 'all' | 'disabled'): Promise<number[]> {
    const session = await ort.InferenceSession.create(qdqBytes, { ...QUIET, graphOptimizationLevel: level });
    const ref = (await session.run({ x: new ort.Tensor('float32', x.data as Float32Array, [M, K]) })).y;
    await session.release();
    return Array.from(ref.data as Float32Array);
  }

  it('precondition: the two onnxruntime modes differ on this input (so the test tells them apart)', async () => {
    expect(await ortRun('all')).not.toEqual(await ortRun('disabled'));
  });

  it.each([
    ['--integer', 'all'],
    ['plain', 'disabled'],
  ] as const)('%s matches onnxruntime %s bit for bit', async (mode, level) => {
    const outDir = join(tmp, `qdq-${mode}`);
    const r = await cli(
      'run',
      qdqModel,
      '--input',
      xFile,
      '--out',
      outDir,
      ...(mode === 'plain' ? [] : ['--integer']),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ours = toFloat32(decodeTensorFile(readFileSync(join(outDir, 'output_0.pb'))).tensor);
    expect(Array.from(ours)).toEqual(await ortRun(level));
  });
});

describe('the real command (node bin/qplay.mjs)', () => {
  function spawnQplay(...args: string[]) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(repo, 'bin/qplay.mjs'), ...args], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 30_000,
    });
    return {
      code: r.status,
      signal: r.signal,
      stdout: r.stdout,
      stderr: r.stderr,
      ms: performance.now() - t0,
    };
  }

  it('inspect succeeds with exit 0; a usage error exits 2', () => {
    const ok = spawnQplay('inspect', mnist);
    expect(ok.stderr).toBe('');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Plus214_Output_0/);
    const bad = spawnQplay('inspect');
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/^error: inspect: missing MODEL/);
  });

  it('a malformed model answers with one error line, exit 1, and quickly', async () => {
    const bytes = new Uint8Array(readFileSync(join(models, 'light-squeezenet.onnx')));
    const half = file('half.onnx', bytes.slice(0, bytes.length >> 1));
    // The handling itself (read, decode, refuse) within 2 s, timed in-process: a spawned
    // command's time is mostly Node + tsx starting, ~1 s idle but 10 s on this shared machine
    // under load, which says nothing about the file.
    for (const damaged of [
      half,
      file(
        'flipped.onnx',
        bytes.map((b, i) => (i % 97 === 5 ? b ^ 0x40 : b)),
      ),
    ]) {
      const t0 = performance.now();
      const inProcess = await cli('inspect', damaged);
      expect(performance.now() - t0, damaged).toBeLessThan(2000);
      expect(inProcess.code === 1 || inProcess.code === 0, inProcess.stderr).toBe(true);
    }
    // The real command: never hangs (the spawn is killed after 30 s) and takes no longer than
    // a trivial command by more than 2 s plus the load's noise (the trivial one timed twice).
    const baseline = Math.max(spawnQplay('--help').ms, spawnQplay('--help').ms);
    const r = spawnQplay('inspect', half);
    expect(r.signal, 'killed by the 30 s timeout').toBeNull();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*half\.onnx: not an ONNX model, or truncated\/corrupt/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace without --debug
    expect(r.ms).toBeLessThan(2 * baseline + 2000);
  });

  it('--debug adds the stack trace', () => {
    const r = spawnQplay('inspect', join(tmp, 'nope.onnx'), '--debug');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(/error: cannot read model/);
  });
});

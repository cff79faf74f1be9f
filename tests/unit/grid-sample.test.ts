// GridSample (kernels/grid-sample/grid-sample.ref.ts) on the CPU interpreter: random 4-D cases at
// opset 16 and 20 in every mode / padding / align_corners against onnxruntime-node (1e-4
// relative), 5-D (opset 20) against literals from the ONNX reference implementation (which
// onnxruntime's CPU kernel lacks for cubic), and one-line refusals.
import { describe, expect, it } from 'vitest';
import { makeTensor } from '../../kernels/tensor.js';
import { gridSampleRef } from '../../kernels/grid-sample/grid-sample.ref.js';
import {
  expectNear,
  type OneNode,
  pick,
  randInt,
  randomTensor,
  rng,
  runOrt,
  runOurs,
} from './tensor-oracle.helper.js';

/** Within 1e-4 relative (+1e-6 absolute) of literal expected values. */
function expectNearList(got: ArrayLike<number | bigint>, want: readonly number[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(Number(got[i]) - want[i])).toBeLessThanOrEqual(1e-4 * Math.abs(want[i]) + 1e-6);
  }
}

function node(
  x: ReturnType<typeof randomTensor>,
  grid: ReturnType<typeof randomTensor>,
  opset: number,
  attrs: OneNode['attrs'],
): OneNode {
  return {
    op: 'GridSample',
    opset,
    inputs: [
      ['X', x],
      ['grid', grid],
    ],
    outputs: [{ name: 'Y', dtype: x.dtype }],
    attrs,
  };
}

describe('GridSample vs onnxruntime-node (1e-4 relative)', () => {
  it('4-D: random modes, paddings and align_corners at opset 16 and 20', async () => {
    const r = rng(16);
    for (let k = 0; k < 48; k++) {
      const opset = pick(r, [16, 20]);
      const mode = pick(r, ['linear', 'nearest', 'cubic']);
      const name = opset < 20 ? { linear: 'bilinear', nearest: 'nearest', cubic: 'bicubic' }[mode]! : mode;
      const padding = pick(r, ['zeros', 'border', 'reflection']);
      const align = randInt(r, 0, 1);
      const n = randInt(r, 1, 2);
      const c = randInt(r, 1, 3);
      // A size-1 dim makes reflection with align_corners divide by zero in onnxruntime.
      const minDim = padding === 'reflection' && align === 1 ? 2 : 1;
      const xDims = [n, c, randInt(r, minDim, 5), randInt(r, minDim, 5)];
      const x = randomTensor(r, 'float32', xDims, -10, 10);
      // Coordinates past [-1, 1] exercise the padding modes, except where onnxruntime departs from
      // the ONNX reference there (see grid-sample.ref.ts; the literal cases below cover them).
      const departs =
        (padding === 'reflection' && mode !== 'nearest') || (padding === 'border' && mode === 'cubic');
      const span = departs ? 1 : 1.6;
      const grid = randomTensor(r, 'float32', [n, randInt(r, 1, 4), randInt(r, 1, 4), 2], -span, span);
      const c0 = node(x, grid, opset, { mode: name, padding_mode: padding, align_corners: align });
      const what = `GridSample-${opset} ${name} ${padding} align=${align} [${xDims}]`;
      expectNear(runOurs(c0)[0], (await runOrt(c0))[0], what, 1e-4, 1e-5);
    }
  });

  it('nearest rounds halves to even, as onnxruntime', async () => {
    // 4 columns, align_corners 0: x = ((g + 1) * 4 - 1) / 2, exact in float32: g = 0 gives 1.5
    // (-> 2), g = -0.5 gives 0.5 (-> 0), g = 0.5 gives 2.5 (-> 2).
    const x = makeTensor('float32', [1, 1, 1, 4], [10, 20, 30, 40]);
    const grid = makeTensor('float32', [1, 1, 3, 2], [0, 0, -0.5, 0, 0.5, 0]);
    const c = node(x, grid, 20, { mode: 'nearest' });
    const ours = runOurs(c)[0];
    expect(Array.from(ours.data as Float32Array)).toEqual([30, 10, 30]);
    expectNear(ours, (await runOrt(c))[0], 'nearest halves');
  });
});

// onnx.reference.ReferenceEvaluator (onnx 1.23) on the 5-D case below: mode, padding, align_corners, Y.
const EXPECTED: Array<[string, string, number, number[]]> = [
  ['linear', 'zeros', 0, [3.9599995613098145, 0.10399992763996124, 0.0, 0.0]],
  ['linear', 'zeros', 1, [4.324999809265137, 1.8199998140335083, 2.1959996223449707, 0.6843750476837158]],
  ['linear', 'border', 0, [4.949999809265137, 1.6000001430511475, 6.700000286102295, 1.500000238418579]],
  ['linear', 'border', 1, [4.324999809265137, 2.5999999046325684, 6.100000381469727, 0.9125000238418579]],
  ['linear', 'reflection', 0, [4.949999809265137, 1.6000001430511475, 6.5500006675720215, 1.500000238418579]],
  ['linear', 'reflection', 1, [4.324999809265137, 2.75, 5.600000381469727, 2.4124999046325684]],
  ['nearest', 'zeros', 0, [6.0, 0.0, 0.0, 0.0]],
  ['nearest', 'zeros', 1, [6.0, 1.0, 0.0, 1.5]],
  ['nearest', 'border', 0, [6.0, 1.0, 8.5, 1.5]],
  ['nearest', 'border', 1, [6.0, 1.0, 8.5, 1.5]],
  ['nearest', 'reflection', 0, [6.0, 1.0, 8.5, 1.5]],
  ['nearest', 'reflection', 1, [6.0, 1.0, 8.0, 1.5]],
  ['cubic', 'zeros', 0, [4.791106224060059, 0.10453136265277863, -0.3045338988304138, 0.0]],
  ['cubic', 'zeros', 1, [4.815058708190918, 2.189070701599121, 2.684084177017212, 0.2854440212249756]],
  ['cubic', 'border', 0, [5.31318998336792, 1.7138135433197021, 6.82600212097168, 1.561500072479248]],
  ['cubic', 'border', 1, [4.2633161544799805, 2.5234999656677246, 6.171999454498291, 1.0896642208099365]],
  ['cubic', 'reflection', 0, [5.457188129425049, 1.7995015382766724, 7.0513787269592285, 1.561500072479248]],
  ['cubic', 'reflection', 1, [4.570441246032715, 2.3277499675750732, 6.143000602722168, 2.243163824081421]],
];

describe('GridSample N-D (opset 20) against the ONNX reference implementation', () => {
  // X = i / 2 - 3 as [1, 1, 2, 3, 4]; four grid points (x, y, z), some outside [-1, 1].
  const x = makeTensor(
    'float32',
    [1, 1, 2, 3, 4],
    Array.from({ length: 24 }, (_, i) => i * 0.5 - 3),
  );
  const pts = [0.1, -0.3, 0.7, -1.2, 0.9, -0.4, 1.4, 1.1, 0.2, -0.05, 0.6, -1.5];
  const grid = makeTensor('float32', [1, 1, 2, 2, 3], pts);
  for (const [mode, padding, align, want] of EXPECTED) {
    it(`${mode} ${padding} align_corners=${align}`, () => {
      const y = gridSampleRef(x, grid, {
        mode: mode as 'linear',
        padding: padding as 'zeros',
        alignCorners: align === 1,
      });
      expect(y.dims).toEqual([1, 1, 1, 2, 2]);
      expectNearList(y.data, want);
    });
  }
});

describe('GridSample 4-D outside the valid range, where onnxruntime departs from the ONNX reference', () => {
  // X = 1.5 i - 4 as [1, 1, 3, 3]; three grid points outside [-1, 1]; expected values from
  // onnx.reference.ReferenceEvaluator (onnx 1.23), which moves the coordinate into range first.
  const x = makeTensor(
    'float32',
    [1, 1, 3, 3],
    Array.from({ length: 9 }, (_, i) => i * 1.5 - 4),
  );
  const grid = makeTensor('float32', [1, 1, 3, 2], [-1.4, 0.3, 1.3, -1.25, 0.2, 1.45]);
  const cases: Array<[string, string, number, number[]]> = [
    ['linear', 'reflection', 0, [2.674999237060547, -1.0, 6.16249942779541]],
    ['linear', 'reflection', 1, [2.4499998092651367, -0.32499992847442627, 4.775000095367432]],
    ['cubic', 'border', 0, [2.95658016204834, -1.0, 7.083870887756348]],
    ['cubic', 'border', 1, [2.2516233921051025, -1.0, 6.908002853393555]],
    ['cubic', 'reflection', 0, [3.0694549083709717, -1.3157026767730713, 6.487216949462891]],
    ['cubic', 'reflection', 1, [2.776247024536133, -0.7955315113067627, 5.782158851623535]],
  ];
  for (const [mode, padding, align, want] of cases) {
    it(`${mode} ${padding} align_corners=${align}`, () => {
      const y = gridSampleRef(x, grid, {
        mode: mode as 'linear',
        padding: padding as 'zeros',
        alignCorners: align === 1,
      });
      expectNearList(y.data, want);
    });
  }

  it('reflection of a size-1 dim with align_corners stays finite (PyTorch gives index 0)', () => {
    const one = makeTensor('float32', [1, 1, 1, 2], [5, 7]);
    const g = makeTensor('float32', [1, 1, 2, 2], [1.7, -0.4, -2.2, 1.9]);
    for (const mode of ['linear', 'nearest', 'cubic'] as const) {
      const y = gridSampleRef(one, g, { mode, padding: 'reflection', alignCorners: true });
      for (const v of y.data) expect(Number.isFinite(Number(v))).toBe(true);
    }
  });
});

describe('GridSample refusals', () => {
  it('refuses opset-20 mode names at 16, 5-D at 16 and unknown paddings in one line', () => {
    const r = rng(3);
    const x = randomTensor(r, 'float32', [1, 1, 2, 2]);
    const grid = randomTensor(r, 'float32', [1, 1, 1, 2], -1, 1);
    expect(() => runOurs(node(x, grid, 16, { mode: 'linear' }))).toThrow(
      /mode 'linear' at opset 16 is not supported/,
    );
    expect(() => runOurs(node(x, grid, 20, { padding_mode: 'wrap' }))).toThrow(
      /padding_mode 'wrap' is not supported/,
    );
    const x5 = randomTensor(r, 'float32', [1, 1, 2, 2, 2]);
    const g5 = randomTensor(r, 'float32', [1, 1, 1, 1, 3], -1, 1);
    expect(() => runOurs(node(x5, g5, 16, {}))).toThrow(/rank 5 input at opset 16 is not supported/);
  });
});

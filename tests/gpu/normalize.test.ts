// normalize.wgsl (LayerNorm, RMSNorm, InstanceNorm, GroupNorm 18 and 21) vs layer-norm.ref.ts and
// channel-norm.ref.ts. Tolerance: 2e-5 relative + 2e-5 absolute for inputs in [-3, 3] and
// scale/bias in [-1, 1] (f32 sums of up to a few thousand terms vs the reference's f64; the
// absolute term covers outputs near zero).
import { describe, expect, it } from 'vitest';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { groupNormalization, instanceNormalization } from '../../kernels/normalization/channel-norm.ref.js';
import {
  layerNormalization,
  rmsNormalization,
  rowsCols,
} from '../../kernels/normalization/layer-norm.ref.js';
import {
  groupNormGeometry,
  layerNormGeometry,
  prepareNormalize,
} from '../../kernels/normalization/normalize.js';
import { makeTensor } from '../../kernels/tensor.js';
import {
  expectClose as expectOrtClose,
  type OneNodeCase,
  oneNodeModel,
  randomFloats as randomTensor,
  runOrt,
} from '../unit/nn-oracle.helper.js';
import { expectClose, randomFloats, runOnGpu } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);
const RTOL = 2e-5;
const ATOL = 2e-5;

describe('normalize.wgsl: LayerNormalization and RMSNormalization', () => {
  const cases: [number[], number, boolean][] = [
    [[1, 8], -1, true],
    [[3, 1000], 1, true],
    [[2, 3, 4, 5], 2, false],
    [[2, 3, 4, 5], 0, true],
    [[7, 1], -1, true],
    [[4, 129], -1, false],
  ];
  for (const [dims, axis, withBias] of cases) {
    for (const rms of [false, true]) {
      it(`${rms ? 'RMSNorm' : 'LayerNorm'} x=[${dims}] axis=${axis} bias=${withBias && !rms}`, async () => {
        const r = rng(size(dims) * 7 + axis + (rms ? 1 : 0));
        const a = axis < 0 ? axis + dims.length : axis;
        const { rows, cols } = rowsCols(dims, a);
        const pdims = dims.slice(a);
        const x = makeTensor('float32', dims, randomFloats(r, size(dims), -3, 3));
        const s = makeTensor('float32', pdims, randomFloats(r, cols));
        const b = makeTensor('float32', pdims, randomFloats(r, cols));
        const bias = withBias && !rms;
        const expected = rms
          ? rmsNormalization(x, s, axis, 1e-5)
          : layerNormalization(x, s, bias ? b : undefined, axis, 1e-5).y;
        const ctx = await gpu();
        const out = await runOnGpu(ctx, [x.data, s.data, b.data], size(dims) * 4, ([xb, sb, bb], y) =>
          prepareNormalize(ctx, xb, sb, bias ? bb : undefined, y, layerNormGeometry(rows, cols, 1e-5, rms)),
        );
        expectClose(new Float32Array(out), expected.data as Float32Array, RTOL, ATOL);
      });
    }
  }
});

describe('normalize.wgsl: InstanceNormalization and GroupNormalization', () => {
  const cases: [number[], number][] = [
    [[1, 4, 3, 3], 2],
    [[2, 6, 5], 3],
    [[2, 6, 5], 6],
    [[3, 8, 17, 9], 4],
    [[1, 3, 1], 1],
  ];
  for (const [dims, groups] of cases) {
    const c = dims[1];
    it(`InstanceNorm x=[${dims}]`, async () => {
      const r = rng(size(dims) + 11);
      const x = makeTensor('float32', dims, randomFloats(r, size(dims), -3, 3));
      const s = makeTensor('float32', [c], randomFloats(r, c));
      const b = makeTensor('float32', [c], randomFloats(r, c));
      const expected = instanceNormalization(x, s, b, 1e-3);
      const ctx = await gpu();
      const out = await runOnGpu(ctx, [x.data, s.data, b.data], size(dims) * 4, ([xb, sb, bb], y) =>
        prepareNormalize(ctx, xb, sb, bb, y, groupNormGeometry(dims, c, 1e-3)),
      );
      expectClose(new Float32Array(out), expected.data as Float32Array, RTOL, ATOL);
    });
    for (const perGroup of [false, true]) {
      it(`GroupNorm-${perGroup ? 18 : 21} x=[${dims}] groups=${groups}`, async () => {
        const r = rng(size(dims) + groups + (perGroup ? 5 : 0));
        const np = perGroup ? groups : c;
        const x = makeTensor('float32', dims, randomFloats(r, size(dims), -3, 3));
        const s = makeTensor('float32', [np], randomFloats(r, np));
        const b = makeTensor('float32', [np], randomFloats(r, np));
        const expected = groupNormalization(x, s, b, groups, 1e-5, !perGroup);
        const ctx = await gpu();
        const out = await runOnGpu(ctx, [x.data, s.data, b.data], size(dims) * 4, ([xb, sb, bb], y) =>
          prepareNormalize(ctx, xb, sb, bb, y, groupNormGeometry(dims, groups, 1e-5, perGroup)),
        );
        expectClose(new Float32Array(out), expected.data as Float32Array, RTOL, ATOL);
      });
    }
  }
});

describe('normalizations on the WebGPU executor vs onnxruntime-node (1e-4 relative + 1e-5)', () => {
  const cases: Array<[string, OneNodeCase]> = [];
  const r = rng(99);
  for (const [dims, axis] of [
    [[2, 3, 4, 5], 1],
    [[4, 40], -1],
    [[3, 2, 70], 2],
  ] as const) {
    const pdims = dims.slice(axis < 0 ? axis + dims.length : axis);
    cases.push([
      `LayerNorm with Mean and InvStdDev x=[${dims}] axis=${axis}`,
      {
        op: 'LayerNormalization',
        opset: 17,
        inputs: [
          ['X', randomTensor(r, dims, -3, 3)],
          ['Scale', randomTensor(r, pdims)],
          ['B', randomTensor(r, pdims)],
        ],
        outputs: [
          { name: 'Y', dtype: 'float32' },
          { name: 'Mean', dtype: 'float32' },
          { name: 'InvStdDev', dtype: 'float32' },
        ],
        attrs: { axis },
        constants: ['Scale', 'B'],
      },
    ]);
  }
  cases.push([
    'RMSNorm x=[3, 5, 33]',
    {
      op: 'RMSNormalization',
      opset: 23,
      inputs: [
        ['X', randomTensor(r, [3, 5, 33], -3, 3)],
        ['scale', randomTensor(r, [33])],
      ],
    },
  ]);
  cases.push([
    'InstanceNorm x=[2, 3, 7, 6]',
    {
      op: 'InstanceNormalization',
      opset: 6,
      inputs: [
        ['input', randomTensor(r, [2, 3, 7, 6], -3, 3)],
        ['scale', randomTensor(r, [3])],
        ['B', randomTensor(r, [3])],
      ],
    },
  ]);
  for (const opset of [18, 21]) {
    const np = opset === 18 ? 2 : 6;
    cases.push([
      `GroupNorm-${opset} x=[2, 6, 5, 4] groups=2`,
      {
        op: 'GroupNormalization',
        opset,
        inputs: [
          ['X', randomTensor(r, [2, 6, 5, 4], -3, 3)],
          ['scale', randomTensor(r, [np])],
          ['bias', randomTensor(r, [np])],
        ],
        attrs: { num_groups: 2 },
        constants: ['scale', 'bias'],
      },
    ]);
  }
  for (const [label, c] of cases) {
    it(label, async () => {
      await gpu();
      const model = decodeModel(oneNodeModel(c));
      const constants = new Set(c.constants ?? []);
      const feeds = new Map(
        c.inputs.filter(([n, t]) => t && !constants.has(n)).map(([n, t]) => [n, t!] as const),
      );
      const exec = await WebGpuExecutor.create(model);
      try {
        const ours = await exec.run(feeds);
        expect((await exec.summary()).cpuFallbacks).toEqual([]);
        const theirs = await runOrt(c);
        for (const [name, t] of theirs) expectOrtClose(ours.get(name)!, t, 1e-4, 1e-5, `${label} ${name}`);
      } finally {
        exec.dispose();
      }
    });
  }
});

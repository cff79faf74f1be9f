// MaxPool / AveragePool of any rank (and MaxPool's int64 Indices) on the window-table kernel, and
// f32 3-D Conv, as one-node models on the WebGPU executor against the CPU reference, with no CPU
// fallback (app/exec/webgpu/lower-3d.ts): MaxPool and its Indices exact; AveragePool bit-exact up
// to 3-D (the reference's f32 order replayed), within 1e-6 relative above; Conv bit-exact (every
// path of the MLAS plan: direct GEMM, thread tiles, segments, K blocks, both M1 kernels). The table itself (pool-order.ts) is also evaluated here on the host, for
// 1-D to 3-D including the 2-D paths the GPU keeps on pool.wgsl, bit for bit against the reference.
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { averagePoolOrder, type PoolOrder } from '../../kernels/pool/pool-order.js';
import { averagePool, type PoolParams } from '../../kernels/pool/pool.ref.js';
import type { Tensor } from '../../kernels/tensor.js';
import { type AttrInput, buildModel } from '../helpers/onnx-builder.js';
import {
  expectNear,
  expectSameTensor,
  type OneNode,
  pick,
  randInt,
  randomTensor,
  rng,
  runOurs,
} from '../unit/tensor-oracle.helper.js';
import { runModelOnGpu, runOnGpu } from './extra-ops.helper.js';
import { expectFloat16Near, f16Random } from './float16-helpers.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

type Attrs = Record<string, AttrInput>;

function poolNode(op: string, x: Tensor, attrs: Attrs, opset: number, indices = false): OneNode {
  const outputs: OneNode['outputs'] = [{ name: 'y', dtype: 'float32' }];
  if (indices) outputs.push({ name: 'i', dtype: 'int64' });
  return { op, opset, inputs: [['x', x]], outputs, attrs };
}

async function checkPool(c: OneNode, what: string, exact: boolean): Promise<void> {
  const got = await runOnGpu(c, what);
  const want = runOurs(c);
  c.outputs.forEach((o, i) => {
    if (exact || o.dtype === 'int64') expectSameTensor(got.get(o.name)!, want[i], `${what} ${o.name}`);
    else expectNear(got.get(o.name)!, want[i], what, 1e-6, 1e-7);
  });
}

/** The kernel's arithmetic on the host: groups folded left, each from +0 or its first tap, then / divisor. */
function evalOrder(x: Float32Array, planes: number, inSize: number, o: PoolOrder): Float32Array {
  const f = Math.fround;
  const t = o.table;
  const outSize = o.outputSpatial.reduce((a, b) => a * b, 1);
  const y = new Float32Array(planes * outSize);
  const bits = new Int32Array(1);
  const asF = new Float32Array(bits.buffer);
  for (let p = 0; p < planes; p++) {
    const base = p * inSize;
    for (let q = 0; q < outSize; q++) {
      let r = 0;
      if (o.global) {
        const vecEnd = inSize - (inSize % 4);
        const l = [0, 0, 0, 0];
        for (let i = 0; i < vecEnd; i++) l[i % 4] = f(l[i % 4] + x[base + i]);
        r = f(f(l[0] + l[2]) + f(l[1] + l[3]));
        for (let i = vecEnd; i < inSize; i++) r = f(r + x[base + i]);
      } else {
        for (let g = t[q]; g < t[q + 1]; g++) {
          const first = t[o.groupsBase + g];
          const last = t[o.groupsBase + g + 1];
          let s = 0;
          let k = first;
          if (o.initFirst && first < last) s = x[base + t[o.tapsBase + k++]];
          for (; k < last; k++) s = f(s + x[base + t[o.tapsBase + k]]);
          r = g === t[q] ? s : f(r + s);
        }
      }
      bits[0] = t[o.divisorBase + q];
      y[p * outSize + q] = bits[0] === 0 ? r : f(r / asF[0]);
    }
  }
  return y;
}

describe('the AveragePool order table replays the reference (host)', () => {
  const r = rng(5);
  it('random 1-D to 3-D windows, every path', () => {
    for (let trial = 0; trial < 300; trial++) {
      const rank = randInt(r, 1, 3);
      const kernelShape = Array.from({ length: rank }, () => randInt(r, 1, 4));
      const inputSpatial = kernelShape.map((k) => k + randInt(r, 0, 5));
      const global = r() < 0.1;
      const p: PoolParams = global
        ? { kernelShape: inputSpatial }
        : {
            kernelShape,
            strides: kernelShape.map(() => randInt(r, 1, 3)),
            dilations: r() < 0.3 ? kernelShape.map(() => randInt(r, 1, 2)) : undefined,
            pads: r() < 0.6 ? [...kernelShape, ...kernelShape].map((k) => randInt(r, 0, k - 1)) : undefined,
            ceilMode: r() < 0.3,
          };
      const include = r() < 0.5;
      const dims = [
        1,
        2,
        ...(p.dilations ? inputSpatial.map((d, a) => d + (kernelShape[a] - 1)) : inputSpatial),
      ];
      const x = randomTensor(r, 'float32', dims, -4, 4);
      const what = `trial ${trial} ${JSON.stringify({ dims, p, include })}`;
      let want: Tensor;
      try {
        want = averagePool(x, p, include);
      } catch {
        continue;
      }
      const order = averagePoolOrder(dims.slice(2), p, include);
      const got = evalOrder(
        x.data as Float32Array,
        2,
        dims.slice(2).reduce((a, b) => a * b, 1),
        order,
      );
      expect(Array.from(got), what).toEqual(Array.from(want.data as Float32Array));
    }
  });
});

describe('MaxPool on the GPU, any rank, with Indices', () => {
  const r = rng(31);
  it.each([
    ['3-D default', [1, 2, 4, 5, 6], { kernel_shape: [2, 2, 2] }, 12, false],
    [
      '3-D strides pads',
      [2, 2, 5, 6, 4],
      { kernel_shape: [3, 3, 2], strides: [2, 2, 1], pads: [1, 1, 0, 1, 0, 1] },
      12,
      true,
    ],
    [
      '3-D dilations ceil_mode',
      [1, 3, 7, 6, 8],
      { kernel_shape: [2, 2, 3], dilations: [2, 1, 2], strides: [2, 3, 2], ceil_mode: 1 },
      12,
      true,
    ],
    [
      '3-D SAME_UPPER',
      [1, 2, 5, 5, 7],
      { kernel_shape: [3, 2, 3], strides: [2, 2, 2], auto_pad: 'SAME_UPPER' },
      12,
      false,
    ],
    [
      '3-D SAME_LOWER',
      [1, 2, 5, 4, 7],
      { kernel_shape: [2, 3, 2], strides: [1, 2, 3], auto_pad: 'SAME_LOWER' },
      12,
      true,
    ],
    [
      '3-D storage_order 1',
      [2, 2, 3, 4, 5],
      { kernel_shape: [2, 2, 2], storage_order: 1, pads: [1, 0, 1, 0, 1, 0] },
      12,
      true,
    ],
    ['2-D indices', [2, 3, 5, 6], { kernel_shape: [2, 3], strides: [2, 2], pads: [1, 1, 0, 1] }, 12, true],
    [
      '2-D storage_order 1',
      [1, 2, 5, 5],
      { kernel_shape: [3, 3], storage_order: 1, strides: [2, 2] },
      12,
      true,
    ],
    ['1-D indices', [2, 2, 9], { kernel_shape: [3], strides: [2], pads: [1, 1] }, 12, true],
    ['4-D spatial', [1, 2, 3, 4, 3, 4], { kernel_shape: [2, 2, 2, 2], strides: [1, 2, 1, 2] }, 12, true],
    ['opset 8 3-D', [1, 1, 4, 4, 4], { kernel_shape: [2, 2, 2], strides: [2, 2, 2] }, 8, true],
  ] as const)('%s', async (name, dims, attrs, opset, indices) => {
    const x = randomTensor(r, 'float32', [...dims], -3, 3);
    await checkPool(poolNode('MaxPool', x, attrs as unknown as Attrs, opset, indices), name, true);
  });

  it('NaN, ties and -0', async () => {
    const data = Float32Array.from({ length: 2 * 3 * 3 * 3 }, (_, i) => [1, -0, 0, Number.NaN, 2, 2][i % 6]);
    const x: Tensor = { dtype: 'float32', dims: [1, 2, 3, 3, 3], data };
    const c = poolNode('MaxPool', x, { kernel_shape: [2, 2, 2], pads: [1, 1, 1, 0, 0, 0] }, 12, true);
    await checkPool(c, 'NaN ties', true);
  });

  it('seeded random shapes', async () => {
    for (let trial = 0; trial < 12; trial++) {
      const rank = randInt(r, 1, 3);
      const k = Array.from({ length: rank }, () => randInt(r, 1, 3));
      const dims = [randInt(r, 1, 2), randInt(r, 1, 3), ...k.map((v) => v + randInt(r, 1, 4))];
      const attrs: Attrs = {
        kernel_shape: k,
        strides: k.map(() => randInt(r, 1, 2)),
        pads: [...k, ...k].map((v) => randInt(r, 0, v - 1)),
        ceil_mode: randInt(r, 0, 1),
        storage_order: randInt(r, 0, 1),
      };
      const x = randomTensor(r, 'float32', dims, -5, 5);
      await checkPool(
        poolNode('MaxPool', x, attrs, 12, true),
        `random ${trial} ${JSON.stringify({ dims, attrs })}`,
        true,
      );
    }
  });
});

describe('AveragePool on the GPU, 3-D and above', () => {
  const r = rng(47);
  it.each([
    [
      '3-D vector kernel',
      [1, 2, 5, 6, 7],
      { kernel_shape: [2, 3, 2], strides: [1, 2, 2], pads: [1, 1, 0, 0, 1, 1] },
      11,
    ],
    [
      '3-D vector count_include_pad',
      [2, 2, 4, 5, 6],
      { kernel_shape: [3, 2, 3], pads: [1, 0, 1, 1, 1, 1], count_include_pad: 1 },
      11,
    ],
    [
      '3-D generic (stride 3)',
      [1, 3, 6, 7, 9],
      { kernel_shape: [2, 2, 3], strides: [2, 1, 3], pads: [0, 1, 1, 1, 0, 1] },
      11,
    ],
    ['3-D global', [1, 2, 3, 4, 5], { kernel_shape: [3, 4, 5] }, 11],
    [
      '3-D dilations (opset 19)',
      [1, 2, 7, 6, 7],
      { kernel_shape: [2, 2, 2], dilations: [2, 2, 3], pads: [1, 0, 1, 0, 1, 1] },
      19,
    ],
    [
      '3-D ceil_mode count_include_pad',
      [1, 2, 6, 5, 6],
      {
        kernel_shape: [3, 2, 3],
        strides: [2, 2, 2],
        pads: [1, 1, 1, 1, 1, 1],
        ceil_mode: 1,
        count_include_pad: 1,
      },
      19,
    ],
    ['3-D ceil_mode', [1, 2, 6, 5, 7], { kernel_shape: [2, 2, 2], strides: [2, 2, 2], ceil_mode: 1 }, 11],
    [
      '3-D SAME_LOWER',
      [1, 2, 5, 5, 5],
      { kernel_shape: [3, 3, 2], strides: [2, 2, 1], auto_pad: 'SAME_LOWER' },
      11,
    ],
    [
      '3-D SAME_UPPER include pad',
      [1, 1, 5, 6, 5],
      { kernel_shape: [2, 3, 3], auto_pad: 'SAME_UPPER', count_include_pad: 1 },
      11,
    ],
    ['opset 7 3-D', [1, 2, 4, 4, 4], { kernel_shape: [2, 2, 2], strides: [2, 2, 2] }, 7],
  ] as const)('%s (bit-exact)', async (name, dims, attrs, opset) => {
    const x = randomTensor(r, 'float32', [...dims], -3, 3);
    await checkPool(poolNode('AveragePool', x, attrs as unknown as Attrs, opset), name, true);
  });

  it('4-D spatial (within 1e-6)', async () => {
    const x = randomTensor(r, 'float32', [1, 2, 3, 4, 3, 4], -3, 3);
    const c = poolNode('AveragePool', x, { kernel_shape: [2, 2, 2, 3], pads: [1, 0, 0, 1, 0, 1, 1, 1] }, 11);
    await checkPool(c, '4-D', false);
  });

  it('seeded random 3-D shapes (bit-exact)', async () => {
    for (let trial = 0; trial < 12; trial++) {
      const k = Array.from({ length: 3 }, () => randInt(r, 1, 3));
      const dims = [1, randInt(r, 1, 3), ...k.map((v) => v + randInt(r, 1, 4))];
      const attrs: Attrs = {
        kernel_shape: k,
        strides: k.map(() => randInt(r, 1, 3)),
        pads: [...k, ...k].map((v) => randInt(r, 0, v - 1)),
        ceil_mode: randInt(r, 0, 1),
        count_include_pad: randInt(r, 0, 1),
      };
      if (r() < 0.3) attrs.dilations = k.map(() => randInt(r, 1, 2));
      const x = randomTensor(r, 'float32', dims, -5, 5);
      const what = `random ${trial} ${JSON.stringify({ dims, attrs })}`;
      await checkPool(poolNode('AveragePool', x, attrs, 19), what, true);
    }
  });
});

describe('3-D Conv on the GPU', () => {
  const r = rng(59);
  async function checkConv(
    xDims: number[],
    wDims: number[],
    bias: boolean,
    attrs: Attrs,
    what: string,
    constW = true,
    exact = true,
  ): Promise<void> {
    const x = randomTensor(r, 'float32', xDims, -2, 2);
    const w = randomTensor(r, 'float32', wDims, -1, 1);
    const b = bias ? randomTensor(r, 'float32', [wDims[0]], -1, 1) : undefined;
    const c: OneNode = {
      op: 'Conv',
      opset: 11,
      inputs: [
        ['x', x],
        ['w', w],
        ['b', b],
      ],
      constants: constW ? ['w', ...(b ? ['b'] : [])] : [],
      outputs: [{ name: 'y', dtype: 'float32' }],
      attrs,
    };
    const got = (await runOnGpu(c, what)).get('y')!;
    const want = runOurs(c)[0];
    if (exact) {
      expectSameTensor(got, want, what);
      return;
    }
    const max = Math.max(1e-30, ...Array.from(want.data as Float32Array, Math.abs));
    expectNear(got, want, what, 1e-5, 1e-5 * max);
  }
  it.each([
    ['plain', [1, 2, 4, 5, 6], [3, 2, 2, 2, 2], false, {}],
    [
      'bias strides pads',
      [2, 3, 5, 6, 7],
      [4, 3, 3, 3, 3],
      true,
      { strides: [2, 1, 2], pads: [1, 0, 1, 1, 1, 0] },
    ],
    ['groups', [1, 4, 4, 5, 5], [6, 2, 2, 3, 2], true, { group: 2 }],
    ['depthwise dilations', [1, 3, 7, 7, 6], [3, 1, 2, 2, 2], false, { group: 3, dilations: [2, 3, 2] }],
    ['SAME_UPPER', [1, 2, 5, 6, 5], [2, 2, 3, 2, 3], true, { auto_pad: 'SAME_UPPER', strides: [2, 2, 1] }],
    ['SAME_LOWER', [1, 2, 5, 6, 5], [2, 2, 2, 3, 2], false, { auto_pad: 'SAME_LOWER' }],
    [
      'VALID kernel_shape',
      [1, 1, 4, 4, 4],
      [2, 1, 3, 3, 3],
      true,
      { auto_pad: 'VALID', kernel_shape: [3, 3, 3] },
    ],
  ] as const)('%s', async (name, xDims, wDims, bias, attrs) => {
    await checkConv([...xDims], [...wDims], bias, attrs as unknown as Attrs, name);
  });

  // The MLAS plan's paths (conv3d-mlas-plan.ts), each bit-exact.
  it.each([
    ['direct 1x1x1, one image', [1, 6, 3, 4, 5], [5, 6, 1, 1, 1], true, {}],
    ['direct 1x1x1, batch 2 groups 2', [2, 6, 3, 4, 5], [4, 3, 1, 1, 1], false, { group: 2 }],
    ['more channels than positions (one tile)', [1, 3, 2, 2, 3], [40, 3, 2, 2, 2], true, {}],
    ['more channels than positions (two row tiles)', [1, 32, 3, 3, 3], [64, 32, 2, 2, 2], true, {}],
    ['direct 1x1x1, two column tiles', [1, 64, 4, 8, 8], [8, 64, 1, 1, 1], true, {}],
    [
      'M1 kernel (one channel per group), K 54',
      [1, 2, 4, 5, 6],
      [1, 2, 3, 3, 3],
      true,
      { pads: [1, 1, 1, 1, 1, 1] },
    ],
    ['depthwise M1, K 27', [2, 3, 4, 4, 5], [3, 1, 3, 3, 3], true, { group: 3, pads: [1, 1, 1, 1, 1, 1] }],
    ['K blocks of 128 (K 400)', [1, 50, 5, 6, 9], [2, 50, 2, 2, 2], true, {}],
    ['K blocks of 128, M1 (K 400)', [1, 50, 5, 6, 9], [1, 50, 2, 2, 2], false, {}],
    ['two segments (large N)', [1, 4, 8, 16, 18], [8, 4, 3, 3, 3], true, { pads: [1, 1, 1, 1, 1, 1] }],
  ] as const)('%s (bit-exact)', async (name, xDims, wDims, bias, attrs) => {
    await checkConv([...xDims], [...wDims], bias, attrs as unknown as Attrs, name);
  });

  it.each([
    ['3 channels', [1, 4, 2, 3, 2], [3, 4, 2, 3, 2], true, {}],
    ['7 channels (rows in blocks of 4, 2, 1), batch 2', [2, 3, 3, 3, 3], [7, 3, 3, 3, 3], false, {}],
    ['6 channels, 2 groups', [1, 4, 2, 2, 3], [6, 2, 2, 2, 3], true, { group: 2 }],
    ['11 channels, K 1100', [1, 44, 5, 5, 1], [11, 44, 5, 5, 1], true, {}],
    ['130 channels, K 512 (two row tiles of 65)', [1, 64, 2, 2, 2], [130, 64, 2, 2, 2], true, {}],
  ] as const)(
    'one output position (the M1 transposed kernel), %s (bit-exact)',
    async (name, xDims, wDims, bias, attrs) => {
      await checkConv([...xDims], [...wDims], bias, attrs as unknown as Attrs, name);
    },
  );

  it('weights fed at run time', async () => {
    await checkConv([1, 2, 3, 4, 5], [2, 2, 2, 2, 2], true, { pads: [1, 1, 1, 1, 1, 1] }, 'fed W', false);
  });

  it('seeded random shapes', async () => {
    for (let trial = 0; trial < 10; trial++) {
      const group = pick(r, [1, 1, 2]);
      const k = Array.from({ length: 3 }, () => randInt(r, 1, 3));
      const cg = randInt(r, 1, 3);
      const xDims = [randInt(r, 1, 2), cg * group, ...k.map((v) => v * 2 + randInt(r, 0, 3))];
      const wDims = [group * randInt(r, 1, 3), cg, ...k];
      const attrs: Attrs = {
        group,
        strides: k.map(() => randInt(r, 1, 2)),
        dilations: k.map(() => randInt(r, 1, 2)),
        pads: [...k, ...k].map((v) => randInt(r, 0, v - 1)),
      };
      await checkConv(
        xDims,
        wDims,
        r() < 0.5,
        attrs,
        `random ${trial} ${JSON.stringify({ xDims, wDims, attrs })}`,
      );
    }
  });
});

describe('a 3-D model on the GPU in one submit', () => {
  it('Conv -> MaxPool (with Indices) -> AveragePool', async () => {
    const r = rng(83);
    const bytes = buildModel({
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float32', dims: [1, 2, 6, 7, 8] }],
      outputs: [
        { name: 'p', dtype: 'float32' },
        { name: 'i', dtype: 'int64' },
        { name: 'a', dtype: 'float32' },
      ],
      initializers: {
        w: randomTensor(r, 'float32', [4, 2, 3, 3, 3], -1, 1),
        b: randomTensor(r, 'float32', [4], -1, 1),
      },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1, 1, 1] } },
        {
          op: 'MaxPool',
          inputs: ['c'],
          outputs: ['p', 'i'],
          attrs: { kernel_shape: [2, 2, 2], strides: [2, 2, 2] },
        },
        {
          op: 'AveragePool',
          inputs: ['p'],
          outputs: ['a'],
          attrs: { kernel_shape: [2, 2, 2], pads: [1, 1, 1, 0, 0, 0] },
        },
      ],
    });
    const feeds = new Map([['x', randomTensor(r, 'float32', [1, 2, 6, 7, 8], -2, 2)]]);
    const { got, want } = await runModelOnGpu(decodeModel(bytes), feeds);
    // The conv is within 1e-5 of the reference, so the pools downstream are compared near too (the
    // argmax positions exactly: random data has no near-ties at that scale).
    for (const name of ['p', 'a']) expectNear(got.get(name)!, want.get(name)!, name, 1e-5, 1e-5);
    expectSameTensor(got.get('i')!, want.get('i')!, 'i');
  });
});

describe('float16 pools and Conv past 2-D (widened to f32 on the GPU)', () => {
  const r = rng(97);
  it('MaxPool with Indices, exact', async () => {
    const x = f16Random(r, [1, 2, 4, 5, 6], -3, 3);
    const c: OneNode = {
      op: 'MaxPool',
      opset: 12,
      inputs: [['x', x]],
      outputs: [
        { name: 'y', dtype: 'float16' },
        { name: 'i', dtype: 'int64' },
      ],
      attrs: { kernel_shape: [2, 3, 2], strides: [2, 1, 2], pads: [1, 1, 0, 0, 1, 1] },
    };
    const got = await runOnGpu(c, 'f16 MaxPool');
    const want = runOurs(c);
    expectSameTensor(got.get('y')!, want[0], 'y');
    expectSameTensor(got.get('i')!, want[1], 'i');
  });
  it("Conv (f32 in the reference's order, rounded once), near", async () => {
    const c: OneNode = {
      op: 'Conv',
      opset: 11,
      inputs: [
        ['x', f16Random(r, [1, 2, 4, 5, 4], -2, 2)],
        ['w', f16Random(r, [3, 2, 2, 2, 2], -1, 1)],
      ],
      constants: ['w'],
      outputs: [{ name: 'y', dtype: 'float16' }],
      attrs: { pads: [1, 0, 1, 0, 1, 1] },
    };
    expectFloat16Near((await runOnGpu(c, 'f16 Conv')).get('y')!, runOurs(c)[0], 'f16 Conv');
  });
  it('AveragePool, near', async () => {
    const x = f16Random(r, [1, 2, 5, 5, 6], -3, 3);
    const c: OneNode = {
      op: 'AveragePool',
      opset: 19,
      inputs: [['x', x]],
      outputs: [{ name: 'y', dtype: 'float16' }],
      attrs: { kernel_shape: [3, 2, 2], strides: [1, 2, 2], pads: [1, 0, 1, 1, 1, 0], count_include_pad: 1 },
    };
    expectFloat16Near((await runOnGpu(c, 'f16 AveragePool')).get('y')!, runOurs(c)[0], 'f16 AveragePool');
  });
});

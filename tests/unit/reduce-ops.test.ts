// The reduction table (kernels/reduce/reduce.ref.ts), ArgMax/ArgMin and LogSoftmax on the CPU
// interpreter against onnxruntime-node: random shapes and axes, axes as attribute (opset 11) and
// as input (13 for ReduceSum, 18 for the others), keepdims, empty axes with and without
// noop_with_empty_axes (elementwise: x*x for SumSquare), integer tensors exactly, NaN / inf
// edges (onnxruntime's Max/Min keep a leading NaN and skip later ones), ArgMax ties with
// select_last_index, LogSoftmax at every axis and in the opset < 13 flattened form.
import { describe, it } from 'vitest';
import { REDUCE_OPS, REDUCE_TABLE } from '../../kernels/reduce/reduce.ref.js';
import { type DType, int64Tensor, type Tensor } from '../../kernels/tensor.js';
import {
  expectMatchesOrt,
  expectNear,
  type OneNode,
  pick,
  randInt,
  randomDims,
  randomTensor,
  rng,
  runOrt,
  runOurs,
} from './tensor-oracle.helper.js';

const INT_OPS = new Set(['ReduceSum', 'ReduceSumSquare', 'ReduceL1', 'ReduceMax', 'ReduceMin', 'ReduceProd']);

function randomAxes(r: () => number, rank: number): number[] {
  const axes = [...Array(rank).keys()].filter(() => r() < 0.5);
  return axes.map((a) => (r() < 0.3 ? a - rank : a));
}

function reduceNode(
  op: string,
  opset: number,
  x: Tensor,
  axes: number[] | undefined,
  keepdims: number,
  noop?: number,
): OneNode {
  const asInput = opset >= REDUCE_TABLE[op as keyof typeof REDUCE_TABLE].axesInputSince;
  const attrs: OneNode['attrs'] = { keepdims };
  if (!asInput && axes?.length) attrs.axes = axes;
  if (noop !== undefined) attrs.noop_with_empty_axes = noop;
  return {
    op,
    opset,
    inputs: [
      ['data', x],
      ...(asInput && axes ? ([['axes', int64Tensor([axes.length], axes)]] as [string, Tensor][]) : []),
    ],
    constants: ['axes'],
    outputs: [{ name: 'reduced', dtype: x.dtype }],
    attrs,
  };
}

describe('reductions vs onnxruntime-node', () => {
  for (const op of REDUCE_OPS) {
    it(`${op}: random shapes and axes, attribute and input forms, keepdims, empty axes`, async () => {
      const r = rng(op.length * 131 + op.charCodeAt(6));
      const opsets = [11, REDUCE_TABLE[op].axesInputSince];
      for (const opset of opsets) {
        const dtypes: DType[] = INT_OPS.has(op) ? ['float32', 'int32', 'int64'] : ['float32'];
        for (const dtype of dtypes) {
          for (let k = 0; k < 5; k++) {
            const dims = randomDims(r, 1, 4, 4);
            const lo = op === 'ReduceLogSum' ? 0.1 : op === 'ReduceProd' ? -2 : -10;
            const hi = op === 'ReduceProd' ? 2 : 10;
            const x = randomTensor(r, dtype, dims, lo, hi);
            const axes = k === 0 ? undefined : randomAxes(r, dims.length);
            const keep = pick(r, [0, 1]);
            const c = reduceNode(op, opset, x, axes, keep);
            const exact = dtype !== 'float32' || op === 'ReduceMax' || op === 'ReduceMin';
            await expectMatchesOrt(
              c,
              exact ? 0 : 1e-4,
              `${op}-${opset} ${dtype} [${dims}] axes [${axes ?? ''}] keepdims ${keep}`,
            );
          }
        }
        if (opset >= REDUCE_TABLE[op].axesInputSince) {
          // Empty axes with noop_with_empty_axes: the input comes back unchanged.
          const x = randomTensor(r, 'float32', [2, 3], 0.5, 4);
          await expectMatchesOrt(reduceNode(op, opset, x, undefined, 1, 1), 0, `${op}-${opset} noop`);
        }
      }
      const edges: Tensor = {
        dtype: 'float32',
        dims: [4, 3],
        data: Float32Array.from([
          1,
          Number.NaN,
          2,
          Number.NEGATIVE_INFINITY,
          -1,
          3,
          Number.POSITIVE_INFINITY,
          0,
          -0,
          -5,
          -5,
          -5,
        ]),
      };
      if (op !== 'ReduceLogSum' && op !== 'ReduceL2') {
        await expectMatchesOrt(reduceNode(op, 11, edges, [1], 1), 1e-4, `${op} edges`);
      }
    });
  }

  for (const op of ['ArgMax', 'ArgMin']) {
    it(`${op}: random shapes and axes, ties first and last, float and integer`, async () => {
      const r = rng(op.length * 7 + 3);
      for (let k = 0; k < 16; k++) {
        const dims = randomDims(r, 1, 4, 4);
        const dtype = pick(r, ['float32', 'int32', 'int64'] as DType[]);
        // Few distinct values, so ties are common.
        const x = randomTensor(r, dtype, dims, -2, 2);
        if (dtype === 'float32')
          for (let i = 0; i < x.data.length; i++) x.data[i] = Math.round(x.data[i] as number);
        const opset = pick(r, [12, 13]);
        const c: OneNode = {
          op,
          opset,
          inputs: [['data', x]],
          outputs: [{ name: 'reduced', dtype: 'int64' }],
          attrs: {
            axis: randInt(r, -dims.length, dims.length - 1),
            keepdims: pick(r, [0, 1]),
            select_last_index: pick(r, [0, 1]),
          },
        };
        await expectMatchesOrt(c, 0, `${op}-${opset} ${dtype} [${dims}] ${JSON.stringify(c.attrs)}`);
      }
    });
  }

  it('LogSoftmax at every axis (opset 13) and flattened (opset 11), large values', async () => {
    const r = rng(42);
    for (const opset of [11, 13]) {
      for (let k = 0; k < 10; k++) {
        const dims = randomDims(r, 1, 4, 5);
        const x = randomTensor(r, 'float32', dims, k < 5 ? -5 : -500, k < 5 ? 5 : 500);
        const c: OneNode = {
          op: 'LogSoftmax',
          opset,
          inputs: [['input', x]],
          outputs: [{ name: 'output', dtype: 'float32' }],
          attrs: k === 0 ? {} : { axis: randInt(r, -dims.length, dims.length - 1) },
        };
        const [theirs] = await runOrt(c);
        expectNear(runOurs(c)[0], theirs, `LogSoftmax-${opset} [${dims}] ${JSON.stringify(c.attrs)}`);
      }
    }
  });
});

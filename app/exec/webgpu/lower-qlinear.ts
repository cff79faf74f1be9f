// Lowerings of 8-bit data movement and the com.microsoft quantized element-wise ops onto the byte
// map (kernels/gpu-float/byte-map.ts). The element-wise ops' output byte depends only on the input
// byte(s) once scales and zero points are constants, so their lookup table is built at plan time
// by running the CPU reference op itself on every input byte (256 values, or all 65536 pairs for
// QLinearAdd / QLinearMul; QLinearWhere as two maps over (condition, X) and (condition, Y)): bit-exact
// by construction, whatever f32 arithmetic the reference does.
// 8-bit MaxPool, QLinearGlobalAveragePool and QLinearAveragePool: lower-qpool.ts; QLinearSoftmax:
// lower-qsoftmax.ts.
import { broadcastShapes, broadcastStrides } from '../../../kernels/broadcast/broadcast.js';
import { type ByteMapSpec, prepareByteMap } from '../../../kernels/gpu-float/byte-map.js';
import {
  destroyDispatches,
  type PreparedDispatch,
  recordDispatches,
} from '../../../kernels/gpu-float/float-dispatch.js';
import { normalizeAxis, stridesOf } from '../../../kernels/shape-ops/axes.js';
import { makeTensor, type Tensor } from '../../../kernels/tensor.js';
import { attrInt } from '../../model/attributes.js';
import type { GraphNode } from '../../model/ir.js';
import { findCpuOp } from '../cpu/registry.js';
import { gpuByteLength } from './gpu-storage.js';
import { type GpuWork, inputName, type LowerContext, type Lowering } from './lowering.js';

const is8bit = (dtype: string | undefined): dtype is 'int8' | 'uint8' =>
  dtype === 'int8' || dtype === 'uint8';

/** The value of raw byte k in a dtype (int8: two's complement). */
const byteValue = (dtype: 'int8' | 'uint8', k: number) => (dtype === 'int8' ? (k << 24) >> 24 : k);

/** `count` values whose raw bytes are f(i) for i < count. */
function byteTensor(dtype: 'int8' | 'uint8', count: number, f: (i: number) => number): Tensor {
  return makeTensor(
    dtype,
    [count],
    Array.from({ length: count }, (_, i) => byteValue(dtype, f(i))),
  );
}

function rawBytes(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
}

/** Inputs `indices` are present constants (or omitted); everything else is a runtime value. */
function constantsKnown(lc: LowerContext, indices: readonly number[]): boolean {
  return indices.every((i) => !inputName(lc, i) || lc.constant(inputName(lc, i)) !== undefined);
}

/** Runs the node's CPU reference on table inputs (`replace` substitutes some inputs). */
function runReference(lc: LowerContext, replace: Record<number, Tensor>, node: GraphNode = lc.node): Tensor {
  const op = findCpuOp(node.domain, node.opType);
  if (!op) throw new Error(`no CPU op for ${node.opType}`);
  const inputs = node.inputs.map((name, i) => replace[i] ?? (name ? lc.constant(name) : undefined));
  return op({ node, inputs, opset: lc.opset, settings: lc.settings })[0];
}

/** GPU work that clears the output, then runs byte maps into it. */
async function byteMaps(
  lc: LowerContext,
  maps: { a: number; b?: number; spec: ByteMapSpec }[],
): Promise<GpuWork> {
  const outShape = lc.shape(lc.node.outputs[0]);
  const inputs = maps.map((m) => ({ a: lc.input(m.a), b: m.b === undefined ? undefined : lc.input(m.b) }));
  const out = lc.output(0);
  const dispatches: PreparedDispatch[] = [];
  for (const [k, m] of maps.entries())
    dispatches.push(await prepareByteMap(lc.gpu, out, inputs[k].a, inputs[k].b, m.spec));
  const bytes = gpuByteLength(outShape.dtype, outShape.dims);
  const label = `${lc.node.opType}.${lc.node.name}`;
  return {
    record: async (encoder) => {
      encoder.clearBuffer(out, 0, bytes);
      recordDispatches(encoder, dispatches, label);
    },
    destroy: () => destroyDispatches(dispatches),
  };
}

/** Identity axes of a contiguous tensor written at row-major `dstStrides`. */
function copyAxes(dims: readonly number[], dstStrides: readonly number[]) {
  const own = stridesOf(dims);
  return dims.map((n, k) => ({ n, dstStride: dstStrides[k], aStride: own[k] }));
}

/** Concat along `axis` of inputs `indices` (each with its optional table) into the output. */
function concatMaps(
  lc: LowerContext,
  indices: readonly number[],
  axis: number,
  tables: (Uint8Array | undefined)[],
) {
  const outDims = lc.shape(lc.node.outputs[0]).dims;
  const dstStrides = stridesOf(outDims);
  let offset = 0;
  return indices.map((i, k) => {
    const dims = lc.shape(inputName(lc, i)).dims;
    const spec: ByteMapSpec = {
      axes: copyAxes(dims, dstStrides),
      dstBase: offset * dstStrides[axis],
      table: tables[k],
    };
    offset += dims[axis];
    return { a: i, spec };
  });
}

/** ai.onnx Concat of 8-bit tensors (32-bit ones keep the strided copy of lower-tensor.ts). */
const concat: Lowering = async (lc) => {
  const names = lc.node.inputs;
  if (!names.every((n) => n && is8bit(lc.shape(n).dtype))) return undefined; // lower-tensor.ts
  const rank = lc.shape(names[0]).dims.length;
  const axis = normalizeAxis(attrInt(lc.node, 'axis'), rank);
  return byteMaps(lc, concatMaps(lc, [...names.keys()], axis, []));
};

/** X, X_scale, X_zp, Y_scale, Y_zp: the 256-entry table of the reference op. */
const unaryTable: Lowering = async (lc) => {
  const dtype = lc.shape(inputName(lc, 0)).dtype;
  if (!is8bit(dtype) || !constantsKnown(lc, [1, 2, 3, 4])) return undefined;
  const table = rawBytes(runReference(lc, { 0: byteTensor(dtype, 256, (i) => i) }));
  const dims = lc.shape(inputName(lc, 0)).dims;
  return byteMaps(lc, [{ a: 0, spec: { axes: copyAxes(dims, stridesOf(dims)), table } }]);
};

/** A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp with broadcasting: a 65536-entry table. */
const binaryTable: Lowering = async (lc) => {
  const aType = lc.shape(inputName(lc, 0)).dtype;
  const bType = lc.shape(inputName(lc, 3)).dtype;
  if (!is8bit(aType) || !is8bit(bType) || !constantsKnown(lc, [1, 2, 4, 5, 6, 7])) return undefined;
  const table = rawBytes(
    runReference(lc, {
      0: byteTensor(aType, 65536, (i) => i >> 8),
      3: byteTensor(bType, 65536, (i) => i & 255),
    }),
  );
  const aDims = lc.shape(inputName(lc, 0)).dims;
  const bDims = lc.shape(inputName(lc, 3)).dims;
  const outDims = broadcastShapes(aDims, bDims);
  const dst = stridesOf(outDims);
  const as = broadcastStrides(aDims, outDims);
  const bs = broadcastStrides(bDims, outDims);
  const axes = outDims.map((n, k) => ({ n, dstStride: dst[k], aStride: as[k], bStride: bs[k] }));
  return byteMaps(lc, [{ a: 0, b: 3, spec: { axes, table } }]);
};

/** Y_scale, Y_zp, then (X, X_scale, X_zp) per input: each input requantized by its own table. */
const qlinearConcat: Lowering = async (lc) => {
  const n = lc.node.inputs.length;
  if (n < 5 || (n - 2) % 3 !== 0) return undefined;
  const xs = Array.from({ length: (n - 2) / 3 }, (_, k) => 2 + 3 * k);
  const yType = lc.shape(lc.node.outputs[0]).dtype;
  if (!is8bit(yType) || !xs.every((i) => lc.shape(inputName(lc, i)).dtype === yType)) return undefined;
  if (!constantsKnown(lc, [0, 1, ...xs.flatMap((i) => [i + 1, i + 2])])) return undefined;
  const rank = lc.shape(inputName(lc, 2)).dims.length;
  const axis = normalizeAxis(attrInt(lc.node, 'axis'), rank);
  // Each input's table: the reference on a one-input concat of all 256 bytes along axis 0.
  const tables = xs.map((i) => {
    const single: GraphNode = {
      ...lc.node,
      inputs: [lc.node.inputs[0], lc.node.inputs[1], ...lc.node.inputs.slice(i, i + 3)],
      attributes: { ...lc.node.attributes, axis: { kind: 'int', value: 0 } },
    };
    return rawBytes(runReference(lc, { 2: byteTensor(yType, 256, (k) => k) }, single));
  });
  return byteMaps(lc, concatMaps(lc, xs, axis, tables));
};

export const qlinearLowerings: Readonly<Record<string, Lowering>> = {
  Concat: concat,
};

/**
 * condition, X, x_scale, x_zp, Y, y_scale, y_zp, z_scale, z_zp: two binary byte maps ORed into the
 * cleared output, (condition, X) -> X's requantized byte where true, else 0, and (condition, Y) ->
 * 0 where true, else Y's requantized byte; the requantization tables are the reference's own.
 */
const qlinearWhere: Lowering = async (lc) => {
  const type = lc.shape(lc.node.outputs[0]).dtype;
  const [cName, xName, yName] = [0, 1, 4].map((i) => inputName(lc, i));
  if (!is8bit(type) || lc.shape(cName).dtype !== 'bool') return undefined;
  if (lc.shape(xName).dtype !== type || lc.shape(yName).dtype !== type) return undefined;
  if (!constantsKnown(lc, [2, 3, 5, 6, 7, 8])) return undefined;
  const bytes = () => byteTensor(type, 256, (k) => k);
  const all = (v: number) => makeTensor('bool', [256], new Uint8Array(256).fill(v));
  const tx = rawBytes(runReference(lc, { 0: all(1), 1: bytes(), 4: bytes() }));
  const ty = rawBytes(runReference(lc, { 0: all(0), 1: bytes(), 4: bytes() }));
  // Entry c * 256 + v; condition bytes are 0 or 1.
  const pick = (table: Uint8Array, when: 0 | 1) => {
    const t = new Uint8Array(65536);
    t.set(table, when * 256);
    return t;
  };
  const outDims = lc.shape(lc.node.outputs[0]).dims;
  const dst = stridesOf(outDims);
  const cs = broadcastStrides(lc.shape(cName).dims, outDims);
  const axesFor = (name: string) => {
    const vs = broadcastStrides(lc.shape(name).dims, outDims);
    return outDims.map((n, k) => ({ n, dstStride: dst[k], aStride: cs[k], bStride: vs[k] }));
  };
  return byteMaps(lc, [
    { a: 0, b: 1, spec: { axes: axesFor(xName), table: pick(tx, 1) } },
    { a: 0, b: 4, spec: { axes: axesFor(yName), table: pick(ty, 0) } },
  ]);
};

export const qlinearMsLowerings: Readonly<Record<string, Lowering>> = {
  QLinearWhere: qlinearWhere,
  QLinearSigmoid: unaryTable,
  QLinearLeakyRelu: unaryTable,
  QLinearAdd: binaryTable,
  QLinearMul: binaryTable,
  QLinearConcat: qlinearConcat,
};

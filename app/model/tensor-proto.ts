// TensorProto <-> Tensor. Initializer raw_data becomes a typed-array *view* of the model bytes
// when it is aligned (the common case), so a large model's weights are never copied twice.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { allocData, type DType, type Tensor, sizeOf } from '../../kernels/tensor.js';
import { ModelError } from './errors.js';
import {
  type TensorProto,
  TensorProto_DataLocation,
  TensorProto_DataType,
  TensorProtoSchema,
} from './proto/onnx_pb.js';

const fromOnnxType: Partial<Record<number, DType>> = {
  [TensorProto_DataType.FLOAT]: 'float32',
  [TensorProto_DataType.UINT8]: 'uint8',
  [TensorProto_DataType.INT8]: 'int8',
  [TensorProto_DataType.UINT16]: 'uint16',
  [TensorProto_DataType.INT16]: 'int16',
  [TensorProto_DataType.INT32]: 'int32',
  [TensorProto_DataType.INT64]: 'int64',
  [TensorProto_DataType.BOOL]: 'bool',
  [TensorProto_DataType.FLOAT16]: 'float16',
  [TensorProto_DataType.DOUBLE]: 'float64',
  [TensorProto_DataType.UINT32]: 'uint32',
  [TensorProto_DataType.UINT64]: 'uint64',
  [TensorProto_DataType.BFLOAT16]: 'bfloat16',
  [TensorProto_DataType.FLOAT8E4M3FN]: 'float8e4m3fn',
  [TensorProto_DataType.FLOAT8E4M3FNUZ]: 'float8e4m3fnuz',
  [TensorProto_DataType.FLOAT8E5M2]: 'float8e5m2',
  [TensorProto_DataType.FLOAT8E5M2FNUZ]: 'float8e5m2fnuz',
  [TensorProto_DataType.FLOAT8E8M0]: 'float8e8m0',
  [TensorProto_DataType.FLOAT4E2M1]: 'float4e2m1',
  [TensorProto_DataType.INT4]: 'int4',
  [TensorProto_DataType.UINT4]: 'uint4',
  [TensorProto_DataType.INT2]: 'int2',
  [TensorProto_DataType.UINT2]: 'uint2',
};

const toOnnxType: Record<DType, TensorProto_DataType> = {
  float32: TensorProto_DataType.FLOAT,
  uint8: TensorProto_DataType.UINT8,
  int8: TensorProto_DataType.INT8,
  uint16: TensorProto_DataType.UINT16,
  int16: TensorProto_DataType.INT16,
  int32: TensorProto_DataType.INT32,
  int64: TensorProto_DataType.INT64,
  bool: TensorProto_DataType.BOOL,
  float16: TensorProto_DataType.FLOAT16,
  float64: TensorProto_DataType.DOUBLE,
  uint32: TensorProto_DataType.UINT32,
  uint64: TensorProto_DataType.UINT64,
  bfloat16: TensorProto_DataType.BFLOAT16,
  float8e4m3fn: TensorProto_DataType.FLOAT8E4M3FN,
  float8e4m3fnuz: TensorProto_DataType.FLOAT8E4M3FNUZ,
  float8e5m2: TensorProto_DataType.FLOAT8E5M2,
  float8e5m2fnuz: TensorProto_DataType.FLOAT8E5M2FNUZ,
  float8e8m0: TensorProto_DataType.FLOAT8E8M0,
  float4e2m1: TensorProto_DataType.FLOAT4E2M1,
  int4: TensorProto_DataType.INT4,
  uint4: TensorProto_DataType.UINT4,
  int2: TensorProto_DataType.INT2,
  uint2: TensorProto_DataType.UINT2,
};

/** Elements per byte of the packed types (raw_data and int32_data words: low bits first). */
const PACKED: Partial<Record<DType, 2 | 4>> = { int4: 2, uint4: 2, float4e2m1: 2, int2: 4, uint2: 4 };

/** Unpacks `n` elements of 8 / PACKED bits each from bytes, sign-extending the signed types. */
function unpack(dtype: DType, bytes: ArrayLike<number>, n: number, what: string): Tensor['data'] {
  const per = PACKED[dtype]!;
  const bits = 8 / per;
  if (bytes.length < Math.ceil(n / per))
    throw new ModelError(`${what}: ${bytes.length} bytes hold fewer than ${n} ${dtype} values`);
  const out = allocData(dtype, n) as Int8Array | Uint8Array;
  const mask = (1 << bits) - 1;
  const signed = dtype === 'int4' || dtype === 'int2';
  for (let i = 0; i < n; i++) {
    const v = (bytes[Math.floor(i / per)] >> (bits * (i % per))) & mask;
    out[i] = signed && v & (1 << (bits - 1)) ? v - (1 << bits) : v;
  }
  return out;
}

/** The packed bytes of a 4- or 2-bit tensor. */
export function packBits(t: Tensor): Uint8Array {
  const per = PACKED[t.dtype]!;
  const bits = 8 / per;
  const out = new Uint8Array(Math.ceil(t.data.length / per));
  const mask = (1 << bits) - 1;
  for (let i = 0; i < t.data.length; i++)
    out[Math.floor(i / per)] |= ((t.data[i] as number) & mask) << (bits * (i % per));
  return out;
}

export function dtypeFromOnnx(code: number): DType | undefined {
  return fromOnnxType[code];
}

export function dtypeToOnnx(dtype: DType): number {
  return toOnnxType[dtype];
}

export function onnxTypeName(code: number): string {
  return TensorProto_DataType[code] ?? `type ${code}`;
}

/** Resolves an external-data location to its bytes; absent: external data is refused. */
export type ExternalDataResolver = (
  location: string,
  offset: number,
  length: number | undefined,
) => Uint8Array;

function bytesPerElement(dtype: DType): number {
  return allocData(dtype, 0).BYTES_PER_ELEMENT;
}

function viewOrCopy(dtype: DType, bytes: Uint8Array, n: number, what: string): Tensor['data'] {
  const bpe = bytesPerElement(dtype);
  if (bytes.byteLength !== n * bpe) {
    throw new ModelError(
      `${what}: raw_data has ${bytes.byteLength} bytes, expected ${n * bpe} for ${n} ${dtype}`,
    );
  }
  const ctor = allocData(dtype, 0).constructor as new (
    buf: ArrayBufferLike,
    off: number,
    len: number,
  ) => Tensor['data'];
  if (bytes.byteOffset % bpe === 0) return new ctor(bytes.buffer, bytes.byteOffset, n);
  const copy = new Uint8Array(bytes); // unaligned: one copy, into fresh aligned memory
  return new ctor(copy.buffer, 0, n);
}

export function tensorFromProto(p: TensorProto, external?: ExternalDataResolver): Tensor {
  const what = `tensor '${p.name}'`;
  const dtype = dtypeFromOnnx(p.dataType);
  if (!dtype) throw new ModelError(`${what}: element type ${onnxTypeName(p.dataType)} is not supported`);
  const dims = p.dims.map((d) => {
    const n = Number(d);
    if (!Number.isSafeInteger(n) || n < 0) throw new ModelError(`${what}: invalid dimension ${d}`);
    return n;
  });
  const n = sizeOf(dims);
  if (n > 2 ** 31) throw new ModelError(`${what}: ${n} elements is too large`);
  if (p.dataLocation === TensorProto_DataLocation.EXTERNAL) {
    const entries = Object.fromEntries(p.externalData.map((e) => [e.key, e.value]));
    const location = entries.location ?? '?';
    if (!external) {
      throw new ModelError(
        `${what} keeps its data in an external file '${location}'; external-data models are not supported without that file`,
      );
    }
    const bytes = external(
      location,
      Number(entries.offset ?? 0),
      entries.length ? Number(entries.length) : undefined,
    );
    return { dtype, dims, data: viewOrCopy(dtype, bytes.subarray(0, n * bytesPerElement(dtype)), n, what) };
  }
  if (p.rawData.byteLength > 0 || n === 0) {
    if (n === 0) return { dtype, dims, data: allocData(dtype, 0) };
    if (PACKED[dtype]) return { dtype, dims, data: unpack(dtype, p.rawData, n, what) };
    return { dtype, dims, data: viewOrCopy(dtype, p.rawData, n, what) };
  }
  if (PACKED[dtype]) {
    // int32_data holds the packed bytes, one per word.
    return { dtype, dims, data: unpack(dtype, p.int32Data, n, what) };
  }
  const data = allocData(dtype, n);
  const src: ArrayLike<number | bigint> =
    dtype === 'float32'
      ? p.floatData
      : dtype === 'float64'
        ? p.doubleData
        : dtype === 'int64'
          ? p.int64Data
          : dtype === 'uint32' || dtype === 'uint64'
            ? p.uint64Data
            : p.int32Data;
  if (src.length !== n) throw new ModelError(`${what}: has ${src.length} values, dims [${dims}] need ${n}`);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) data[i] = BigInt(src[i]);
  } else {
    for (let i = 0; i < n; i++) data[i] = Number(src[i]);
  }
  return { dtype, dims, data };
}

export function tensorToProto(t: Tensor, name: string): TensorProto {
  const raw = PACKED[t.dtype]
    ? packBits(t)
    : new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return create(TensorProtoSchema, {
    name,
    dataType: dtypeToOnnx(t.dtype),
    dims: t.dims.map((d) => BigInt(d)),
    rawData: raw,
  });
}

/** Reads a serialized TensorProto (the `.pb` files of ONNX test data sets). */
export function decodeTensorFile(bytes: Uint8Array, what = 'tensor file'): { name: string; tensor: Tensor } {
  let p: TensorProto;
  try {
    p = fromBinary(TensorProtoSchema, bytes);
  } catch (e) {
    throw new ModelError(`${what} is not a valid ONNX TensorProto (${(e as Error).message})`);
  }
  return { name: p.name, tensor: tensorFromProto(p) };
}

export function encodeTensorFile(t: Tensor, name: string): Uint8Array {
  return toBinary(TensorProtoSchema, tensorToProto(t, name));
}

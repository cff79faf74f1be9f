// A small reader for NumPy `.npy` files (format versions 1-3), so `qplay run` accepts inputs
// saved with `numpy.save`. Only what a model input needs: little-endian (or byte-sized)
// numeric and bool element types in C order. Anything else is refused with one clear line.
import { allocData, type DType, sizeOf, type Tensor } from '../../kernels/tensor.js';
import { InputError } from '../model/errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

// NumPy type codes (kind + byte size) to tensor dtypes. '<' little endian, '|' not applicable
// (one byte), '=' native, which is little endian on every machine Node runs on here.
const byCode: Record<string, DType> = {
  f4: 'float32',
  f8: 'float64',
  f2: 'float16',
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  u8: 'uint64',
  b1: 'bool',
};

/** Decodes the bytes of a `.npy` file; `what` names the file in error messages. */
export function decodeNpy(bytes: Uint8Array, what = 'npy file'): Tensor {
  if (bytes.byteLength < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new InputError(`${what} is not a .npy file (no \\x93NUMPY magic)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.byteLength < 12) throw new InputError(`${what} is truncated inside its header`);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new InputError(`${what}: .npy format version ${major} is not supported (1, 2 or 3)`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.byteLength) throw new InputError(`${what} is truncated inside its header`);
  // Version 3 allows UTF-8 in the header; 1 and 2 are latin-1, which is the same for what we read.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataStart),
  );
  const { descr, fortranOrder, shape } = parseHeader(header, what);

  const m = /^([<>|=])([a-z])(\d+)$/.exec(descr);
  const dtype = m ? byCode[`${m[2]}${m[3]}`] : undefined;
  if (!m || !dtype) throw new InputError(`${what}: element type '${descr}' is not supported`);
  if (m[1] === '>' && m[3] !== '1') {
    throw new InputError(`${what}: big-endian data ('${descr}') is not supported; save it little-endian`);
  }
  if (fortranOrder && shape.length > 1) {
    throw new InputError(`${what} is stored in Fortran order; save it in C order (numpy.ascontiguousarray)`);
  }
  const n = sizeOf(shape);
  const bpe = Number(m[3]);
  const need = n * bpe;
  const have = bytes.byteLength - dataStart;
  if (have < need)
    throw new InputError(`${what} is truncated: ${have} data bytes, shape [${shape}] needs ${need}`);
  if (have > need)
    throw new InputError(`${what} has ${have - need} bytes after its data; it is not one array`);
  // Copy into fresh memory: the data offset is rarely aligned to the element size.
  const data = allocData(dtype, n);
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(
    bytes.subarray(dataStart, dataStart + need),
  );
  return { dtype, dims: shape, data };
}

// The header is a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (1, 28), }.
// Read its three keys with patterns rather than a general Python parser.
function parseHeader(
  header: string,
  what: string,
): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const order = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || order === undefined || shapeText === undefined) {
    throw new InputError(`${what}: its header is not a valid .npy header`);
  }
  if (descr.startsWith('[') || descr.startsWith('(')) {
    throw new InputError(`${what}: structured arrays are not supported`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const d = Number(s.replace(/L$/, '')); // Python 2 wrote long ints as 28L
      if (!Number.isSafeInteger(d) || d < 0)
        throw new InputError(`${what}: invalid dimension '${s}' in its shape`);
      return d;
    });
  return { descr, fortranOrder: order === 'True', shape };
}

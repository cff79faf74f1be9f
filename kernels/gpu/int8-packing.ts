// Int8/uint8 tensors travel to and from the GPU packed 4 per u32, little endian: element i lives
// in bits 8*(i%4) .. 8*(i%4)+7 of word i/4. On a little-endian host that is just the byte layout of
// the typed array, so packing copies bytes (the last word is zero-padded); the explicit shifts in
// WGSL (`extract_byte`) define the same order on every device.

/** Packs int8/uint8 values 4 per u32 (little endian), zero-padding the last word. */
export function packInt8(values: Int8Array | Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(values.length / 4));
  const bytes = new Uint8Array(words.buffer);
  bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.length));
  return words;
}

/** Unpacks `count` int8 values from packed words. */
export function unpackInt8(words: Uint32Array, count: number): Int8Array {
  return new Int8Array(words.buffer, words.byteOffset, count).slice();
}

/** Unpacks `count` uint8 values from packed words. */
export function unpackUint8(words: Uint32Array, count: number): Uint8Array {
  return new Uint8Array(words.buffer, words.byteOffset, count).slice();
}

/** Float32 values as their bit patterns (kernels read f32 as u32 to see exact bits, NaN included). */
export function f32Bits(values: ArrayLike<number>): Uint32Array {
  return new Uint32Array(Float32Array.from(values).buffer);
}

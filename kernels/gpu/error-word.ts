// A one-word error flag for kernels that meet invalid data they cannot refuse while running (an
// out-of-range index, an integer division by zero): the kernel writes 1, `record` clears the word
// before and copies it to a staging buffer after the kernel's dispatches (one encoder, no extra
// submit), and `raised` maps it after the run's last submit, so the caller fails the run the way
// the CPU reference fails the node, never returning the values computed past the error.
import { destroyDispatches, recordDispatches, type PreparedDispatch } from '../gpu-float/float-dispatch.js';
import { READBACK_USAGE, STORAGE_USAGE } from './buffers.js';
import type { GpuContext } from './device.js';

export interface ErrorWord {
  /** Bind to the kernel (one u32). */
  readonly buffer: GPUBuffer;
  /** Clears the word, records the dispatches, copies the word out. */
  record(encoder: GPUCommandEncoder, dispatches: readonly PreparedDispatch[], label: string): void;
  /** After the run's last submit: whether a kernel set the word. */
  raised(): Promise<boolean>;
  /** After the run's last submit: all the words (kernels that report details past word 0). */
  read(): Promise<Uint32Array>;
  destroy(): void;
}

/** `words` > 1: the kernel may leave details of the error in the words after the flag. */
export function createErrorWord(ctx: GpuContext, label: string, words = 1): ErrorWord {
  const { device } = ctx;
  const size = 4 * words;
  const buffer = device.createBuffer({ label: `${label}.error`, size, usage: STORAGE_USAGE });
  const staging = device.createBuffer({ label: `${label}.error.read`, size, usage: READBACK_USAGE });
  const read = async () => {
    await staging.mapAsync(0x0001);
    const all = new Uint32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    return all;
  };
  return {
    buffer,
    record: (encoder, dispatches, passLabel) => {
      encoder.clearBuffer(buffer);
      recordDispatches(encoder, dispatches, passLabel);
      encoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
    },
    raised: async () => (await read())[0] !== 0,
    read,
    destroy: () => {
      buffer.destroy();
      staging.destroy();
    },
  };
}

/** A kernel's dispatches with their error word: what the checked kernels' hosts return. */
export interface CheckedKernel {
  /** Clears the error word, records the dispatches, copies the word out (one encoder). */
  record(encoder: GPUCommandEncoder): void;
  /** Frees the dispatches and the error word. */
  destroy(): void;
}

/** `dispatches` recorded around `error` (their pass labelled `label`), freed with it. */
export function checkedKernel(
  error: ErrorWord,
  dispatches: readonly PreparedDispatch[],
  label: string,
): CheckedKernel {
  return {
    record: (encoder) => error.record(encoder, dispatches, label),
    destroy: () => {
      destroyDispatches(dispatches);
      error.destroy();
    },
  };
}

// Errors and file access shared by the `qplay` commands. Every failure the user can cause ends
// as one line on stderr: `error: <what and where>`.
import { readFileSync } from 'node:fs';

/** Bad command line: exit code 2 (the usual convention for usage errors). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the user can fix (bad file, unavailable feature): exit code 1, message as is. */
export class CliError extends Error {
  override name = 'CliError';
}

/** Reads a whole file, turning the system error into a sentence that names the path. */
export function readFileBytes(path: string, what = 'file'): Uint8Array {
  try {
    const buf = readFileSync(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (e as Error).message;
    throw new CliError(`cannot read ${what} '${path}': ${why}`);
  }
}

// Small readers for documents checked field by field (the quantization config, the session
// document). Every refusal is one InputError line naming where the problem is:
//   `<where>: <path>: <problem>`   e.g.  `run.json: activations.obsrver: unknown key (did you mean "observer"?)`
// `where` is the file (or "share link"); `path` is the key path inside the document, with map keys
// (tensor names) in brackets and quotes: `tensors["conv1/out"].scale[3]`.
import { InputError, oneLine } from '../model/errors.js';

/** Where a value sits: the file it came from and its key path inside it. */
export interface At {
  readonly where: string | undefined;
  readonly path: string;
}

export type JsonObject = Readonly<Record<string, unknown>>;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Longest part of a quoted name kept in a message (names from a damaged file can be huge). */
const NAME_IN_MESSAGE = 80;

/** A name quoted for a message: JSON quotes (control characters escaped), long names cut. */
export function quoteName(name: string): string {
  return JSON.stringify(name.length > NAME_IN_MESSAGE ? `${name.slice(0, NAME_IN_MESSAGE - 1)}…` : name);
}

/** A fixed key of a document (an unknown key with odd characters is shown bracketed). */
export function field(at: At, key: string): At {
  if (!IDENTIFIER.test(key)) return entry(at, key);
  return { where: at.where, path: at.path ? `${at.path}.${key}` : key };
}

/** A map entry (a tensor name): always bracketed, so dots and spaces in names stay readable. */
export function entry(at: At, key: string): At {
  return { where: at.where, path: `${at.path}[${quoteName(key)}]` };
}

export function index(at: At, i: number): At {
  return { where: at.where, path: `${at.path}[${i}]` };
}

export function fail(at: At, problem: string): never {
  const prefix = `${at.where ? `${at.where}: ` : ''}${at.path ? `${at.path}: ` : ''}`;
  throw new InputError(oneLine(`${prefix}${problem}`, 400));
}

/** How a value looks, for "must be X, got Y". */
export function shown(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return quoteName(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

/** Edit distance, for "did you mean" on a misspelt key. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON object whose keys are all among `allowed`. */
export function readObject(v: unknown, at: At, allowed?: readonly string[]): JsonObject {
  if (!isObject(v)) fail(at, `must be an object, got ${shown(v)}`);
  if (allowed) {
    for (const key of Object.keys(v)) {
      if (allowed.includes(key)) continue;
      const near = allowed
        .map((k) => ({ k, d: distance(key.toLowerCase(), k.toLowerCase()) }))
        .filter((x) => x.d <= Math.max(1, Math.floor(x.k.length / 3)))
        .sort((a, b) => a.d - b.d)[0];
      fail(
        field(at, key),
        `unknown key${near ? ` (did you mean ${quoteName(near.k)}?)` : ` (allowed here: ${allowed.join(', ')})`}`,
      );
    }
  }
  return v;
}

export function has(o: JsonObject, key: string): boolean {
  return Object.hasOwn(o, key);
}

/** A field that must be present. */
export function required(o: JsonObject, key: string, at: At): unknown {
  if (!has(o, key)) fail(at, `missing field ${quoteName(key)}`);
  return o[key];
}

export function readString(v: unknown, at: At): string {
  if (typeof v !== 'string') fail(at, `must be a string, got ${shown(v)}`);
  return v;
}

export function readBoolean(v: unknown, at: At): boolean {
  if (typeof v !== 'boolean') fail(at, `must be true or false, got ${shown(v)}`);
  return v;
}

/** A finite number (JSON text like 1e999 reads as Infinity and is refused here). */
export function readNumber(v: unknown, at: At): number {
  if (typeof v !== 'number') fail(at, `must be a number, got ${shown(v)}`);
  if (!Number.isFinite(v)) fail(at, `must be a finite number, got ${v}`);
  return v;
}

/** An integer in [lo, hi]. */
export function readInteger(v: unknown, at: At, lo: number, hi: number): number {
  const n = readNumber(v, at);
  if (!Number.isInteger(n)) fail(at, `must be an integer, got ${n}`);
  if (n < lo || n > hi) fail(at, `must be an integer in ${lo}..${hi}, got ${n}`);
  return n + 0; // -0 -> 0
}

export function readEnum<T extends string>(v: unknown, at: At, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(at, `must be one of ${allowed.join(', ')}; got ${shown(v)}`);
  }
  return v as T;
}

export function readArray(v: unknown, at: At): readonly unknown[] {
  if (!Array.isArray(v)) fail(at, `must be an array, got ${shown(v)}`);
  return v;
}

/** A fresh object with a null prototype: any tensor name (even "__proto__") is a plain key. */
export function nameMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Sets an own key on an ordinary object even when the key is "__proto__". */
export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

// The share link: a session document (without its weight parameters and metrics, which the model
// gives back) plus the page's state, in the URL's fragment (`#s=…`, never sent to a server).
//
// Layout, version 1: the bytes "QL", a version byte, the CRC-32 of what follows (so a changed
// character is refused, not read as other numbers), then raw deflate of
//   varint n, n bytes of UTF-8 JSON (the head: model reference and where it came from, config,
//   calibration, selection, the weights' digest, the tensor names in order, their overrides),
//   then per tensor, in the head's order: a flags byte (passthrough, per channel, range in f64,
//   override), the source (index in PARAM_SOURCES), the dtype (index in QUANTIZED_DTYPES), the
//   parameters (per channel: varint axis, varint count) as raw little-endian f32 scales and i16
//   zero points, and the range as two f32 (or f64 when not exactly an f32 pair),
// all base64url. Scales are f32 values, so they come back bit for bit.
//
// The decoder trusts nothing: the fragment's length, the inflated size (no deflate bomb), every
// count and length are bounded before anything is allocated, and the result goes through the
// session document's strict reader. Every refusal is one line.
import { Deflate, Inflate } from 'fflate';
import { QUANTIZED_DTYPES } from '../quant/config-parse.js';
import { parseJsonText, writeJsonText } from './json-text.js';
import { PARAM_SOURCES, readSession, type SessionDocument, sessionToJson } from './session.js';

export const LINK_VERSION = 1;
/** The longest fragment payload read (base64url characters). */
export const MAX_LINK_CHARS = 256 * 1024;
/** The most bytes a link may inflate to. */
export const MAX_INFLATED_BYTES = 8 * 1024 * 1024;
const MAX_TENSORS = 200_000;
const MAX_CHANNELS = 1 << 16;
const MAGIC = [0x51, 0x4c]; // "QL"
/** Magic, version, CRC-32. */
const HEADER = 7;

/** Where the model of a link comes from: a bundled sample, an address, or a file the person has. */
export type ModelSource =
  | { readonly kind: 'sample'; readonly file: string }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'file' };

export interface LinkDocument {
  /** The session; on decode `weights` and `metrics` are empty (recomputed from the model). */
  readonly session: SessionDocument;
  readonly source: ModelSource;
  /** The node selected in the page, if any. */
  readonly selected: string | null;
  /** weightsDigest() of the session's weight parameters, checked after they are recomputed. */
  readonly weightsDigest: string | null;
}

export class LinkError extends Error {
  override name = 'LinkError';
}

// ---- bytes ----

class Writer {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v;
  }
  varint(v: number): void {
    let x = v;
    while (x >= 0x80) {
      this.u8((x & 0x7f) | 0x80);
      x = Math.floor(x / 128);
    }
    this.u8(x);
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  f32(v: number): void {
    this.room(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }
  f64(v: number): void {
    this.room(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }
  i16(v: number): void {
    this.room(2);
    this.view.setInt16(this.length, v, true);
    this.length += 2;
  }
  done(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

class Reader {
  private at = 0;
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number, what: string): void {
    if (this.at + n > this.buf.length) throw new LinkError(`the link is cut short (in ${what})`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.at++];
  }
  varint(what: string, max: number): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 6; i++) {
      const b = this.u8(what);
      v += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (v > max) throw new LinkError(`the link's ${what} (${v}) is over the limit ${max}`);
        return v;
      }
      mul *= 128;
    }
    throw new LinkError(`the link's ${what} is not a valid number`);
  }
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
  f32(what: string): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.at, true);
    this.at += 4;
    return v;
  }
  f64(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.at, true);
    this.at += 8;
    return v;
  }
  i16(what: string): number {
    this.need(2, what);
    const v = this.view.getInt16(this.at, true);
    this.at += 2;
    return v;
  }
  end(): void {
    if (this.at !== this.buf.length)
      throw new LinkError(`the link has ${this.buf.length - this.at} bytes too many`);
  }
}

// ---- base64url ----

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

export function fromBase64Url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new LinkError('the link is cut short (its base64 length is impossible)');
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? DECODE[c] : -1;
    if (v < 0) throw new LinkError(`the link has a character that is not base64url at ${i + 1}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

// ---- CRC-32 (IEEE), the checksum of the compressed payload ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---- deflate ----

function deflate(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const d = new Deflate({ level: 9 }, (chunk) => parts.push(chunk));
  d.push(bytes, true);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Inflates at most MAX_INFLATED_BYTES: a bomb stops at the limit, not at the end of memory. */
function inflateBounded(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const inf = new Inflate((chunk, final) => {
    total += chunk.length;
    if (total > MAX_INFLATED_BYTES)
      throw new LinkError(`the link inflates to more than ${MAX_INFLATED_BYTES / 2 ** 20} MiB`);
    parts.push(chunk);
    if (final) ended = true;
  });
  try {
    inf.push(bytes, true);
  } catch (e) {
    if (e instanceof LinkError) throw e;
    throw new LinkError('the link is damaged (its compressed data does not inflate)');
  }
  if (!ended) throw new LinkError('the link is cut short (its compressed data ends early)');
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---- the document ----

/** A short digest of weight parameters (the session's `weights` as canonical JSON), FNV-1a 64. */
export function weightsDigest(session: SessionDocument): string | null {
  const names = Object.keys(session.weights);
  if (names.length === 0) return null;
  const text = writeJsonText((sessionToJson(session) as { weights: unknown }).weights);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x85ebca6b) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

const f32Exact = (v: number) => Math.fround(v) === v;

export function encodeLinkBytes(doc: LinkDocument): Uint8Array {
  const json = sessionToJson(doc.session) as Record<string, unknown>;
  const names = Object.keys(doc.session.tensors).sort();
  const overrides: Record<string, unknown> = {};
  const tensorsJson = json.tensors as Record<string, { override?: unknown }>;
  for (const n of names) if (tensorsJson[n].override !== undefined) overrides[n] = tensorsJson[n].override;
  const head = {
    v: LINK_VERSION,
    model: json.model,
    source: doc.source,
    config: json.config,
    calibration: json.calibration,
    selected: doc.selected,
    weightsDigest: doc.weightsDigest,
    names,
    overrides,
  };
  const body = new Writer();
  const headBytes = new TextEncoder().encode(writeJsonText(head));
  body.varint(headBytes.length);
  body.bytes(headBytes);
  for (const n of names) {
    const t = doc.session.tensors[n];
    const perChannel = Array.isArray(t.scale);
    const wide = !f32Exact(t.range[0]) || !f32Exact(t.range[1]);
    body.u8((t.passthrough ? 1 : 0) | (perChannel ? 2 : 0) | (wide ? 4 : 0) | (t.override ? 8 : 0));
    body.u8(PARAM_SOURCES.indexOf(t.observer));
    body.u8(QUANTIZED_DTYPES.indexOf(t.dtype));
    const scales = perChannel ? (t.scale as readonly number[]) : [t.scale as number];
    const zps = perChannel ? (t.zeroPoint as readonly number[]) : [t.zeroPoint as number];
    if (perChannel) {
      body.varint(t.axis ?? 0);
      body.varint(scales.length);
    }
    for (const s of scales) body.f32(s);
    for (const z of zps) body.i16(z);
    for (const r of t.range) wide ? body.f64(r) : body.f32(r);
  }
  const packed = deflate(body.done());
  const out = new Uint8Array(HEADER + packed.length);
  out.set([...MAGIC, LINK_VERSION]);
  new DataView(out.buffer).setUint32(3, crc32(packed), true);
  out.set(packed, HEADER);
  return out;
}

/** The fragment payload (without "#s="). */
export function encodeLink(doc: LinkDocument): string {
  return toBase64Url(encodeLinkBytes(doc));
}

function readHead(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new LinkError('the link is damaged (its header is not UTF-8 text)');
  }
  let head: unknown;
  try {
    head = parseJsonText(text, 'the link');
  } catch (e) {
    throw new LinkError(`the link is damaged (${(e as Error).message})`);
  }
  if (typeof head !== 'object' || head === null || Array.isArray(head))
    throw new LinkError('the link is damaged (its header is not an object)');
  return head as Record<string, unknown>;
}

function readSource(v: unknown): ModelSource {
  const o = v as Record<string, unknown> | null;
  if (o && o.kind === 'sample' && typeof o.file === 'string' && o.file.length < 256)
    return { kind: 'sample', file: o.file };
  if (o && o.kind === 'url' && typeof o.url === 'string' && o.url.length < 4096)
    return { kind: 'url', url: o.url };
  if (o && o.kind === 'file') return { kind: 'file' };
  throw new LinkError('the link does not say where its model comes from');
}

export function decodeLinkBytes(bytes: Uint8Array): LinkDocument {
  if (bytes.length < 3 || bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1])
    throw new LinkError('this is not a Quantization Playground link');
  if (bytes[2] > LINK_VERSION)
    throw new LinkError(
      `the link is from a newer version (format ${bytes[2]}; this page reads up to ${LINK_VERSION})`,
    );
  if (bytes[2] !== LINK_VERSION) throw new LinkError(`the link's format version ${bytes[2]} is unknown`);
  if (bytes.length < HEADER) throw new LinkError('the link is cut short (in its header)');
  const packed = bytes.subarray(HEADER);
  if (new DataView(bytes.buffer, bytes.byteOffset).getUint32(3, true) !== crc32(packed))
    throw new LinkError('the link is damaged or cut short (its checksum does not match)');
  const r = new Reader(inflateBounded(packed));
  const head = readHead(r.bytes(r.varint('header length', MAX_INFLATED_BYTES), 'header'));
  const names = head.names;
  if (!Array.isArray(names) || names.length > MAX_TENSORS || !names.every((n) => typeof n === 'string'))
    throw new LinkError('the link is damaged (its tensor names are not a list of strings)');
  const overrides = (head.overrides ?? {}) as Record<string, unknown>;
  if (typeof overrides !== 'object' || Array.isArray(overrides))
    throw new LinkError('the link is damaged (overrides)');
  const tensors: Record<string, unknown> = {};
  for (const name of names as string[]) {
    const what = `tensor ${name}`;
    const flags = r.u8(what);
    if (flags > 15) throw new LinkError(`the link is damaged (${what} has unknown flags)`);
    const observer = PARAM_SOURCES[r.u8(what)];
    const dtype = QUANTIZED_DTYPES[r.u8(what)];
    if (observer === undefined || dtype === undefined) throw new LinkError(`the link is damaged (${what})`);
    const perChannel = (flags & 2) !== 0;
    const axis = perChannel ? r.varint(`${what} axis`, 64) : undefined;
    const count = perChannel ? r.varint(`${what} channel count`, MAX_CHANNELS) : 1;
    const scales = Array.from({ length: count }, () => r.f32(what));
    const zps = Array.from({ length: count }, () => r.i16(what));
    const wide = (flags & 4) !== 0;
    const range = [0, 1].map(() => (wide ? r.f64(what) : r.f32(what)));
    const entry: Record<string, unknown> = {
      dtype,
      scale: perChannel ? scales : scales[0],
      zeroPoint: perChannel ? zps : zps[0],
      ...(perChannel ? { axis } : {}),
      observer,
      range,
      passthrough: (flags & 1) !== 0,
    };
    if (flags & 8) {
      if (!Object.hasOwn(overrides, name))
        throw new LinkError(`the link is damaged (${what}: its override is missing)`);
      entry.override = overrides[name];
    }
    Object.defineProperty(tensors, name, {
      value: entry,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  r.end();
  let session: SessionDocument;
  try {
    session = readSession(
      {
        format: 'qplay-session',
        version: 1,
        model: head.model,
        config: head.config,
        tensors,
        weights: {},
        calibration: head.calibration,
        metrics: {},
      },
      'the link',
    );
  } catch (e) {
    throw new LinkError((e as Error).message);
  }
  const selected = head.selected;
  if (selected !== null && (typeof selected !== 'string' || selected.length > 4096))
    throw new LinkError('the link is damaged (its selected node)');
  const digest = head.weightsDigest;
  if (digest !== null && (typeof digest !== 'string' || !/^[0-9a-f]{16}$/.test(digest)))
    throw new LinkError('the link is damaged (its weights digest)');
  return { session, source: readSource(head.source), selected, weightsDigest: digest };
}

/** Reads a link: a whole URL, a fragment ("#s=…") or the payload itself. */
export function decodeLink(link: string): LinkDocument {
  const text = link.trim();
  const hash = text.indexOf('#');
  const fragment = hash >= 0 ? text.slice(hash + 1) : text;
  const payload = fragment.startsWith('s=') ? fragment.slice(2) : fragment;
  if (payload.length === 0) throw new LinkError('the link holds no session (nothing after #s=)');
  if (payload.length > MAX_LINK_CHARS)
    throw new LinkError(`the link is ${payload.length} characters long, over the limit ${MAX_LINK_CHARS}`);
  return decodeLinkBytes(fromBase64Url(payload));
}

/** The page address with the session in its fragment. */
export function linkUrl(base: string, doc: LinkDocument): string {
  const b = base.split('#')[0];
  return `${b}#s=${encodeLink(doc)}`;
}

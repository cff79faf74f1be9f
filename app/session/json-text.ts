// JSON text in and out for the documents people edit by hand (session documents, configs).
//
// Reading: JSON.parse says neither where a document is broken (Node 20 often gives no position)
// nor anything about a key written twice (it keeps the last one silently, so a hand edit could
// change a value without anyone noticing). This reader gives line, column and offset for every
// syntax error and refuses duplicate keys. Objects come back with a null prototype, so a tensor
// named "__proto__" or "constructor" is an ordinary key. Numbers are converted by Number(), which
// rounds exactly as JSON.parse does.
//
// Writing: pretty JSON with the key order the caller built, arrays of plain values on one line
// (a per-channel scale list stays one line instead of hundreds), non-finite numbers as null (as
// JSON.stringify does).
import { InputError, oneLine } from '../model/errors.js';

/** Deeper nesting than any document of ours; bounds the recursion on hostile input. */
const MAX_DEPTH = 256;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class JsonSyntaxError extends Error {
  constructor(
    readonly problem: string,
    readonly position: number,
  ) {
    super(problem);
  }
}

function describeChar(text: string, i: number): string {
  if (i >= text.length) return 'the end of the text';
  const c = text.codePointAt(i)!;
  if (c < 0x20 || c === 0x7f) return `control character \\x${c.toString(16).padStart(2, '0')}`;
  return `'${String.fromCodePoint(c)}'`;
}

class Parser {
  private i = 0;
  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    if (this.text.charCodeAt(0) === 0xfeff) this.i = 1; // a byte-order mark from a Windows editor
    this.ws();
    if (this.i >= this.text.length) throw new JsonSyntaxError('the text is empty', this.i);
    const v = this.value(0);
    this.ws();
    if (this.i < this.text.length) {
      throw new JsonSyntaxError(
        `unexpected ${describeChar(this.text, this.i)} after the end of the document`,
        this.i,
      );
    }
    return v;
  }

  private ws(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.i++;
    }
  }

  private expected(what: string): never {
    throw new JsonSyntaxError(`expected ${what}, found ${describeChar(this.text, this.i)}`, this.i);
  }

  private value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError(`nested deeper than ${MAX_DEPTH} levels`, this.i);
    const t = this.text;
    const c = t[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (t.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    return this.expected('a value');
  }

  private object(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = Object.create(null);
    this.i++; // '{'
    this.ws();
    if (this.text[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      if (this.text[this.i] !== '"') this.expected(`a key in double quotes`);
      const at = this.i;
      const key = this.string();
      if (Object.hasOwn(out, key))
        throw new JsonSyntaxError(`key ${JSON.stringify(key)} appears twice in one object`, at);
      this.ws();
      if (this.text[this.i] !== ':') this.expected(`':' after a key`);
      this.i++;
      this.ws();
      out[key] = this.value(depth + 1);
      this.ws();
      const c = this.text[this.i];
      this.i++;
      if (c === '}') return out;
      if (c !== ',') {
        this.i--;
        this.expected(`',' or '}' after a value in an object`);
      }
      this.ws();
    }
  }

  private array(depth: number): unknown[] {
    const out: unknown[] = [];
    this.i++; // '['
    this.ws();
    if (this.text[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.text[this.i];
      this.i++;
      if (c === ']') return out;
      if (c !== ',') {
        this.i--;
        this.expected(`',' or ']' after a value in an array`);
      }
      this.ws();
    }
  }

  private string(): string {
    const t = this.text;
    const start = this.i;
    let plain = true; // no escapes: the slice is the value
    this.i++;
    for (;;) {
      if (this.i >= t.length) throw new JsonSyntaxError('a string is not closed', start);
      const c = t.charCodeAt(this.i);
      if (c === 0x22) break;
      if (c < 0x20) {
        throw new JsonSyntaxError(
          `${describeChar(t, this.i)} inside a string (write it as an escape)`,
          this.i,
        );
      }
      if (c === 0x5c) {
        plain = false;
        const e = t[this.i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(this.i + 2, this.i + 6))) {
            throw new JsonSyntaxError('\\u must be followed by four hex digits', this.i);
          }
          this.i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          throw new JsonSyntaxError(`bad escape \\${e ?? ''} in a string`, this.i);
        }
        this.i += 2;
        continue;
      }
      this.i++;
    }
    this.i++;
    // The token is valid JSON by now; JSON.parse decodes its escapes exactly (lone surrogates too).
    return plain ? t.slice(start + 1, this.i - 1) : (JSON.parse(t.slice(start, this.i)) as string);
  }

  private number(): number {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (!m) return this.expected('a digit');
    const after = this.text[this.i + m[0].length];
    if (after === '.' || after === 'e' || after === 'E' || (after >= '0' && after <= '9')) {
      this.i += m[0].length;
      this.expected('a complete number');
    }
    this.i += m[0].length;
    return Number(m[0]);
  }
}

function lineColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: position - lineStart + 1 };
}

/**
 * Parses JSON text strictly; a syntax error or a duplicate key is one InputError line:
 * `<where>: bad JSON at line L, column C (offset P): <problem>`.
 */
export function parseJsonText(text: string, where?: string): unknown {
  try {
    return new Parser(text).parseDocument();
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const { line, column } = lineColumn(text, e.position);
    throw new InputError(
      oneLine(
        `${where ? `${where}: ` : ''}bad JSON at line ${line}, column ${column} (offset ${e.position}): ${e.problem}`,
        400,
      ),
    );
  }
}

function isPlain(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

function scalar(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  return 'null'; // null, undefined in an array, functions, symbols, bigints
}

function write(v: unknown, indent: string, out: string[]): void {
  if (isPlain(v)) {
    out.push(scalar(v));
    return;
  }
  const items: unknown[] | undefined = Array.isArray(v)
    ? v
    : ArrayBuffer.isView(v) && !(v instanceof DataView)
      ? Array.from(v as unknown as ArrayLike<number>)
      : undefined;
  const inner = `${indent}  `;
  if (items) {
    if (items.length === 0) out.push('[]');
    else if (items.every(isPlain)) out.push(`[${items.map(scalar).join(', ')}]`);
    else {
      out.push('[\n');
      items.forEach((item, k) => {
        out.push(inner);
        write(item, inner, out);
        out.push(k + 1 < items.length ? ',\n' : '\n');
      });
      out.push(`${indent}]`);
    }
    return;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(
    ([, x]) => x !== undefined && typeof x !== 'function' && typeof x !== 'symbol',
  );
  if (entries.length === 0) {
    out.push('{}');
    return;
  }
  out.push('{\n');
  entries.forEach(([k, x], n) => {
    out.push(`${inner}${JSON.stringify(k)}: `);
    write(x, inner, out);
    out.push(n + 1 < entries.length ? ',\n' : '\n');
  });
  out.push(`${indent}}`);
}

/** Pretty JSON (two-space indent, one-line arrays of plain values), ending with a newline. */
export function writeJsonText(value: unknown): string {
  const out: string[] = [];
  write(value, '', out);
  out.push('\n');
  return out.join('');
}

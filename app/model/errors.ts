// Errors the engine raises for bad input. Each carries a one-line message meant for a person;
// the CLI prints it as `error: <message>` and the page shows it as a notice.

/**
 * One printable line: whitespace collapsed, control bytes (names from a damaged file can carry
 * them) escaped as \xNN, and, when `max` is given, capped with an ellipsis.
 */
export function oneLine(text: string, max = Number.POSITIVE_INFINITY): string {
  const flat = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export class ModelError extends Error {
  override name = 'ModelError';
}

/** Raised when a model uses ops the engine cannot run; lists each op with its node names. */
export class UnsupportedOpsError extends ModelError {
  override name = 'UnsupportedOpsError';
  constructor(readonly ops: ReadonlyArray<{ opType: string; domain: string; nodes: readonly string[] }>) {
    super(
      `unsupported op${ops.length > 1 ? 's' : ''}: ${ops
        .map((o) => `${o.domain ? `${o.domain}.` : ''}${o.opType} (node ${o.nodes.slice(0, 5).join(', ')}${o.nodes.length > 5 ? `, +${o.nodes.length - 5} more` : ''})`)
        .join('; ')}`,
    );
  }
}

export class InputError extends Error {
  override name = 'InputError';
}

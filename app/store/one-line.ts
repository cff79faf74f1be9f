// Notices are one line of text: whitespace collapsed, control bytes escaped and the length capped,
// so a long engine message (or a hostile file name) cannot take over the page.
import { oneLine as engineOneLine } from '../model/errors.js';

export function oneLine(text: string, max = 240): string {
  return engineOneLine(text, max);
}

// Notices are one line of text: collapse whitespace and cap the length, so a long engine message
// (or a hostile file name) cannot take over the page.
export function oneLine(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

// How the static .wgsl kernel files are loaded, the same way in Vite (browser), Vitest and tsx (CLI).
//
// Each kernel host names its file with the literal pattern
//     new URL('./my-kernel.wgsl', import.meta.url)
// which Vite rewrites to a served / emitted asset URL (dev and build), while Vitest and tsx leave
// it as a file: URL next to the source. `loadWgsl` then fetches http(s) URLs and reads file: URLs
// with node:fs. (`?raw` imports were rejected: tsx cannot load them without a custom Node loader.)
// The text is cached per URL, so a kernel file is read once per process.

const cache = new Map<string, Promise<string>>();

async function readSource(url: URL): Promise<string> {
  if (url.protocol === 'file:') {
    const fs = await import('node:fs/promises');
    return fs.readFile(url, 'utf8');
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load WGSL ${url.href}: HTTP ${response.status}`);
  return response.text();
}

/** The text of a .wgsl file given as `new URL('./x.wgsl', import.meta.url)`. */
export function loadWgsl(url: URL): Promise<string> {
  let text = cache.get(url.href);
  if (!text) {
    text = readSource(url);
    text.catch(() => cache.delete(url.href));
    cache.set(url.href, text);
  }
  return text;
}

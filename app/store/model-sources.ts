// Where each open model came from, for the share link: a bundled sample or an address opens by
// itself on the other side; a model not listed here was opened from a local file.
import type { ModelSource } from '../session/link-codec.js';

const sources = new Map<string, ModelSource>();

export function noteModelSource(modelId: string | null, source: ModelSource): void {
  if (modelId) sources.set(modelId, source);
}

export function modelSource(modelId: string | null): ModelSource {
  return (modelId && sources.get(modelId)) || { kind: 'file' };
}

// Compute pipelines cached per device, keyed from each kernel's compile-time parameter object.
//
// A kernel host describes a pipeline as { op, params, build }: `params` holds every compile-time
// choice (tile sizes, accumulator mode, dot4 on/off, ...), `build(params)` turns it into WGSL text
// and override constants. The cache key is `op` plus a canonical serialization of `params`, so two
// calls share a pipeline exactly when their compile-time parameters agree: no hand-written keys.
// (A SwiftShader compile costs about a second, so this cache matters.)

import type { GpuContext } from './device.js';
import { loadWgsl } from './wgsl-loader.js';

/** Compile-time parameters: plain data only (no functions, no typed arrays). */
export type PipelineParams = { readonly [name: string]: string | number | boolean };

export interface PipelineSource {
  /** WGSL text of the whole module. */
  readonly code: string;
  /** Values for the module's `override` declarations. */
  readonly constants?: Record<string, number>;
  /** Entry point; default 'main'. */
  readonly entryPoint?: string;
}

export interface PipelineSpec<P extends PipelineParams> {
  /** Op name, used as the label prefix (`<op>.pipeline`, `<op>.shader`). */
  readonly op: string;
  readonly params: P;
  readonly build: (params: P) => Promise<PipelineSource> | PipelineSource;
}

const caches = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/** Canonical text of a parameter object: keys sorted, so property order never matters. */
export function pipelineKey(op: string, params: PipelineParams): string {
  const keys = Object.keys(params).sort();
  return `${op}(${keys.map((k) => `${k}=${JSON.stringify(params[k])}`).join(',')})`;
}

async function compile<P extends PipelineParams>(ctx: GpuContext, spec: PipelineSpec<P>, key: string) {
  const src = await spec.build(spec.params);
  const { device } = ctx;
  // The scope keeps a compile error from also being reported as an uncaptured device error.
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label: `${spec.op}.shader`, code: src.code });
  const scopeError = device.popErrorScope();
  const info = await module.getCompilationInfo();
  await scopeError;
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    const lines = src.code.split('\n');
    const text = errors
      .map((m) => `${m.lineNum}:${m.linePos} ${m.message}\n    ${lines[m.lineNum - 1] ?? ''}`)
      .join('\n');
    throw new Error(`WGSL compile error in ${key}:\n${text}`);
  }
  return device.createComputePipelineAsync({
    label: `${spec.op}.pipeline`,
    layout: 'auto',
    compute: { module, entryPoint: src.entryPoint ?? 'main', constants: src.constants ?? {} },
  });
}

/** The pipeline for `spec`, compiled on first use for this device and cached afterwards. */
export function getPipeline<P extends PipelineParams>(
  ctx: GpuContext,
  spec: PipelineSpec<P>,
): Promise<GPUComputePipeline> {
  let cache = caches.get(ctx.device);
  if (!cache) {
    cache = new Map();
    caches.set(ctx.device, cache);
  }
  const key = pipelineKey(spec.op, spec.params);
  let pipeline = cache.get(key);
  if (!pipeline) {
    pipeline = compile(ctx, spec, key);
    const c = cache;
    pipeline.catch(() => c.delete(key));
    cache.set(key, pipeline);
  }
  return pipeline;
}

/** How many pipelines this device has compiled (tests check that the cache is hit). */
export function cachedPipelineCount(ctx: GpuContext): number {
  return caches.get(ctx.device)?.size ?? 0;
}

/**
 * The pipeline of one .wgsl file's `main` (`source` as `new URL('./x.wgsl', import.meta.url)`)
 * whose only compile-time choice is its WORKGROUP_SIZE override: most single-kernel hosts.
 */
export function filePipeline(
  ctx: GpuContext,
  op: string,
  source: URL,
  workgroupSize: number,
): Promise<GPUComputePipeline> {
  return getPipeline(ctx, {
    op,
    params: { workgroupSize },
    build: async (q) => ({
      code: await loadWgsl(source),
      entryPoint: 'main',
      constants: { WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
}

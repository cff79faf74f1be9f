// WebGPU device acquisition for the browser (navigator.gpu) and Node (npm `webgpu`, Dawn).
//
// Node has no GPU here: Dawn is pointed at Chromium's SwiftShader Vulkan driver before `create()`
// (VK_ICD_FILENAMES, XDG_RUNTIME_DIR), so `qplay --backend webgpu` needs no extra environment.
// One device is shared per process; it is re-acquired after a device loss. Call `releaseGpu()` at
// the end of a Node process (tests: afterAll) or Dawn keeps Node alive.

/** The shared device plus what the kernels need to know about it. */
export interface GpuContext {
  readonly device: GPUDevice;
  /** WGSL `dot4I8Packed` is available (language feature packed_4x8_integer_dot_product). */
  readonly hasDot4I8Packed: boolean;
  /** The limits the device was created with (the adapter's, for the ones kernels care about). */
  readonly limits: GPUSupportedLimits;
  /** Adapter description, for logs and reports. */
  readonly adapterDescription: string;
  /** Set once the device is lost; a lost context is never handed out again. */
  lost: GPUDeviceLostInfo | undefined;
}

type WebgpuModule = typeof import('webgpu');

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let current: Promise<GpuContext> | undefined;
let currentContext: GpuContext | undefined;
/** Node's `create()` handle: dropping it (and destroying the device) lets Node exit. */
let nodeGpu: GPU | undefined;

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

async function nodeGpuEntry(): Promise<GPU> {
  if (nodeGpu) return nodeGpu;
  const fs = await import('node:fs');
  const os = await import('node:os');
  if (process.env.VK_ICD_FILENAMES === undefined && fs.existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  if (process.env.XDG_RUNTIME_DIR === undefined) process.env.XDG_RUNTIME_DIR = os.tmpdir();
  // A variable specifier keeps bundlers from pulling the Node-only package into the web build.
  const specifier = 'webgpu';
  const mod = (await import(/* @vite-ignore */ specifier)) as WebgpuModule;
  Object.assign(globalThis, mod.globals);
  nodeGpu = mod.create([]);
  return nodeGpu;
}

async function gpuEntry(): Promise<GPU> {
  const nav = (globalThis as { navigator?: Navigator }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (isNode()) return nodeGpuEntry();
  throw new Error('WebGPU is not available (navigator.gpu is missing)');
}

/** Limits worth raising to the adapter's maximum: bigger bindings and workgroup memory. */
const RAISED_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
] as const;

async function createContext(): Promise<GpuContext> {
  const gpu = await gpuEntry();
  const adapter = await gpu.requestAdapter();
  if (!adapter)
    throw new Error(
      'WebGPU: no adapter (in Node: is libvulkan1 installed and Chromium SwiftShader present?)',
    );
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({ label: 'qplay.device', requiredLimits });
  const info = adapter.info;
  const ctx: GpuContext = {
    device,
    hasDot4I8Packed: gpu.wgslLanguageFeatures?.has('packed_4x8_integer_dot_product') ?? false,
    limits: device.limits,
    adapterDescription:
      [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'unknown',
    lost: undefined,
  };
  device.lost.then((lostInfo) => {
    ctx.lost = lostInfo;
    if (currentContext === ctx) {
      current = undefined;
      currentContext = undefined;
    }
  });
  device.addEventListener?.('uncapturederror', (ev) => {
    console.error(`WebGPU uncaptured error: ${(ev as GPUUncapturedErrorEvent).error.message}`);
  });
  currentContext = ctx;
  return ctx;
}

/**
 * The shared GPU context, created on first use and re-created after a device loss.
 * Throws (never returns undefined) when there is no WebGPU adapter.
 */
export function acquireGpu(): Promise<GpuContext> {
  if (currentContext?.lost) {
    current = undefined;
    currentContext = undefined;
  }
  if (!current) {
    current = createContext();
    current.catch(() => {
      current = undefined;
    });
  }
  return current;
}

/** Destroys the shared device and drops Node's Dawn handle so the process can exit. */
export async function releaseGpu(): Promise<void> {
  const pending = current;
  current = undefined;
  currentContext = undefined;
  if (pending) {
    try {
      const ctx = await pending;
      ctx.device.destroy();
    } catch {
      // Creation failed: nothing to destroy.
    }
  }
  nodeGpu = undefined;
}

/**
 * Runs `encode` (create bind groups, encode, submit) inside a validation error scope and throws
 * what WebGPU reported, instead of leaving a silently empty result.
 */
export async function withValidation<T>(ctx: GpuContext, label: string, encode: () => T): Promise<T> {
  ctx.device.pushErrorScope('validation');
  const result = encode();
  const error = await ctx.device.popErrorScope();
  if (error) throw new Error(`${label}: WebGPU validation error: ${error.message}`);
  return result;
}

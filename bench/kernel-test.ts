// Entry of bench/kernel-test.html: exposes the in-browser kernel checks to Playwright.
import { acquireGpu } from '../kernels/gpu/device.js';
import { CHECKS, type CheckFamily, type CheckResult } from './kernel-checks.js';

export interface KernelTestApi {
  /** The adapter the checks run on; rejects when the browser has no WebGPU adapter. */
  adapter(): Promise<{ description: string; dot4I8Packed: boolean }>;
  run(family: CheckFamily, seed: number): Promise<CheckResult[]>;
}

declare global {
  interface Window {
    qplayKernelTests?: KernelTestApi;
  }
}

window.qplayKernelTests = {
  async adapter() {
    const ctx = await acquireGpu();
    return { description: ctx.adapterDescription, dot4I8Packed: ctx.hasDot4I8Packed };
  },
  async run(family, seed) {
    const check = CHECKS[family];
    if (!check) throw new Error(`no check family ${family}`);
    return check(await acquireGpu(), seed);
  },
};

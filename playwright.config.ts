import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './bench/chromium.js';

// Drives the system Chromium (CHROMIUM_PATH, default /usr/bin/chromium): Playwright's own
// browser download does not work without internet. PW_PORT moves the preview server, so two
// checkouts' e2e runs on one machine never reuse each other's build.
const port = Number(process.env.PW_PORT ?? 4173);

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 180_000,
  workers: 1,
  reporter: [['list']],
  use: { baseURL: `http://127.0.0.1:${port}`, launchOptions: chromiumLaunchOptions() },
  webServer: {
    command: `QPLAY_KERNEL_CHECKS=1 npx vite build && npx vite preview --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    timeout: 180_000,
    reuseExistingServer: !process.env.CI,
  },
});

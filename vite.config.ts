import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: {
    target: 'es2022',
    sourcemap: true,
    // The in-browser kernel checks (bench/kernel-test.html, run by tests/e2e/kernels.spec.ts) are
    // a second page only in the test build (QPLAY_KERNEL_CHECKS=1): the product ships without it.
    rollupOptions: {
      input: {
        main: 'index.html',
        ...(process.env.QPLAY_KERNEL_CHECKS ? { 'kernel-test': 'bench/kernel-test.html' } : {}),
      },
    },
  },
});

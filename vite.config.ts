import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: {
    target: 'es2022',
    sourcemap: true,
    // A second page: the in-browser kernel checks run by tests/e2e/kernels.spec.ts.
    rollupOptions: { input: { main: 'index.html', 'kernel-test': 'bench/kernel-test.html' } },
  },
});

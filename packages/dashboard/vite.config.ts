/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

const junitDir = process.env.JUNIT_DIR;

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    // The server serves WEB_DIR/dashboard at `/` with a single-page-app fallback.
    outDir: path.resolve(here, '../../build/web/dashboard'),
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: 'http://localhost:8000', changeOrigin: false } },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/testing/setup.ts'],
    // Two shared cores.
    maxWorkers: 2,
    testTimeout: 20_000,
    reporters: junitDir ? ['default', 'junit'] : ['default'],
    ...(junitDir ? { outputFile: { junit: path.join(junitDir, 'dashboard.xml') } } : {}),
  },
});

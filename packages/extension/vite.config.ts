/// <reference types="vitest/config" />
// Unit tests only; the extension itself is built by scripts/build.mjs (three Vite passes).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import path from 'node:path';

const junitDir = process.env.JUNIT_DIR;

export default defineConfig({
  plugins: [react()],
  test: {
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
    // Two shared cores.
    maxWorkers: 2,
    testTimeout: 20_000,
    reporters: junitDir ? ['default', 'junit'] : ['default'],
    ...(junitDir ? { outputFile: { junit: path.join(junitDir, 'extension.xml') } } : {}),
  },
});

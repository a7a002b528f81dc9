import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The console: a static site (HTML, one JS entry, hls.js loaded only when a browser lacks native HLS). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 600,
  },
});

// Bundles the harness (tests/browser/harness) with the project's Vite into `outDir`, as an app would bundle
// the engine: the engine worker and the CPU pool's worker.mjs become module-worker chunks.
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const HARNESS_DIR = fileURLToPath(new URL('./harness', import.meta.url));

export async function buildHarness(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: HARNESS_DIR,
    base: '/',
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'chrome120',
      minify: false,
      sourcemap: true,
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      reportCompressedSize: false,
    },
  });
}

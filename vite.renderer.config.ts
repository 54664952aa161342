// The renderer's Vite config: the Electron build (electron.vite.config.ts reuses it) and the serve build
// (`npm run build:renderer`, run by `latent-lab serve` when out/renderer is missing or stale) are the same.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

const root = fileURLToPath(new URL('./src/renderer', import.meta.url));

export const rendererConfig: UserConfig = {
  root,
  // Relative URLs: the same files load from file:// in Electron and from the serve host.
  base: './',
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('./out/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    // No inline <script> or data: module preloads: the CSP allows scripts from 'self' only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
  server: { fs: { allow: [fileURLToPath(new URL('./src', import.meta.url))] } },
};

export default defineConfig(rendererConfig);

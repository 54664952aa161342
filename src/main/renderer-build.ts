// The serve host needs the built renderer (out/renderer). A fresh clone has none, and a checkout whose
// renderer sources changed has a stale one: build it then, with the same Vite config `npm run build:renderer` uses.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RENDERER_OUT = join(ROOT, 'out', 'renderer');

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when out/renderer is missing or older than the sources it is built from. */
export function rendererIsStale(): boolean {
  const index = join(RENDERER_OUT, 'index.html');
  if (!existsSync(index)) return true;
  // Without sources (an installed package), what is built is what there is.
  if (!existsSync(join(ROOT, 'src', 'renderer'))) return false;
  const built = statSync(index).mtimeMs;
  const sources = Math.max(...['src/renderer', 'src/shared', 'src/experiments'].map((d) => newestMtime(join(ROOT, d))), statSync(join(ROOT, 'vite.renderer.config.ts')).mtimeMs);
  return sources > built;
}

export async function buildRenderer(log: (line: string) => void = () => {}): Promise<void> {
  log('building the renderer (vite)...');
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.renderer.config.ts'), logLevel: 'warn' });
}

export async function ensureRenderer(log?: (line: string) => void): Promise<string> {
  if (rendererIsStale()) await buildRenderer(log);
  return RENDERER_OUT;
}

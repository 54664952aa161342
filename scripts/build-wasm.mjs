#!/usr/bin/env node
// Builds the CPU backend's WebAssembly kernels from src/engine/cpu/assembly (AssemblyScript) into
// build/wasm/: kernels-relaxed.wasm (relaxed-SIMD FMA) and kernels-simd.wasm (SIMD128 only).
// Skips the work when both outputs are newer than every source; `--force` rebuilds. Also imported by the
// Node host (src/engine/cpu/host-node.ts) so a fresh clone builds on first use.
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WASM_DIR = join(ROOT, 'build', 'wasm');
const SRC_DIR = join(ROOT, 'src', 'engine', 'cpu', 'assembly');
const VARIANTS = [
  { file: 'kernels-relaxed.wasm', features: 'simd,relaxed-simd,threads,bulk-memory' },
  { file: 'kernels-simd.wasm', features: 'simd,threads,bulk-memory' },
];
// 2 GiB: the backend allocates every tensor inside this one shared memory.
export const MAX_PAGES = 32768;

function newestSource() {
  return Math.max(...readdirSync(SRC_DIR).map((f) => statSync(join(SRC_DIR, f)).mtimeMs), statSync(fileURLToPath(import.meta.url)).mtimeMs);
}

function upToDate() {
  const src = newestSource();
  return VARIANTS.every((v) => {
    try {
      return statSync(join(WASM_DIR, v.file)).mtimeMs >= src;
    } catch {
      return false;
    }
  });
}

/** Builds the kernels when missing or stale; returns the output folder. */
export async function buildWasm(force = false) {
  if (!force && upToDate()) return WASM_DIR;
  const { default: asc } = await import('assemblyscript/asc');
  mkdirSync(WASM_DIR, { recursive: true });
  for (const v of VARIANTS) {
    // Write to a private name then rename: parallel test workers may build at the same time.
    const tmp = join(WASM_DIR, `${v.file}.${process.pid}.tmp`);
    const errors = [];
    const { error } = await asc.main([
      join(SRC_DIR, 'index.ts'), '-O3', '--noAssert', '--runtime', 'stub', '--use', 'abort=',
      '--enable', v.features, '--importMemory', '--sharedMemory', '--initialMemory', '1',
      '--maximumMemory', String(MAX_PAGES), '--outFile', tmp,
    ], { stdout: { write: () => true }, stderr: { write: (s) => (errors.push(String(s)), true) } });
    if (error) throw new Error(`AssemblyScript build of ${v.file} failed: ${error.message}\n${errors.join('')}`);
    renameSync(tmp, join(WASM_DIR, v.file));
  }
  return WASM_DIR;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  await buildWasm(process.argv.includes('--force'));
  console.log(`wasm kernels in ${WASM_DIR} (${Date.now() - t0} ms)`);
}

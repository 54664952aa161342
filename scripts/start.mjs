#!/usr/bin/env node
// `npm start`: the desktop app. Electron is an optional dependency whose binary downloads during install;
// where it could not (no internet), say so in one line and point to the browser version.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let electron = null;
try {
  // The electron package exports the binary's path, and only once the binary is there.
  electron = require('electron');
} catch {
  electron = null;
}
if (typeof electron !== 'string') {
  console.error('latent-lab: the Electron binary is not installed (it downloads during npm install, which needs internet) — run `npm run serve` to use the app in a browser.');
  process.exit(1);
}
const mode = process.argv.includes('--dev') ? 'dev' : 'preview';
const bin = require.resolve('electron-vite/bin/electron-vite.js');
const child = spawn(process.execPath, [bin, mode], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));

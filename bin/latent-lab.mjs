#!/usr/bin/env node
// The latent-lab command line. Sources are TypeScript, loaded through tsx so no build step stands between
// a fresh clone and a working command.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

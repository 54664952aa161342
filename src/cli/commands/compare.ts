import { compareRuns } from '../../main/runs/analysis.ts';
import { parseArgs, UsageError } from '../args.ts';
import type { Command } from '../main.ts';
import { printTable } from './runs.ts';

const fmt = (v: number | null, digits = 3) => (v === null ? '-' : v.toFixed(digits));
const show = (v: unknown) => (v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export const command: Command = {
  usage: 'latent-lab compare RUN RUN… [--json]',
  async run(argv) {
    const args = parseArgs(argv, { booleans: ['json'] });
    const ids = args.positional;
    if (ids.length < 2) throw new UsageError('give two or more run ids (see `latent-lab runs`)');
    if (new Set(ids).size !== ids.length) throw new UsageError('a run is named twice');
    const c = compareRuns(ids);
    if (args.flags.has('json')) {
      console.log(JSON.stringify({ metrics: c.metrics, configDiff: c.configDiff, specDiff: c.specDiff }, null, 1));
      return 0;
    }
    printTable(
      ['run', 'preset', 'data', 'backend', 'epochs', 'params', 'best test', '(epoch)', 'last test', 'NLL', 'K', 'bits/dim', 'SSIM', 'active', 'img/s'],
      c.metrics.map((m) => [
        m.id, m.preset ?? 'custom', m.dataset, m.backend, String(m.epochs), String(m.params), fmt(m.bestTestLoss), m.bestEpoch === null ? '-' : String(m.bestEpoch),
        fmt(m.lastTestLoss), fmt(m.nll), m.nllK === null ? '-' : String(m.nllK), fmt(m.bitsPerDim, 4), fmt(m.ssim, 4),
        m.activeUnits === null ? '-' : String(m.activeUnits), fmt(m.imagesPerSecond, 0),
      ]),
    );
    console.log('');
    if (c.configDiff.length) printTable(['config', ...ids], c.configDiff.map((d) => [d.key, ...d.values.map(show)]));
    else console.log('config: the same');
    console.log('');
    if (c.specDiff.length) printTable(['spec', ...ids], c.specDiff.map((d) => [d.path, ...d.values.map((v) => v ?? '(none)')]));
    else console.log('architecture: the same');
    return 0;
  },
};

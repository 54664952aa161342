import { closeAnalysis, evaluateRun } from '../../main/runs/analysis.ts';
import { flagInt, parseArgs, UsageError } from '../args.ts';
import type { Command } from '../main.ts';
import { ProgressLine } from '../progress.ts';

const MAX_K = 5000;

export const command: Command = {
  usage: `latent-lab eval RUN [--is-k K (0..${MAX_K}, default 1000)] [--limit N] [--is-limit N] [--batch B] [--seed S] [--json]`,
  async run(argv) {
    const args = parseArgs(argv, { flags: ['is-k', 'limit', 'is-limit', 'batch', 'seed'], booleans: ['json'] });
    const [id] = args.positional;
    if (!id || args.positional.length > 1) throw new UsageError('give one run id (see `latent-lab runs`)');
    const isK = flagInt(args, 'is-k', 0) ?? 1000;
    if (isK > MAX_K) throw new UsageError(`--is-k must be at most ${MAX_K}, got ${isK}`);
    const json = args.flags.has('json');
    const bar = !json && process.stderr.isTTY ? new ProgressLine() : null;
    try {
      const r = await evaluateRun(id, {
        isK, limit: flagInt(args, 'limit', 1), isLimit: flagInt(args, 'is-limit', 1), batch: flagInt(args, 'batch', 1), seed: flagInt(args, 'seed', 0),
        onProgress: (f) => bar?.update(`importance sampling, K = ${isK}: ${(f * 100).toFixed(0)}%`, f),
      });
      bar?.clear();
      if (json) {
        console.log(JSON.stringify(r));
        return 0;
      }
      const f = (v: number, d = 3) => v.toFixed(d);
      console.log(`run ${r.run}, epoch ${r.epoch}, ${r.images} test images (${r.backend}, ${r.seconds.toFixed(1)} s)`);
      console.log(`  loss ${f(r.loss)} nats/image  (rec ${f(r.rec)}, kl ${f(r.kl)})`);
      if (r.nll !== null) console.log(`  NLL  ${f(r.nll)} nats/image  (${f(r.bitsPerDim!, 4)} bits/dim; importance sampled, K = ${r.isK}, ${r.isImages} images)`);
      else if (r.nllNote) console.log(`  NLL  n/a: ${r.nllNote}`);
      console.log(`  reconstructions: RMSE ${f(r.rmse, 4)}, SSIM ${f(r.ssim, 4)}`);
      if (r.klPerDim.length) {
        console.log(`  active units ${r.activeUnits}/${r.klPerDim.length} (Cov_x E[z|x] > 0.01)`);
        console.log(`  KL per dim ${r.klPerDim.map((v) => v.toFixed(2)).join(' ')}`);
      }
      return 0;
    } finally {
      bar?.clear();
      closeAnalysis();
    }
  },
};

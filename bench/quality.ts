// Quality benchmark (run by hand, not in `npm test`): trains mnist-cvae with batch 128 and Adam 1e-3 on MNIST
// with the fastest backend and prints the test loss after each epoch beside PyTorch's, measured on this
// machine with ../shared/reference/torch_bench.py (same spec, optimizer, batch and test metric), then the
// importance-sampled NLL of the final model.
//   npx tsx bench/quality.ts [--epochs N (10)] [--backend auto|cpu|webgpu|reference] [--seed S] [--is-k K (100)] [--is-limit N (1000)]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/engine/rng.ts';
import { Engine } from '../src/engine/tensor.ts';
import { evaluateModel } from '../src/experiments/evaluate.ts';
import { Model } from '../src/experiments/model.ts';
import { findPreset } from '../src/experiments/presets.ts';
import { DEFAULT_TRAIN_CONFIG, Trainer } from '../src/experiments/train.ts';
import { openDataset } from '../src/main/data/registry.ts';
import { type BackendChoice, resolveBackend } from '../src/main/training/backend.ts';

// PyTorch 1.13 (Debian), same spec/batch/lr, test loss (nats/image, one z sample) after epochs 1, 2 and 4.
const PYTORCH: Record<number, number> = { 1: 124.9, 2: 109.5, 4: 102.8 };

const argv = process.argv.slice(2);
const option = (name: string, d: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : d;
};
const epochs = Number(option('epochs', '10'));
const isK = Number(option('is-k', '100'));
const isLimit = Number(option('is-limit', '1000'));
const home = process.env.LATENT_LAB_HOME ?? mkdtempSync(join(tmpdir(), 'latent-lab-quality-'));

const data = openDataset('mnist', home);
const resolved = await resolveBackend(option('backend', 'auto') as BackendChoice);
const engine = new Engine(resolved.backend);
const config = { ...DEFAULT_TRAIN_CONFIG, epochs, batch: 128, optimizer: 'adam' as const, lr: 1e-3, seed: Number(option('seed', '0')) };
const model = new Model(engine, findPreset('mnist-cvae').spec, Rng.stream(config.seed, 'init'));
const trainer = new Trainer(engine, model, data, config);
console.log(`mnist-cvae on MNIST, batch 128, Adam 1e-3, ${epochs} epochs, backend ${resolved.detail}`);
console.log('epoch  test loss  (rec / kl)          PyTorch   train img/s  seconds');
const started = performance.now();
await trainer.run({
  onEpoch: (e) => {
    const ref = PYTORCH[e.epoch];
    console.log(`${String(e.epoch).padStart(5)}  ${e.test.loss.toFixed(2).padStart(9)}  (${e.test.rec.toFixed(2)} / ${e.test.kl.toFixed(2)})`.padEnd(37)
      + `${ref ? ref.toFixed(1) : '-'}`.padStart(7) + `${e.trainImagesPerSecond.toFixed(0)}`.padStart(13) + `${e.seconds.toFixed(1)}`.padStart(9));
  },
});
const r = await evaluateModel(engine, model, data, { isK, isLimit });
console.log(`final: test loss ${r.loss.toFixed(2)}, NLL ${r.nll?.toFixed(2)} (K = ${isK}, ${r.isImages} images, ${r.bitsPerDim?.toFixed(4)} bits/dim), `
  + `SSIM ${r.ssim.toFixed(4)}, RMSE ${r.rmse.toFixed(4)}, active units ${r.activeUnits}/${r.klPerDim.length}, ${((performance.now() - started) / 60000).toFixed(1)} min in all`);
model.dispose();
resolved.backend.dispose();
data.close();

import { PRESETS } from '../../experiments/presets.ts';
import { readFileSync } from 'node:fs';
import type { TrainConfig } from '../../experiments/train.ts';
import { BACKEND_CHOICES, type BackendChoice } from '../../main/training/backend.ts';
import { type RunHooks, type RunOutcome, resumeRun, startRun } from '../../main/training/run.ts';
import { flagInt, flagNumber, flagString, parseArgs, type ParsedArgs, UsageError } from '../args.ts';
import type { Command } from '../main.ts';
import { ProgressLine } from '../progress.ts';

const USAGE = 'latent-lab train (--preset NAME | --spec FILE) [--data NAME] [--epochs N] [--steps N] [--batch B] [--lr X] [--optimizer adam|sgd] [--schedule constant|cosine] [--beta B] [--kl-warmup EPOCHS] [--train-limit N] [--test-limit N] [--backend auto|cpu|webgpu|reference] [--seed S] [--name TEXT] [--json]';

export function backendFlag(args: ParsedArgs): BackendChoice | undefined {
  const b = flagString(args, 'backend');
  if (b !== undefined && !BACKEND_CHOICES.includes(b as BackendChoice)) throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${b}'`);
  return b as BackendChoice | undefined;
}

function configFlags(args: ParsedArgs): Partial<TrainConfig> {
  const c: Partial<TrainConfig> = {};
  const set = <K extends keyof TrainConfig>(k: K, v: TrainConfig[K] | undefined) => {
    if (v !== undefined) c[k] = v;
  };
  set('epochs', flagInt(args, 'epochs', 1));
  set('steps', flagInt(args, 'steps', 1));
  set('batch', flagInt(args, 'batch', 1));
  set('lr', flagNumber(args, 'lr'));
  set('seed', flagInt(args, 'seed', 0));
  set('beta', flagNumber(args, 'beta'));
  set('klWarmupEpochs', flagNumber(args, 'kl-warmup'));
  set('trainLimit', flagInt(args, 'train-limit', 1));
  set('testLimit', flagInt(args, 'test-limit', 1));
  const opt = flagString(args, 'optimizer');
  if (opt !== undefined && opt !== 'adam' && opt !== 'sgd') throw new UsageError(`--optimizer must be adam or sgd, got '${opt}'`);
  set('optimizer', opt as TrainConfig['optimizer'] | undefined);
  const sched = flagString(args, 'schedule');
  if (sched !== undefined && sched !== 'constant' && sched !== 'cosine') throw new UsageError(`--schedule must be constant or cosine, got '${sched}'`);
  set('schedule', sched as TrainConfig['schedule'] | undefined);
  if (c.steps !== undefined && args.flags.get('epochs') === undefined) c.epochs = Number.MAX_SAFE_INTEGER >>> 0; // --steps alone bounds the run
  return c;
}

/** Terminal progress or JSON lines; Ctrl-C stops after the current step and keeps every finished epoch. */
export function cliHooks(json: boolean, backendOf: () => string): RunHooks & { interrupted: () => boolean } {
  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(130);
    stop = true;
    process.stderr.write('\nstopping after this step (Ctrl-C again to quit at once)…\n');
  };
  process.on('SIGINT', onSigint);
  const bar = !json && process.stderr.isTTY ? new ProgressLine() : null;
  return {
    interrupted: () => stop,
    control: () => (stop ? 'stop' : 'run'),
    onStart: (run) => {
      if (!json) process.stderr.write(`run ${run.id}: ${run.name}, backend ${run.backend}\n`);
    },
    onStep: (_id, e) => {
      bar?.update(`epoch ${e.epoch} ${(e.epochProgress * 100).toFixed(0).padStart(3)}%  loss ${e.loss.toFixed(2)}  rec ${e.rec.toFixed(2)}  kl ${e.kl.toFixed(2)}  ${e.imagesPerSecond.toFixed(0)} img/s  ETA ${formatEta(e.epochSecondsLeft)}`, e.epochProgress);
    },
    onEpoch: (_id, e) => {
      bar?.clear();
      if (json) {
        console.log(JSON.stringify({
          epoch: e.epoch, step: e.step, train_loss: round(e.trainLoss), train_images_per_s: round(e.trainImagesPerSecond, 1),
          test_loss: round(e.test.loss), test_rec: round(e.test.rec), test_kl: round(e.test.kl), seconds: round(e.seconds, 2), backend: backendOf(),
        }));
      } else {
        console.log(`epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(3)}  test loss ${e.test.loss.toFixed(3)} (rec ${e.test.rec.toFixed(3)}, kl ${e.test.kl.toFixed(3)})  ${e.trainImagesPerSecond.toFixed(0)} img/s  ${e.seconds.toFixed(1)} s`);
      }
    },
  };
}

const round = (v: number, digits = 4) => Number(v.toFixed(digits));

/** Seconds as m:ss. */
function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function report(outcome: RunOutcome, json: boolean): number {
  const { run, status, error } = outcome;
  if (json) console.log(JSON.stringify({ run: run.id, status, epochs: run.epochsDone, steps: run.stepsDone, backend: run.backend, ...(error ? { error } : {}) }));
  else {
    console.log(`run ${run.id} ${status} after ${run.epochsDone} epoch(s), ${run.stepsDone} steps${run.lastTestLoss !== null ? `, test loss ${run.lastTestLoss.toFixed(3)}` : ''}`);
    if (error) console.error(error);
  }
  return status === 'completed' || status === 'stopped' ? 0 : 1;
}

export const command: Command = {
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, {
      flags: ['preset', 'spec', 'data', 'epochs', 'steps', 'batch', 'lr', 'backend', 'seed', 'name', 'optimizer', 'schedule', 'beta', 'kl-warmup', 'train-limit', 'test-limit'],
      booleans: ['json'],
    });
    if (args.positional.length) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
    const preset = flagString(args, 'preset'), specFile = flagString(args, 'spec');
    if (!preset === !specFile) throw new UsageError(`give exactly one of --preset (${PRESETS.map((p) => p.name).join(', ')}) or --spec FILE`);
    let spec: unknown;
    if (specFile) {
      try {
        spec = JSON.parse(readFileSync(specFile, 'utf8'));
      } catch (e) {
        throw new Error(`cannot read the spec ${specFile}: ${e instanceof Error ? e.message : e}`);
      }
    }
    const json = args.flags.has('json');
    let backendName = '';
    const hooks = cliHooks(json, () => backendName);
    const outcome = await startRun({
      preset, spec, dataset: flagString(args, 'data'), backend: backendFlag(args), name: flagString(args, 'name'), config: configFlags(args),
    }, { ...hooks, onStart: (run) => { backendName = run.backend; hooks.onStart?.(run); } });
    return report(outcome, json);
  },
};

export const resumeCommand: Command = {
  usage: 'latent-lab resume RUN [--epochs N] [--backend auto|cpu|webgpu|reference] [--json]',
  async run(argv) {
    const args = parseArgs(argv, { flags: ['epochs', 'backend'], booleans: ['json'] });
    const [id] = args.positional;
    if (!id || args.positional.length > 1) throw new UsageError('give one run id');
    const json = args.flags.has('json');
    let backendName = '';
    const hooks = cliHooks(json, () => backendName);
    const outcome = await resumeRun(id, { ...hooks, onStart: (run) => { backendName = run.backend; hooks.onStart?.(run); } }, { backend: backendFlag(args), epochs: flagInt(args, 'epochs', 1) });
    return report(outcome, json);
  },
};

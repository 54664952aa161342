import { type NamedTensor, parseSafetensors, serializeSafetensors } from '../engine/safetensors.ts';
import type { Engine } from '../engine/tensor.ts';
import { Model } from './model.ts';
import { Rng } from '../engine/rng.ts';
import type { ArchitectureSpec } from './spec.ts';
import type { Trainer, TrainerState, TrainConfig } from './train.ts';

// A checkpoint is one safetensors file: the model's tensors under PyTorch's state_dict names (so the file
// loads into the module spec_torch.py builds), the optimizer's buffers under `optimizer.<param>.<buffer>`,
// and in the metadata the spec, the training config and the trainer's state (epoch, step, RNG).

const OPTIMIZER_PREFIX = 'optimizer.';

export interface CheckpointMeta {
  spec: ArchitectureSpec;
  config: TrainConfig | null;
  state: TrainerState | null;
  optimizer: { type: 'adam' | 'sgd'; step: number } | null;
}

export async function saveCheckpoint(model: Model, trainer: Trainer | null): Promise<Uint8Array> {
  const tensors = new Map<string, NamedTensor>(await model.stateDict());
  let optimizer: CheckpointMeta['optimizer'] = null;
  if (trainer) {
    const opt = trainer.optimizer;
    const names = model.tensors.filter((t) => t.trainable).map((t) => t.name);
    const bufferNames = opt.type === 'adam' ? ['exp_avg', 'exp_avg_sq'] : ['momentum_buffer'];
    const buffers = opt.buffers();
    for (let i = 0; i < names.length; i++) {
      for (let j = 0; j < bufferNames.length; j++) {
        const t = buffers[i][j];
        tensors.set(`${OPTIMIZER_PREFIX}${names[i]}.${bufferNames[j]}`, { shape: [...t.shape], data: await t.read() });
      }
    }
    optimizer = { type: opt.type, step: opt.stepCount };
  }
  const meta: CheckpointMeta = { spec: model.spec, config: trainer?.config ?? null, state: trainer?.state() ?? null, optimizer };
  return serializeSafetensors(tensors, { format: 'latent-lab-checkpoint-1', meta: JSON.stringify(meta) });
}

export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  model: Map<string, NamedTensor>;
  optimizer: Map<string, NamedTensor>;
}

/** Reads a checkpoint; a plain PyTorch state_dict in safetensors (no metadata) loads too, given a spec. */
export function readCheckpoint(bytes: Uint8Array, source: string, specIfMissing?: ArchitectureSpec): LoadedCheckpoint {
  const file = parseSafetensors(bytes, source);
  let meta: CheckpointMeta;
  if (file.metadata.meta) {
    try {
      meta = JSON.parse(file.metadata.meta) as CheckpointMeta;
    } catch {
      throw new Error(`${source}: the checkpoint's metadata is not valid JSON`);
    }
  } else if (specIfMissing) {
    meta = { spec: specIfMissing, config: null, state: null, optimizer: null };
  } else {
    throw new Error(`${source}: no Latent Lab metadata (a bare state_dict needs the architecture spec given with it)`);
  }
  const model = new Map<string, NamedTensor>(), optimizer = new Map<string, NamedTensor>();
  for (const [k, v] of file.tensors) (k.startsWith(OPTIMIZER_PREFIX) ? optimizer : model).set(k.startsWith(OPTIMIZER_PREFIX) ? k.slice(OPTIMIZER_PREFIX.length) : k, v);
  return { meta, model, optimizer };
}

/** A model with the checkpoint's weights. */
export function modelFromCheckpoint(e: Engine, c: LoadedCheckpoint, source: string): Model {
  const model = new Model(e, c.meta.spec, new Rng(0));
  try {
    model.loadStateDict(c.model, source);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

/** Restores the optimizer's buffers and the trainer's state so training continues exactly. */
export function restoreTrainer(trainer: Trainer, c: LoadedCheckpoint, source: string): void {
  if (!c.meta.state || !c.meta.optimizer) throw new Error(`${source}: holds no training state to resume from`);
  if (c.meta.optimizer.type !== trainer.optimizer.type) throw new Error(`${source}: optimizer ${c.meta.optimizer.type} cannot resume as ${trainer.optimizer.type}`);
  const names = trainer.model.tensors.filter((t) => t.trainable).map((t) => t.name);
  const bufferNames = c.meta.optimizer.type === 'adam' ? ['exp_avg', 'exp_avg_sq'] : ['momentum_buffer'];
  const buffers = trainer.optimizer.buffers();
  names.forEach((name, i) => bufferNames.forEach((b, j) => {
    const v = c.optimizer.get(`${name}.${b}`);
    if (!v) throw new Error(`${source}: optimizer state ${name}.${b} is missing`);
    if (v.data.length !== buffers[i][j].size) throw new Error(`${source}: optimizer state ${name}.${b} has ${v.data.length} values, needs ${buffers[i][j].size}`);
    trainer.engine.backend.write(buffers[i][j].buffer, v.data);
  }));
  trainer.restore(c.meta.state);
}

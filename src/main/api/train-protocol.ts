// The messages between the training host and its worker threads (kept apart from the worker's module,
// which starts training when loaded).
import type { EpochEvent, StepEvent } from '../../experiments/train.ts';
import type { BackendChoice } from '../training/backend.ts';
import type { RunRequest } from '../training/run.ts';

export type WorkerJob =
  | { kind: 'start'; home: string; control: SharedArrayBuffer; request: RunRequest }
  | { kind: 'resume'; home: string; control: SharedArrayBuffer; id: string; epochs?: number; backend?: BackendChoice };

export type WorkerMessage =
  | { type: 'started'; runId: string; totalSteps: number; stepsPerEpoch: number; epochs: number }
  | { type: 'step'; runId: string; event: StepEvent }
  | { type: 'epoch'; runId: string; event: EpochEvent }
  | { type: 'status'; runId: string; status: string }
  | { type: 'done'; runId: string | null; status: string; error: string | null };

/** Control word values. */
export const CONTROL = { run: 0, pause: 1, stop: 2 } as const;


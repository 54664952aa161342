// Shared state of the app: which screen shows, what the host knows (data sets, runs, presets) and the
// live training runs fed by the host's events.
import type { AppInfo, ApiEvents, DatasetInfo, EpochEvent, Preset, RunRecord, StepEvent } from '../../../shared/api.ts';
import { api } from '../lib/api.ts';

export type Screen = 'datasets' | 'architect' | 'train' | 'explore' | 'runs' | 'export';

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  text: string;
}

export interface LiveRun {
  runId: string;
  status: string;
  error: string | null;
  steps: StepEvent[];
  epochs: EpochEvent[];
  totalSteps: number;
  stepsPerEpoch: number;
  epochCount: number;
  reconstructions: string | null;
  samples: string | null;
  startedAt: number;
  lastStep: StepEvent | null;
}

class AppState {
  screen = $state<Screen>('datasets');
  info = $state<AppInfo | null>(null);
  datasets = $state<DatasetInfo[]>([]);
  runs = $state<RunRecord[]>([]);
  presets = $state<Preset[]>([]);
  toasts = $state<Toast[]>([]);
  /** The run the Explore and Export screens look at. */
  focusRun = $state<string | null>(null);
  /** Runs picked for comparison on the Runs screen. */
  compare = $state<string[]>([]);
  /** The run the Train screen shows. */
  trainRun = $state<string | null>(null);
  live = $state<Record<string, LiveRun>>({});
  progress = $state<Record<string, ApiEvents['datasets.progress']>>({});
  private toastId = 0;

  async init(): Promise<void> {
    api.on('train.step', (p) => this.onStep(p));
    api.on('train.epoch', (p) => this.onEpoch(p));
    api.on('train.status', (p) => this.onStatus(p));
    api.on('datasets.progress', (p) => {
      this.progress[p.name] = p;
    });
    const [info, presets] = await Promise.all([api['app.info']({}), api['presets.list']({})]);
    this.info = info;
    this.presets = presets;
    await Promise.all([this.refreshDatasets(), this.refreshRuns()]);
  }

  async refreshDatasets(): Promise<void> {
    this.datasets = await api['datasets.list']({});
  }

  async refreshRuns(): Promise<void> {
    this.runs = await api['runs.list']({});
  }

  notify(kind: Toast['kind'], text: string): void {
    const id = ++this.toastId;
    this.toasts.push({ id, kind, text });
    setTimeout(() => this.dismiss(id), kind === 'error' ? 12_000 : 5000);
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  /** Runs an action, turning a failure into an error toast; returns undefined then. */
  async attempt<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      this.notify('error', e instanceof Error ? e.message : String(e));
      return undefined;
    }
  }

  liveRun(runId: string): LiveRun {
    this.live[runId] ??= {
      runId, status: 'running', error: null, steps: [], epochs: [], totalSteps: 0, stepsPerEpoch: 1, epochCount: 0,
      reconstructions: null, samples: null, startedAt: Date.now(), lastStep: null,
    };
    return this.live[runId];
  }

  private onStep(p: ApiEvents['train.step']): void {
    const r = this.liveRun(p.runId);
    r.totalSteps = p.totalSteps;
    r.stepsPerEpoch = p.stepsPerEpoch;
    r.epochCount = p.epochs;
    r.steps.push(p.event);
    r.lastStep = p.event;
  }

  private onEpoch(p: ApiEvents['train.epoch']): void {
    const r = this.liveRun(p.runId);
    r.epochs.push(p.event);
    if (p.reconstructions) r.reconstructions = p.reconstructions;
    if (p.samples) r.samples = p.samples;
    void this.refreshRuns();
  }

  private onStatus(p: ApiEvents['train.status']): void {
    const r = this.liveRun(p.runId);
    const changed = r.status !== p.status;
    r.status = p.status;
    r.error = p.error;
    if (changed && p.status !== 'running' && p.status !== 'paused') {
      void this.refreshRuns();
      if (p.status === 'completed') this.notify('success', `Run ${p.runId} completed`);
      else if (p.error) this.notify('error', `Run ${p.runId} ${p.status}: ${p.error}`);
    }
  }
}

export const app = new AppState();

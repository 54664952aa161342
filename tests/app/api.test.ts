// The contract's validators and the handler table both hosts dispatch to, against a real lab (SQLite, the
// MNIST built-in, a training worker thread) in a temporary LATENT_LAB_HOME.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, detectFormat, dispatch, insideLab } from '../../src/main/api/handlers.ts';
import { CONTENT_SECURITY_POLICY } from '../../src/main/csp.ts';
import { closeLabDbs } from '../../src/main/db.ts';
import { decodePng } from '../../src/main/images/grid.ts';
import { closeAnalysis } from '../../src/main/runs/analysis.ts';
import { type ApiEvents, CHANNELS, type Envelope, type EventName, validators } from '../../src/shared/api.ts';
import { ROOT } from '../paths.ts';

const ID = '20250101-a1b2c3';

describe('request validation', () => {
  const rejects = (channel: keyof typeof validators, raw: unknown, message: RegExp) => expect(() => validators[channel](raw)).toThrow(message);

  it('accepts well-formed requests and fills defaults', () => {
    expect(validators['runs.get']({ id: ID })).toEqual({ id: ID, stepEvery: 1 });
    expect(validators['datasets.preview']({ name: 'mnist' })).toEqual({ name: 'mnist', split: 'train', offset: 0, count: 64 });
    expect(validators['train.start']({ preset: 'mnist-cvae', dataset: 'mnist', config: { epochs: 2, beta: null, shuffle: false } }))
      .toEqual({ preset: 'mnist-cvae', dataset: 'mnist', backend: 'auto', config: { epochs: 2, beta: null, shuffle: false } });
    expect(validators['runs.compare']({ ids: [ID, '20250101-000000'] })).toEqual({ ids: [ID, '20250101-000000'], seed: 0 });
  });

  it('rejects malformed ids, unknown fields, bad types and out-of-range sizes, naming the field', () => {
    rejects('runs.get', { id: '../../etc/passwd' }, /runs\.get: id must be a run id/);
    rejects('runs.get', { id: ID, extra: 1 }, /unknown field "extra"/);
    rejects('runs.get', 'x', /must be an object/);
    rejects('datasets.preview', { name: 'Bad Name' }, /name must be a data set name/);
    rejects('datasets.preview', { name: 'mnist', count: 100000 }, /count must be an integer in 1\.\.400/);
    rejects('explore.samples', { id: ID, n: 1.5, seed: 0 }, /n must be an integer/);
    rejects('export.grid', { id: ID, rows: 64 }, /rows must be an integer in 1\.\.32/);
    rejects('train.start', { dataset: 'mnist' }, /either a preset or a spec/);
    rejects('train.start', { preset: 'x', spec: {}, dataset: 'mnist' }, /either a preset or a spec/);
    rejects('train.start', { preset: 'mnist-cvae', dataset: 'mnist', config: { lr: -1 } }, /config: lr must be a number/);
    rejects('train.start', { preset: 'mnist-cvae', dataset: 'mnist', config: { epochs: 0 } }, /epochs must be an integer in 1\.\.10000/);
    rejects('train.start', { preset: 'mnist-cvae', dataset: 'mnist', config: { nonsense: 1 } }, /unknown field "nonsense"/);
    rejects('train.start', { preset: 'mnist-cvae', dataset: 'mnist', backend: 'cuda' }, /backend must be one of auto, cpu, webgpu, reference/);
    rejects('train.control', { id: ID, action: 'explode' }, /action must be one of pause, resume, stop/);
    rejects('runs.compare', { ids: [ID] }, /2 to 8 run ids/);
    rejects('runs.compare', { ids: [ID, ID] }, /distinct/);
    rejects('datasets.import', { path: 'relative/dir' }, /path must be an absolute path/);
    rejects('datasets.upload', { fileName: '../evil.zip', base64: '' }, /plain file name/);
    rejects('datasets.upload', { fileName: 'a.zip', base64: 'not base64!' }, /base64/);
    rejects('runs.rename', { id: ID, name: 'a\u0000b' }, /without control characters/);
  });

  it('has a validator for every channel and the CSP of the page matches the host header', () => {
    expect(CHANNELS.length).toBeGreaterThan(20);
    const html = readFileSync(join(ROOT, 'src/renderer/index.html'), 'utf8');
    expect(/http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });
});

describe('the handler table on a real lab', () => {
  let home: string;
  let handlers: ReturnType<typeof createHandlers>;
  const events: { event: EventName; payload: unknown }[] = [];

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'latent-lab-api-'));
    handlers = createHandlers({ home, mode: 'serve', version: '0.0.0-test', emit: <E extends EventName>(event: E, payload: ApiEvents[E]) => events.push({ event, payload }) });
  });

  afterAll(async () => {
    await handlers.training.stopAll(2000);
    closeLabDbs();
    rmSync(home, { recursive: true, force: true });
  });

  it('keeps paths inside the lab folder', () => {
    const outside = mkdtempSync(join(tmpdir(), 'latent-lab-outside-'));
    mkdirSync(join(home, 'runs'), { recursive: true });
    symlinkSync(outside, join(home, 'runs', 'escape'));
    expect(insideLab(home, 'runs/x.png')).toBe(join(home, 'runs', 'x.png'));
    expect(() => insideLab(home, '../secret')).toThrow(/outside the lab folder/);
    expect(() => insideLab(home, '/etc/passwd')).toThrow(/outside the lab folder/);
    expect(() => insideLab(home, 'runs/escape/file')).toThrow(/outside the lab folder/);
    rmSync(outside, { recursive: true, force: true });
  });

  it('tells import formats apart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latent-lab-detect-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), '');
    expect(detectFormat(dir)).toBe('idx');
    writeFileSync(join(dir, 'train_32x32.mat'), '');
    expect(detectFormat(join(dir, 'train_32x32.mat'))).toBe('svhn');
    mkdirSync(join(dir, 'cats'));
    expect(detectFormat(join(dir, 'cats'))).toBe('folder');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers errors as values, with the validator message, for bad requests and unknown channels', async () => {
    expect(await dispatch(handlers, 'nope', {})).toEqual({ ok: false, error: "unknown channel 'nope'" });
    expect(await dispatch(handlers, 'runs.get', { id: 'x' })).toMatchObject({ ok: false, error: expect.stringMatching(/id must be a run id/) });
    expect(await dispatch(handlers, 'runs.get', { id: ID })).toEqual({ ok: false, error: `no run '${ID}' (see 'latent-lab runs')` });
    expect(await dispatch(handlers, 'train.control', { id: ID, action: 'pause' })).toMatchObject({ ok: false, error: expect.stringMatching(/not training/) });
  });

  it('lists the built-ins and previews MNIST with a label histogram', async () => {
    const list = await dispatch(handlers, 'datasets.list', {});
    expect(list.ok && (list.value as { name: string }[]).map((d) => d.name)).toEqual(expect.arrayContaining(['mnist', 'fashion-mnist']));
    const r = await dispatch(handlers, 'datasets.preview', { name: 'mnist', split: 'test', offset: 0, count: 20 });
    if (!r.ok) throw new Error(r.error);
    const p = r.value as { grid: string; histogram: number[]; labels: number[]; cols: number };
    expect(p.histogram.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(p.labels.slice(0, 5)).toEqual([7, 2, 1, 0, 4]); // MNIST's first test digits
    const png = await decodePng(Buffer.from(p.grid.replace(/^data:image\/png;base64,/, ''), 'base64'));
    expect(png.width).toBe((16 * 30 + 2) * 2); // 16 columns of 28 px + 2 px gaps, scale 2
  });

  it('trains in a worker thread, relays events and serves the run to every screen', async () => {
    const started = await dispatch(handlers, 'train.start', {
      preset: 'linear-vae', dataset: 'mnist', backend: 'reference', name: 'api test',
      config: { epochs: 2, batch: 64, trainLimit: 128, testLimit: 64, lr: 0.003 },
    });
    if (!started.ok) throw new Error(started.error);
    const { runId } = started.value as { runId: string };
    const deadline = Date.now() + 90_000;
    while (!events.some((e) => e.event === 'train.status' && (e.payload as { status: string }).status === 'completed') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const epochs = events.filter((e) => e.event === 'train.epoch').map((e) => e.payload as ApiEvents['train.epoch']);
    expect(epochs.map((e) => e.event.epoch)).toEqual([1, 2]);
    expect(epochs[1].samples).toMatch(/^data:image\/png;base64,/);
    expect(events.some((e) => e.event === 'train.step')).toBe(true);

    const detail = await dispatch(handlers, 'runs.get', { id: runId });
    if (!detail.ok) throw new Error(detail.error);
    expect((detail.value as { run: { status: string; epochsDone: number } }).run).toMatchObject({ status: 'completed', epochsDone: 2 });

    const csv = await dispatch(handlers, 'export.csv', { id: runId });
    if (!csv.ok) throw new Error(csv.error);
    const lines = Buffer.from((csv.value as { base64: string }).base64, 'base64').toString().trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^epoch,/);

    const grid = await dispatch(handlers, 'export.grid', { id: runId, rows: 3, scale: 1, seed: 5 });
    if (!grid.ok) throw new Error(grid.error);
    const g = grid.value as { path: string; base64: string };
    expect(g.path).toBe(join('exports', runId, 'samples-3x3-seed5-x1.png'));
    const png = await decodePng(Buffer.from(g.base64, 'base64'));
    expect([png.width, png.height]).toEqual([3 * 30 + 2, 3 * 30 + 2]);
    // Same seed, same draws: a second export is byte-identical.
    const again = await dispatch(handlers, 'export.grid', { id: runId, rows: 3, scale: 1, seed: 5 });
    expect(again.ok && (again.value as { base64: string }).base64).toBe(g.base64);

    const map = await dispatch(handlers, 'explore.map', { id: runId, count: 50 });
    if (!map.ok) throw new Error(map.error);
    const m = map.value as { method: string; dims: number; points: number[][]; labels: number[] };
    expect(m).toMatchObject({ method: 'pca', dims: 20 });
    expect(m.points).toHaveLength(50);
    expect(new Set(m.labels).size).toBeGreaterThan(5);

    // A cold analysis engine and the Explore screen's first requests at once: one backend, tasks one at a time.
    closeAnalysis();
    const stripOf = async (r: Envelope<unknown>) => {
      if (!r.ok) throw new Error(r.error);
      const v = r.value as { grid: string; count: number; cols: number };
      const image = await decodePng(Buffer.from(v.grid.replace(/^data:image\/png;base64,/, ''), 'base64'));
      return { count: v.count, cols: v.cols, width: image.width, height: image.height, distinct: new Set(image.data).size };
    };
    const [map2, samples, strip] = await Promise.all([
      dispatch(handlers, 'explore.map', { id: runId, count: 100 }),
      dispatch(handlers, 'explore.samples', { id: runId, n: 8, seed: 1 }),
      dispatch(handlers, 'explore.testImages', { id: runId, offset: 9_998, count: 16 }),
    ]);
    if (!map2.ok) throw new Error(map2.error);
    const point = (map2.value as { points: [number, number][] }).points[0];
    // Decoded images have digit strokes, not one flat grey (decoding with another backend's weights gave that).
    expect(await stripOf(samples)).toMatchObject({ count: 8, cols: 8, width: (8 * 30 + 2) * 2, distinct: expect.toSatisfy((d: number) => d > 20) });
    expect(await stripOf(strip)).toMatchObject({ count: 2, cols: 2 }); // the last two test images
    expect(strip.ok && (strip.value as { labels: number[] }).labels).toHaveLength(2);
    const [decoded, traversal, path] = await Promise.all([
      dispatch(handlers, 'explore.decodePoint', { id: runId, x: point[0], y: point[1] }),
      dispatch(handlers, 'explore.traverse', { id: runId, index: 0, range: 2, steps: 5 }),
      dispatch(handlers, 'explore.interpolate', { id: runId, a: 0, b: 1, steps: 4 }),
    ]);
    expect(await stripOf(decoded)).toMatchObject({ count: 1, cols: 1, width: 30 * 6 + 2 * 6, distinct: expect.toSatisfy((d: number) => d > 20) });
    expect(await stripOf(traversal)).toMatchObject({ count: 16 * 5, cols: 5, width: 5 * 30 + 2, height: 16 * 30 + 2 });
    expect(traversal.ok && (traversal.value as { dims: number }).dims).toBe(20);
    expect(await stripOf(path)).toMatchObject({ count: 4, cols: 4, distinct: expect.toSatisfy((d: number) => d > 20) });
    expect(await dispatch(handlers, 'explore.traverse', { id: runId, index: 10_000, range: 2, steps: 5 }))
      .toEqual({ ok: false, error: "test image 10000 does not exist: 'mnist' has 10000 test images" });

    const py = await dispatch(handlers, 'export.pytorch', { id: runId });
    expect(py.ok && Buffer.from((py.value as { base64: string }).base64, 'base64').toString()).toMatch(/import torch[\s\S]*nn\.Module/);

    const image = await dispatch(handlers, 'runs.image', { id: runId, kind: 'reconstructions', epoch: 2 });
    expect(image.ok).toBe(true);
    const missing = await dispatch(handlers, 'runs.image', { id: runId, kind: 'reconstructions', epoch: 9 });
    expect(missing).toEqual({ ok: false, error: `run ${runId} has no reconstructions for epoch 9` });
  }, 120_000);
  it('explores an autoencoder whose decoder unpools: its map works, decoding a code alone fails and says why', async () => {
    const started = await dispatch(handlers, 'train.start', {
      preset: 'cae-bn-pool', dataset: 'mnist', backend: 'cpu', name: 'unpool test',
      config: { epochs: 1, batch: 16, trainLimit: 32, testLimit: 16 },
    });
    if (!started.ok) throw new Error(started.error);
    const { runId } = started.value as { runId: string };
    const deadline = Date.now() + 90_000;
    const done = () => events.some((e) => e.event === 'train.status' && (e.payload as { runId: string; status: string }).runId === runId && (e.payload as { status: string }).status === 'completed');
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(done()).toBe(true);
    const map = await dispatch(handlers, 'explore.map', { id: runId, count: 20 });
    expect(map.ok && map.value).toMatchObject({ method: 'pca', dims: 32 * 7 * 7 });
    const unpools = /decoder unpools with the encoder's max-pool indices, so it cannot decode a code alone/;
    for (const [channel, req] of [
      ['explore.decodePoint', { id: runId, x: 0, y: 0 }],
      ['explore.samples', { id: runId, n: 4, seed: 0 }],
      ['explore.traverse', { id: runId, index: 0, range: 1, steps: 3 }],
      ['explore.interpolate', { id: runId, a: 0, b: 1, steps: 3 }],
    ] as const) {
      expect(await dispatch(handlers, channel, req)).toEqual({ ok: false, error: expect.stringMatching(unpools) });
    }
    expect((await dispatch(handlers, 'explore.testImages', { id: runId, offset: 0, count: 4 })).ok).toBe(true);
  }, 120_000);

  it('pauses, resumes and stops a run from the host, keeping its completed epochs', async () => {
    const started = await dispatch(handlers, 'train.start', {
      preset: 'linear-vae', dataset: 'mnist', backend: 'reference', name: 'control test',
      config: { epochs: 50, batch: 32, trainLimit: 128, testLimit: 32 },
    });
    if (!started.ok) throw new Error(started.error);
    const { runId } = started.value as { runId: string };
    const until = async (ok: () => boolean) => {
      const deadline = Date.now() + 60_000;
      while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(ok()).toBe(true);
    };
    const epochsOf = () => events.filter((e) => e.event === 'train.epoch' && (e.payload as { runId: string }).runId === runId).length;
    await until(() => epochsOf() >= 1);
    expect(await dispatch(handlers, 'train.control', { id: runId, action: 'pause' })).toEqual({ ok: true, value: { runId, state: 'paused' } });
    const list = await dispatch(handlers, 'runs.list', {});
    expect(list.ok && (list.value as { id: string; status: string }[]).find((r) => r.id === runId)?.status).toBe('paused');
    // Paused: no epoch completes while it waits.
    const pausedAt = epochsOf();
    await new Promise((r) => setTimeout(r, 1500));
    expect(epochsOf()).toBeLessThanOrEqual(pausedAt + 1);
    expect(await dispatch(handlers, 'train.control', { id: runId, action: 'resume' })).toEqual({ ok: true, value: { runId, state: 'running' } });
    await dispatch(handlers, 'train.control', { id: runId, action: 'stop' });
    await until(() => events.some((e) => e.event === 'train.status' && (e.payload as { runId: string; status: string }).runId === runId && (e.payload as { status: string }).status === 'stopped'));
    const detail = await dispatch(handlers, 'runs.get', { id: runId });
    if (!detail.ok) throw new Error(detail.error);
    const d = detail.value as { run: { status: string; epochsDone: number }; epochs: unknown[]; live: unknown };
    expect(d.run.status).toBe('stopped');
    expect(d.run.epochsDone).toBeGreaterThanOrEqual(1);
    expect(d.epochs).toHaveLength(d.run.epochsDone);
    expect(d.live).toBe(null);
  }, 120_000);
});

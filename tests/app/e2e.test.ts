// End to end through the real UI: `latent-lab serve` on an ephemeral port with a fresh lab, driven in
// Debian's Chromium. Builds an architecture by drag and drop, trains it on an MNIST subset while the chart
// fills, trains a second run, explores one, compares both, exports a PNG grid and decodes it.
// Screenshots of every screen land in test-results/screenshots/.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../src/main/images/grid.ts';
import { ROOT } from '../paths.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-results', 'screenshots');

describe.skipIf(!existsSync(CHROMIUM))('the app in serve mode, in Chromium', () => {
  let server: ChildProcess;
  let url = '';
  let home = '';
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'latent-lab-e2e-'));
    mkdirSync(SHOTS, { recursive: true });
    // `serve` builds the renderer first when out/renderer is missing or older than its sources.
    server = spawn(process.execPath, [join(ROOT, 'bin', 'latent-lab.mjs'), 'serve', '--port', '0'], {
      env: { ...process.env, LATENT_LAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    server.stderr!.on('data', (d) => (log += String(d)));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${log}`)), 110_000);
      server.stdout!.on('data', (d) => {
        const m = /serving at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(String(d));
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      server.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${log}`)));
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 960 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    if (server) await new Promise((r) => server.once('exit', r));
    if (home) rmSync(home, { recursive: true, force: true });
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await page.screenshot({ path: join(SHOTS, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`) });
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const go = (screen: string) => page.click(`[data-screen="${screen}"]`);

  it('shows the data sets with a preview grid and a label histogram', async () => {
    await page.goto(url);
    await page.waitForSelector('[data-dataset="mnist"]');
    await page.click('[data-dataset="mnist"]');
    const grid = page.locator('[data-testid="dataset-grid"]');
    await grid.waitFor();
    await expect.poll(() => grid.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(400);
    await page.waitForSelector('[data-testid="histogram"] canvas');
    expect(await page.textContent('[data-testid="count-train"]')).toContain('60');
    await shot('1-datasets');
  });

  it('builds an architecture by drag and drop, flags the bad layer, and reorders', async () => {
    await go('architect');
    await page.click('[data-testid="clear-stacks"]');
    const drag = (type: string, stack: 'encoder' | 'decoder') => page.dragAndDrop(`[data-layer-type="${type}"]`, `[data-stack="${stack}"] .drop-hint`);
    await drag('flatten', 'encoder');
    await drag('linear', 'encoder');
    await drag('relu', 'encoder');
    await drag('linear', 'decoder');
    await drag('reshape', 'decoder');
    const types = (stack: string) => page.$$eval(`[data-stack="${stack}"] .card`, (cards) => cards.map((c) => c.getAttribute('data-type')));
    expect(await types('encoder')).toEqual(['flatten', 'linear', 'relu']);
    expect(await types('decoder')).toEqual(['linear', 'reshape']);
    // The decoder's linear gives 64 values; reshape to 1×28×28 needs 784: the reshape is flagged with why.
    const bad = page.locator('[data-path="decoder.1"] [data-testid="layer-error"]');
    await bad.waitFor();
    expect(await bad.textContent()).toContain('cannot reshape');
    await shot('2-architect-invalid');
    await page.fill('[data-path="decoder.0"] input[data-field="out"]', '784');
    await page.press('[data-path="decoder.0"] input[data-field="out"]', 'Enter');
    await expect.poll(() => page.locator('[data-testid="layer-error"]').count()).toBe(0);
    // Reorder by drag: the relu goes before the linear and back again.
    await page.dragAndDrop('[data-path="encoder.2"]', '[data-path="encoder.1"]', { targetPosition: { x: 40, y: 4 } });
    expect(await types('encoder')).toEqual(['flatten', 'relu', 'linear']);
    await page.dragAndDrop('[data-path="encoder.1"]', '[data-stack="encoder"] .drop-hint');
    expect(await types('encoder')).toEqual(['flatten', 'linear', 'relu']);
    // 784·64+64 + head 64·16+16 + 8·784+784 = 58,336 parameters.
    expect(await page.getAttribute('[data-testid="param-count"]', 'data-value')).toBe('58336');
    await shot('2-architect');
  });

  async function train(name: string, source: string | null) {
    if (source) await page.selectOption('[data-testid="train-source"]', source);
    await page.selectOption('[data-testid="train-dataset"]', 'mnist');
    await page.selectOption('[data-testid="train-backend"]', 'cpu');
    await page.fill('[data-testid="cfg-epochs"]', '2');
    await page.fill('[data-testid="cfg-batch"]', '64');
    await page.fill('[data-testid="cfg-train-limit"]', '1024');
    await page.fill('[data-testid="cfg-test-limit"]', '256');
    await page.fill('[data-testid="run-name"]', name);
    await page.fill('[data-testid="cfg-lr"]', '0.004');
    await page.click('[data-testid="start-training"]');
    // The run panel switches to the new run once the host has started it.
    await page.waitForSelector(`.run-title:text-is("${name}")`);
  }

  it('trains the dragged architecture on an MNIST subset and the chart updates', async () => {
    await page.click('[data-testid="train-this"]');
    await page.waitForSelector('[data-testid="start-training"]');
    await train('dragged MLP VAE', '@architect');
    const chart = page.locator('[data-testid="loss-chart"]');
    // Points arrive while it trains, then the run completes.
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(1);
    await expect.poll(() => page.textContent('[data-testid="run-status"]'), { timeout: 90_000 }).toBe('completed');
    await page.waitForSelector('[data-testid="recon-grid"]');
    await page.waitForSelector('[data-testid="sample-grid"]');
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(4);
    expect(await page.textContent('[data-testid="picked-backend"]')).toBe('cpu');
    await shot('3-train');
  });

  it('trains a second run from a preset', async () => {
    await train('linear VAE preset', 'linear-vae');
    await expect.poll(() => page.textContent('[data-testid="run-status"]'), { timeout: 90_000 }).toBe('completed');
  });

  it('explores a run: latent map, decoding a clicked point, samples', async () => {
    await go('explore');
    const map = page.locator('[data-testid="latent-map"] canvas');
    await map.waitFor({ timeout: 30_000 });
    const box = (await map.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.4, box.y + box.height * 0.45);
    await page.waitForSelector('[data-testid="decoded-point"]');
    await page.waitForSelector('[data-testid="explore-samples"]');
    await page.click('[data-testid="traverse"]');
    await page.waitForSelector('[data-testid="traversal"]');
    await page.click('[data-testid="interpolate"]');
    await page.waitForSelector('[data-testid="interpolation"]');
    await shot('4-explore');
  });

  it('compares the two runs', async () => {
    await go('runs');
    const boxes = page.locator('[data-testid="runs-table"] tbody input[type="checkbox"]');
    await expect.poll(() => boxes.count()).toBe(2);
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.click('[data-testid="compare"]');
    await page.waitForSelector('[data-testid="comparison"]', { timeout: 30_000 });
    expect(await page.locator('[data-testid="metrics-table"] tbody tr').count()).toBe(2);
    expect(await page.locator('[data-testid="compare-samples"]').count()).toBe(2);
    expect(Number(await page.getAttribute('[data-testid="compare-chart"]', 'data-points'))).toBe(8); // 2 runs × (test + train) × 2 epochs
    expect(await page.locator('[data-testid="spec-diff"] tbody tr').count()).toBeGreaterThan(0);
    await shot('5-runs');
  });

  it('exports a PNG sample grid that decodes to the asked size', async () => {
    await go('export');
    await page.fill('[data-testid="export-rows"]', '4');
    await page.fill('[data-testid="export-scale"]', '2');
    await page.fill('[data-testid="export-seed"]', '3');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-png"]')]);
    const file = await download.path();
    const png = await decodePng(readFileSync(file!));
    // 4 images of 28 px and 5 gaps of 2 px, doubled.
    expect([png.width, png.height]).toEqual([(4 * 30 + 2) * 2, (4 * 30 + 2) * 2]);
    expect(png.channels).toBe(1);
    const values = new Set(png.data);
    expect(values.size).toBeGreaterThan(20); // decoded digits, not a flat image
    const saved = await page.textContent('[data-testid="export-path"]');
    expect(saved).toMatch(/^exports\/\d{8}-[0-9a-f]{6}\/samples-4x4-seed3-x2\.png$/);
    expect(readFileSync(join(home, saved!)).equals(readFileSync(file!))).toBe(true);
    await page.waitForSelector('[data-testid="export-preview"]');
    await shot('6-export');
  });

  it('logged no errors in the page (CSP violations included)', () => {
    expect(problems).toEqual([]);
  });
});

// Per-epoch metrics as CSV: the fixed columns, then every numeric `extra` (NLL, SSIM, ...) in name order.
// Lists (KL per dimension) are written as one column per entry (klPerDim.0, klPerDim.1, ...).

import type { EpochRecord } from '../train.ts';

const FIXED: [string, keyof EpochRecord][] = [
  ['epoch', 'epoch'], ['step', 'step'], ['train_loss', 'trainLoss'], ['train_rec', 'trainRec'], ['train_kl', 'trainKl'],
  ['test_loss', 'testLoss'], ['test_rec', 'testRec'], ['test_kl', 'testKl'], ['train_images_per_s', 'trainImagesPerSecond'], ['seconds', 'seconds'],
];

function flattenExtra(extra: Record<string, unknown>): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const [k, v] of Object.entries(extra)) {
    if (typeof v === 'number' || v === null) out.set(k, v);
    else if (Array.isArray(v)) v.forEach((x, i) => out.set(`${k}.${i}`, typeof x === 'number' ? x : null));
  }
  return out;
}

const cell = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(v));

export function metricsCsv(rows: EpochRecord[]): string {
  const extras = rows.map((r) => flattenExtra(r.extra));
  const extraKeys = [...new Set(extras.flatMap((m) => [...m.keys()]))].sort((a, b) => {
    const [an, ai] = a.split('.'), [bn, bi] = b.split('.');
    return an === bn ? Number(ai ?? -1) - Number(bi ?? -1) : an < bn ? -1 : 1;
  });
  const lines = [[...FIXED.map(([h]) => h), ...extraKeys].join(',')];
  rows.forEach((r, i) => {
    lines.push([...FIXED.map(([, k]) => cell(r[k] as number)), ...extraKeys.map((k) => cell(extras[i].get(k)))].join(','));
  });
  return `${lines.join('\n')}\n`;
}

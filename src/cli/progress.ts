/** One self-rewriting status line on a terminal (stderr), with a bar for the epoch's progress. */
export class ProgressLine {
  private last = 0;

  update(text: string, fraction: number): void {
    const now = Date.now();
    if (now - this.last < 100 && fraction < 1) return; // at most 10 redraws a second
    this.last = now;
    const width = 20, filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
  }

  clear(): void {
    process.stderr.write('\r\x1b[2K');
  }
}

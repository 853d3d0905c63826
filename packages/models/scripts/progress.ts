/**
 * A one-line progress bar on stderr (redrawn in place on a terminal, one line per update
 * otherwise, so CI logs stay readable).
 */
export class ProgressBar {
  private readonly start = Date.now();
  private lastLine = '';
  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(done: number, detail = ''): void {
    const width = 28;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const filled = Math.round(frac * width);
    const secs = ((Date.now() - this.start) / 1000).toFixed(1);
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${detail} ${secs}s`;
    if (line === this.lastLine) return;
    this.lastLine = line;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K`);
    else process.stderr.write(`${line}\n`);
  }

  done(detail = ''): void {
    this.update(this.total, detail);
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
}

import { barLine, writeBarLine } from '@hepml/physics/progress';

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
    const secs = ((Date.now() - this.start) / 1000).toFixed(1);
    const line = `${barLine(this.label, done, this.total, 28)} ${detail} ${secs}s`;
    if (line === this.lastLine) return;
    this.lastLine = line;
    writeBarLine(line);
  }

  done(detail = ''): void {
    this.update(this.total, detail);
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
}

/**
 * A one-line progress bar on stderr for readers of large files: done/total, rows/s and MB/s
 * (redrawn in place on a terminal, at most one line a second otherwise, so logs stay readable).
 * The models' training bar (packages/models/scripts/progress.ts) draws through the same
 * {@link barLine} and {@link writeBarLine}; this one adds the throughput figures a reader needs.
 */
export class ReadProgressBar {
  private readonly start = performance.now();
  private lastDraw = 0;
  constructor(private readonly label: string) {}

  /** Redraws with `done` of `total` rows and `bytes` read so far. */
  update(done: number, total: number, bytes: number, force = false): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < (process.stderr.isTTY ? 100 : 1000)) return;
    this.lastDraw = now;
    const secs = Math.max(1e-9, (now - this.start) / 1000);
    writeBarLine(
      `${barLine(this.label, done, total, 24)} ` +
        `${formatRate(done / secs)} rows/s ${(bytes / 1e6 / secs).toFixed(1)} MB/s ${secs.toFixed(1)} s`,
    );
  }

  /** Ends the bar's line. */
  done(): void {
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
}

/** A rate with three significant figures and a k/M suffix. */
export function formatRate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (x >= 1e3) return `${(x / 1e3).toPrecision(3)}k`;
  return x.toPrecision(3);
}

/** `label [####....] done/total`: the bar `width` characters wide (full when `total` is 0). */
export function barLine(label: string, done: number, total: number, width: number): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * width);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

/** Writes a bar line to stderr: redrawn in place on a terminal, one line per call otherwise. */
export function writeBarLine(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K`);
  else process.stderr.write(`${line}\n`);
}

/**
 * Shared helpers of the benchmarks: timing with bounded loops, a plain-text table, and the JSON
 * record that `pnpm bench` (run-all.ts) collects into bench/results/<date>.json.
 */
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';

/** One measured figure. */
export interface BenchRow {
  [column: string]: string | number | null;
}

/**
 * Runs `fn` repeatedly for at least `minMs` of wall time (and at least `minIterations` times);
 * returns the wall ms per call and the CPU ms per call of this process (user + system,
 * `process.cpuUsage`), which on a machine shared with other work is the steadier of the two.
 */
export async function timePerCall(
  fn: () => unknown | Promise<unknown>,
  options: { minMs?: number; minIterations?: number; maxIterations?: number; warmup?: number } = {},
): Promise<{ msPerCall: number; cpuMsPerCall: number; iterations: number }> {
  const { minMs = 300, minIterations = 3, maxIterations = 1e7, warmup = 2 } = options;
  for (let i = 0; i < warmup; i++) await fn();
  let iterations = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let elapsed = 0;
  while ((elapsed < minMs || iterations < minIterations) && iterations < maxIterations) {
    await fn();
    iterations++;
    elapsed = performance.now() - t0;
  }
  const cpu = process.cpuUsage(cpu0);
  return { msPerCall: elapsed / iterations, cpuMsPerCall: (cpu.user + cpu.system) / 1000 / iterations, iterations };
}

/** Formats rows as an aligned text table (numbers with 3 significant digits unless already strings). */
export function formatTable(rows: readonly BenchRow[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: BenchRow[string] | undefined) =>
    v === null || v === undefined ? '—' : typeof v === 'number' ? formatNumber(v) : v;
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padStart(widths[i] ?? 0)).join('  ');
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join('\n');
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  // Counts (batch sizes, rows, parameters) print exactly.
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}

/**
 * Least-squares slope b of log y = a + b·log x (natural logs; x, y > 0): the exponent of a power
 * law y ∝ x^b, so b = 1 means y grows linearly in x. NaN for fewer than two distinct x.
 */
export function logLogSlope(x: readonly number[], y: readonly number[]): number {
  const lx = x.map(Math.log);
  const ly = y.map(Math.log);
  const mx = lx.reduce((s, v) => s + v, 0) / lx.length;
  const my = ly.reduce((s, v) => s + v, 0) / ly.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < lx.length; i++) {
    sxy += ((lx[i] as number) - mx) * ((ly[i] as number) - my);
    sxx += ((lx[i] as number) - mx) ** 2;
  }
  return sxy / sxx;
}

/** The machine a result was measured on. */
export function machine(): { cpu: string; cores: number; node: string; platform: string } {
  const list = cpus();
  return { cpu: list[0]?.model ?? 'unknown', cores: list.length, node: process.version, platform: process.platform };
}

/**
 * Prints a titled table and, when run under `pnpm bench` (BENCH_RESULTS set), appends the rows as
 * one JSON line to that file so the runner can write bench/results/<date>.json.
 */
export function report(section: string, rows: readonly BenchRow[], notes: string[] = []): void {
  process.stdout.write(`\n## ${section}\n\n${formatTable(rows)}\n`);
  for (const n of notes) process.stdout.write(`  ${n}\n`);
  const file = process.env.BENCH_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify({ section, rows, notes })}\n`);
}

/** The part of autocannon's API the benchmarks use (the package ships no type declarations). */
export interface AutocannonResult {
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
export interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void,
  ): void;
  on(event: 'reqError', listener: (err: Error) => void): void;
  /** Ends the run early; the promise then resolves with what was done. */
  stop(): void;
}
/** autocannon, typed: an HTTP load against one URL for `duration` seconds, or `amount` requests. */
export const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer;
  connections: number;
  duration?: number;
  amount?: number;
}) => AutocannonInstance;

/**
 * `pnpm bench`: runs every benchmark of this folder in one process tree on this machine, one
 * after the other (so they do not compete for cores), prints their tables, writes all figures to
 * bench/results/<date>.json and the latest tables into bench/README.md.
 *
 * Flags: --only <name,...> to run some of them (file names without `.bench.ts`); their figures go
 * to bench/results/<date>-<names>.json and bench/README.md is left as it is, so the committed
 * tables always come from one full run.
 *
 * Each benchmark runs under a wall-clock limit (PER_BENCH_TIMEOUT_S, longer for `training`, which
 * times the whole `pnpm train` suite); one that fails or runs out of time is reported in the
 * outcome table and makes the exit status 1, and the others still run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BenchRow, formatTable, machine } from './lib.ts';

const here = dirname(fileURLToPath(import.meta.url));
// Order: the machine's peak first (the others quote it), then kernels, then the servers.
const ORDER = ['peak', 'physics', 'sim', 'runtime', 'scaling', 'training', 'serving', 'dashboard'];
const PER_BENCH_TIMEOUT_S = 240;
/**
 * Benchmarks that need longer: training runs the default suite; serving has 16 cases of 5 s, each
 * server warmed up first (10 s at batch 1, 4 s at batch 1,000), ~160 s; load warms the worker up
 * (≤ 180 s) before its 2 × 60 s; data-read writes and reads a 2 GB file (~5 min under load).
 */
const TIMEOUT_S: Record<string, number> = { training: 480, serving: 360, load: 420, 'data-read': 600 };

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { only: { type: 'string' } },
});
const only = values.only ? new Set(values.only.split(',')) : null;
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));
const names = [
  ...ORDER.filter((n) => available.includes(n)),
  ...available.filter((n) => !ORDER.includes(n)).sort(),
].filter((n) => !only || only.has(n));

const scratch = join(tmpdir(), `hepml-bench-${process.pid}.jsonl`);
rmSync(scratch, { force: true });
const started = new Date();
const loadBefore = loadavg();
const outcomes: { bench: string; status: number | null; outcome: string; seconds: number; limitS: number }[] = [];
for (const name of names) {
  process.stdout.write(`\n# ${name}\n`);
  const limitS = TIMEOUT_S[name] ?? PER_BENCH_TIMEOUT_S;
  const t0 = Date.now();
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.bench.ts`)], {
    stdio: 'inherit',
    cwd: join(here, '..'),
    env: { ...process.env, BENCH_RESULTS: scratch, BENCH_NAME: name },
    timeout: limitS * 1000,
  });
  const seconds = (Date.now() - t0) / 1000;
  const timedOut = res.error !== undefined && (res.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  const outcome =
    res.status === 0 ? 'ok' : timedOut ? `stopped at the ${limitS} s limit` : `failed (${res.status ?? res.signal})`;
  outcomes.push({ bench: name, status: res.status, outcome, seconds, limitS });
  if (res.status !== 0) process.stdout.write(`\n(${name}: ${outcome})\n`);
}
const totalSeconds = (Date.now() - started.getTime()) / 1000;
const loadAfter = loadavg();

const sections: { section: string; rows: BenchRow[]; notes: string[] }[] = existsSync(scratch)
  ? readFileSync(scratch, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];
rmSync(scratch, { force: true });
const date = started.toISOString().slice(0, 10);
const result = {
  date: started.toISOString(),
  machine: machine(),
  loadAverage: { before: loadBefore, after: loadAfter },
  totalSeconds,
  outcomes,
  sections,
};
mkdirSync(join(here, 'results'), { recursive: true });
const resultFile = join(here, 'results', only ? `${date}-${[...names].join('+')}.json` : `${date}.json`);
writeFileSync(resultFile, `${JSON.stringify(result, null, 1)}\n`);

if (!only) {
  const m = result.machine;
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(', ');
  const outcomeTable = [
    '| benchmark | outcome | wall s | limit s |',
    '| --- | --- | --- | --- |',
    ...outcomes.map((o) => `| \`${o.bench}\` | ${o.outcome} | ${o.seconds.toFixed(0)} | ${o.limitS} |`),
  ].join('\n');
  const body = sections
    .map(
      (s) => `### ${s.section}\n\n\`\`\`\n${formatTable(s.rows)}\n\`\`\`\n${s.notes.map((n) => `\n${n}\n`).join('')}`,
    )
    .join('\n');
  const readmeFile = join(here, 'README.md');
  const readme = readFileSync(readmeFile, 'utf8');
  const marker = '<!-- latest results -->';
  const head = readme.includes(marker) ? readme.slice(0, readme.indexOf(marker)) : `${readme}\n`;
  writeFileSync(
    readmeFile,
    `${head}${marker}\n\n## Latest results (${date})\n\n` +
      `Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node} (${m.platform}); load average ${load(loadBefore)} ` +
      `before and ${load(loadAfter)} after the run (1, 5, 15 min), which includes other work on the machine. ` +
      `\`pnpm bench\` took ${totalSeconds.toFixed(0)} s. Ratios are computed within this one run.\n\n` +
      `${outcomeTable}\n\n${body}`,
  );
  // The README is checked by Biome's markdown formatter (tables padded, blank lines normalised).
  const biome = spawnSync(join(here, '..', 'node_modules', '.bin', 'biome'), ['format', '--write', readmeFile], {
    cwd: join(here, '..'),
    encoding: 'utf8',
  });
  if (biome.status !== 0)
    process.stdout.write(`\n(biome format bench/README.md failed: ${biome.stderr || biome.error})\n`);
}
process.stdout.write(`\nwrote ${resultFile}\n`);
if (outcomes.some((o) => o.status !== 0)) process.exitCode = 1;

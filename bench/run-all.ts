/**
 * `pnpm bench`: runs every benchmark of this folder in one process tree on this machine, one
 * after the other (so they do not compete for cores), prints their tables, writes all figures to
 * bench/results/<date>.json and the latest tables into bench/README.md.
 *
 * Flags: --only <name,...> to run some of them (file names without `.bench.ts`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BenchRow, formatTable, machine } from './lib.ts';

const here = dirname(fileURLToPath(import.meta.url));
// Order: the machine's peak first (the others quote it), then kernels, then the servers.
const ORDER = ['peak', 'physics', 'sim', 'runtime', 'training', 'serving', 'dashboard'];
const PER_BENCH_TIMEOUT_S = 240;

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
const outcomes: { bench: string; status: number | null; seconds: number }[] = [];
for (const name of names) {
  process.stdout.write(`\n# ${name}\n`);
  const t0 = Date.now();
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.bench.ts`)], {
    stdio: 'inherit',
    cwd: join(here, '..'),
    env: { ...process.env, BENCH_RESULTS: scratch, BENCH_NAME: name },
    timeout: PER_BENCH_TIMEOUT_S * 1000,
  });
  outcomes.push({ bench: name, status: res.status, seconds: (Date.now() - t0) / 1000 });
  if (res.status !== 0) process.stdout.write(`\n(${name} exited with ${res.status ?? res.signal})\n`);
}

const sections: { section: string; rows: BenchRow[]; notes: string[] }[] = existsSync(scratch)
  ? readFileSync(scratch, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];
rmSync(scratch, { force: true });
const date = started.toISOString().slice(0, 10);
const result = { date: started.toISOString(), machine: machine(), outcomes, sections };
mkdirSync(join(here, 'results'), { recursive: true });
const resultFile = join(here, 'results', `${date}.json`);
writeFileSync(resultFile, `${JSON.stringify(result, null, 1)}\n`);

if (!only) {
  const m = result.machine;
  const body = sections
    .map(
      (s) => `### ${s.section}\n\n\`\`\`\n${formatTable(s.rows)}\n\`\`\`\n${s.notes.map((n) => `\n${n}\n`).join('')}`,
    )
    .join('\n');
  const readme = readFileSync(join(here, 'README.md'), 'utf8');
  const marker = '<!-- latest results -->';
  const head = readme.includes(marker) ? readme.slice(0, readme.indexOf(marker)) : `${readme}\n`;
  writeFileSync(
    join(here, 'README.md'),
    `${head}${marker}\n## Latest results (${date})\n\nMachine: ${m.cpu}, ${m.cores} cores, Node ${m.node} (${m.platform}). ` +
      `Ratios are computed within this one run.\n\n${body}`,
  );
}
process.stdout.write(`\nwrote ${resultFile}\n`);
if (outcomes.some((o) => o.status !== 0)) process.exitCode = 1;

/**
 * Sustained load (issue 11): the inference worker under `wrangler dev` (workerd on 127.0.0.1, local
 * D1 and R2, as `npm start` runs it) driven by autocannon for `LOAD_BENCH_SECONDS` (default 60) at
 * batch 1 and then at batch 1,000 (v1 predict, rows form, 2 connections). Printed per 10-s window:
 * responses, errors (connection errors, timeouts, non-2xx), p50 and p99 latency, and the resident
 * memory (RSS) of the worker's process tree (wrangler + workerd) sampled every second — the first
 * and the last window compared show whether memory grows. Bounded: every case ends after its
 * duration and the worker is stopped whatever happens.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, mlpParameterCount } from '@hepml/models/bundle';
import { publishBundle, systemPrincipal } from '@hepml/models/registry';
import { Rng } from '@hepml/physics';
import { API_CONFIG, applyMigrations, freePort, startWorker, withPlatform } from '../scripts/local-stack.ts';
import { autocannon, type BenchRow, report } from './lib.ts';

const SECONDS = Number(process.env.LOAD_BENCH_SECONDS ?? 60);
const WINDOW_S = 10;
const CONNECTIONS = 2;
const MODEL = 'load-electron-id';
const INPUTS = ['et', 'eta', 'reta', 'rhad'].map((name, i) => ({
  name,
  unit: i === 0 ? 'GeV' : '1',
  offset: 0,
  scale: 1,
}));

/** RSS in MiB of `pid` and all its descendants (Linux `ps`). */
function treeRssMiB(pid: number): number {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss='], { encoding: 'utf8' });
  const rows = out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number, number]);
  const inTree = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, pp] of rows) {
      if (inTree.has(pp) && !inTree.has(p)) {
        inTree.add(p);
        grew = true;
      }
    }
  }
  return rows.filter(([p]) => inTree.has(p)).reduce((a, [, , rss]) => a + rss, 0) / 1024;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

async function loadCase(url: string, pid: number, batch: number): Promise<{ rows: BenchRow[]; errors: number }> {
  const rng = new Rng(batch);
  const rows = Array.from({ length: batch }, () => ({
    et: 20 + 60 * rng.uniform(),
    eta: -2.4 + 4.8 * rng.uniform(),
    reta: 0.9 + 0.1 * rng.uniform(),
    rhad: 0.05 * rng.uniform(),
  }));
  const windows = Math.ceil(SECONDS / WINDOW_S);
  const latencies: number[][] = Array.from({ length: windows }, () => []);
  const errors = new Array<number>(windows).fill(0);
  const rss: number[][] = Array.from({ length: windows }, () => []);
  const t0 = performance.now();
  const windowOf = () => Math.min(windows - 1, Math.floor((performance.now() - t0) / 1000 / WINDOW_S));
  const sampler = setInterval(() => rss[windowOf()]?.push(treeRssMiB(pid)), 1000);
  const instance = autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rows }),
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  instance.on('response', (_c, status, _b, ms) => {
    const w = windowOf();
    if (status >= 200 && status < 300) latencies[w]?.push(ms);
    else errors[w] = (errors[w] ?? 0) + 1;
  });
  instance.on('reqError', () => {
    const w = windowOf();
    errors[w] = (errors[w] ?? 0) + 1;
  });
  const result = await instance;
  clearInterval(sampler);
  const out: BenchRow[] = latencies.map((l, w) => {
    const sorted = Float64Array.from(l).sort();
    const mem = rss[w] ?? [];
    return {
      batch,
      window: `${w * WINDOW_S}–${(w + 1) * WINDOW_S} s`,
      responses: l.length,
      errors: errors[w] ?? 0,
      'p50 ms': quantile(sorted, 0.5),
      'p99 ms': quantile(sorted, 0.99),
      'rows/s': (l.length * batch) / WINDOW_S,
      'worker RSS MiB': mem.length ? mem.reduce((a, b) => a + b, 0) / mem.length : null,
    };
  });
  return { rows: out, errors: result.errors + result.timeouts + result.non2xx };
}

async function main(): Promise<void> {
  const layers = [
    { type: 'dense' as const, units: 32, activation: 'relu' as const },
    { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
  ];
  const parameters = mlpParameterCount(INPUTS.length, layers);
  const weights = Float32Array.from({ length: parameters }, (_, i) => Math.sin(0.7 * i) * 0.5);
  const bundle = await buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: MODEL,
      task: 'electron-id',
      description: 'load benchmark model',
      inputs: INPUTS,
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: { kind: 'mlp', inputSize: INPUTS.length, layers, parameters },
      weights: 'weights.bin',
      metrics: {},
      workingPoints: [],
      lineage: {
        datasetHash: 'bench',
        codeVersion: 'bench',
        seed: 1,
        createdAt: '2026-01-01T00:00:00Z',
        backend: 'none',
      },
    },
    new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
  );
  const persistTo = mkdtempSync(join(tmpdir(), 'hepml-load-'));
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    await applyMigrations(persistTo);
    await withPlatform(persistTo, async ({ db, store }) => {
      await publishBundle(db, store, bundle, { actor: await systemPrincipal(db), visibility: 'public' });
    });
    // The per-client rate limit is off: this measures the worker, not the limit.
    worker = await startWorker({
      config: API_CONFIG,
      port: await freePort(),
      persistTo,
      readyPath: '/v2/health/live',
      vars: { RATE_LIMIT_PER_SECOND: '0' },
    });
    const url = `${worker.url}/v1/models/${MODEL}/predict`;
    const pid = worker.process.pid ?? 0;
    const all: BenchRow[] = [];
    const notes: string[] = [];
    for (const batch of [1, 1000]) {
      const { rows, errors } = await loadCase(url, pid, batch);
      all.push(...rows);
      const first = rows[0]?.['worker RSS MiB'];
      const last = rows.at(-1)?.['worker RSS MiB'];
      notes.push(
        `batch ${batch}: ${errors} errors (autocannon); RSS first vs last ${WINDOW_S} s: ${Number(first).toFixed(1)} → ${Number(last).toFixed(1)} MiB`,
      );
    }
    report(
      `Load: ${MODEL} (MLP 4→32→1), v1 predict under wrangler dev, ${SECONDS} s per batch size, ${CONNECTIONS} connections`,
      all,
      notes,
    );
  } finally {
    await worker?.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

await main();

/**
 * Sustained load (issue 11): the inference worker under `wrangler dev` (workerd on 127.0.0.1, local
 * D1 and R2, as `npm start` runs it) driven by autocannon for `LOAD_BENCH_SECONDS` (default 60) at
 * batch 1 and then at batch 1,000 (v1 predict, rows form, 2 connections). Printed per 10-s window:
 * responses, errors (connection errors, timeouts, non-2xx), p50 and p99 latency, the resident
 * memory (RSS) of the worker's process tree (wrangler + its two workerd processes) sampled every
 * second, and the JavaScript heap of the worker's isolate (read once a second with
 * `Runtime.getHeapUsage` over the worker's DevTools inspector: the window's lowest reading of the
 * used heap and the mean reserved heap). Whether memory grows: RSS of the first against the last
 * window, and the live heap (lowest used reading) of the first against the second half.
 *
 * Warm-up first: workerd's resident memory rises over its first tens of thousands of requests and
 * then stays flat (measured: 60 → 440 MiB per workerd process over ~70,000 requests, flat over the
 * next 70,000; the same in the entry process that runs none of our code, and with Miniflare alone,
 * no inspector: 206 → 410 MiB by ~60,000 requests, flat after), while the isolate's heap stays
 * under ~90 MiB reserved. So `LOAD_BENCH_WARMUP_REQUESTS` (default 80,000) batch-1 requests run
 * before the measured minutes, at most `LOAD_BENCH_WARMUP_SECONDS` (default 180), and the table
 * says how many ran and what RSS did during them. Bounded: every phase ends after its duration and
 * the worker is stopped whatever happens.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, mlpParameterCount } from '@hepml/models/bundle';
import { publishBundle, systemPrincipal } from '@hepml/models/registry';
import { Rng } from '@hepml/physics';
import { API_CONFIG, applyMigrations, freePort, startWorker, withPlatform } from '../scripts/local-stack.ts';
import { autocannon, type BenchRow, report } from './lib.ts';

const SECONDS = Number(process.env.LOAD_BENCH_SECONDS ?? 60);
const WARMUP_REQUESTS = Number(process.env.LOAD_BENCH_WARMUP_REQUESTS ?? 80_000);
const WARMUP_MAX_S = Number(process.env.LOAD_BENCH_WARMUP_SECONDS ?? 180);
/** Growth of the last window over the first that still counts as flat (sampling noise, GC): 5 % + 2 MiB. */
const FLAT_TOLERANCE = 0.05;
const FLAT_SLACK_MIB = 2;
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

/** The worker isolate's heap [MiB], read over the DevTools protocol of `wrangler dev`'s inspector. */
interface HeapProbe {
  read(): Promise<{ used: number; total: number } | undefined>;
  close(): void;
}

/** Minimal WebSocket client type of the `ws` package (Miniflare's dependency, resolved through it). */
interface WsLike {
  once(event: 'open' | 'error', listener: (arg?: unknown) => void): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  send(data: string): void;
  close(): void;
}

async function heapProbe(inspectorPort: number): Promise<HeapProbe> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const target = targets[0]?.webSocketDebuggerUrl;
  if (!target) throw new Error(`inspector on port ${inspectorPort} lists no worker`);
  const fromWrangler = createRequire(createRequire(new URL('../package.json', import.meta.url)).resolve('wrangler'));
  const WebSocket = createRequire(fromWrangler.resolve('miniflare'))('ws') as new (url: string) => WsLike;
  const ws = new WebSocket(target);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  // Ids far from those of wrangler's own session on the same inspector.
  let id = 7_000_000;
  const pending = new Map<number, (result: unknown) => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
    if (message.id !== undefined) pending.delete(message.id);
  });
  return {
    read: () =>
      new Promise((resolve) => {
        const mine = ++id;
        const timer = setTimeout(() => {
          pending.delete(mine);
          resolve(undefined);
        }, 2000);
        pending.set(mine, (result) => {
          clearTimeout(timer);
          const r = result as { usedSize?: number; totalSize?: number } | undefined;
          resolve(
            r?.usedSize === undefined ? undefined : { used: r.usedSize / 2 ** 20, total: (r.totalSize ?? 0) / 2 ** 20 },
          );
        });
        ws.send(JSON.stringify({ id: mine, method: 'Runtime.getHeapUsage', params: {} }));
      }),
    close: () => ws.close(),
  };
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** The body of a v1 predict request of `batch` seeded rows. */
function requestBody(batch: number): string {
  const rng = new Rng(batch);
  const rows = Array.from({ length: batch }, () => ({
    et: 20 + 60 * rng.uniform(),
    eta: -2.4 + 4.8 * rng.uniform(),
    reta: 0.9 + 0.1 * rng.uniform(),
    rhad: 0.05 * rng.uniform(),
  }));
  return JSON.stringify({ rows });
}

/**
 * Batch-1 requests until `WARMUP_REQUESTS` answered or `WARMUP_MAX_S` passed; returns the count,
 * the seconds, the errors and the worker tree's RSS before and after.
 */
async function warmUp(url: string, pid: number) {
  const before = treeRssMiB(pid);
  const t0 = performance.now();
  const instance = autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: requestBody(1),
    connections: CONNECTIONS,
    amount: WARMUP_REQUESTS,
  });
  const stopper = setTimeout(() => instance.stop(), WARMUP_MAX_S * 1000);
  const result = await instance;
  clearTimeout(stopper);
  return {
    requests: result.requests.total,
    seconds: (performance.now() - t0) / 1000,
    errors: result.errors + result.timeouts + result.non2xx,
    before,
    after: treeRssMiB(pid),
  };
}

async function loadCase(
  url: string,
  pid: number,
  heap: HeapProbe,
  batch: number,
): Promise<{ rows: BenchRow[]; errors: number }> {
  const windows = Math.ceil(SECONDS / WINDOW_S);
  const latencies: number[][] = Array.from({ length: windows }, () => []);
  const errors = new Array<number>(windows).fill(0);
  const rss: number[][] = Array.from({ length: windows }, () => []);
  const heapUsed: number[][] = Array.from({ length: windows }, () => []);
  const heapTotal: number[][] = Array.from({ length: windows }, () => []);
  const t0 = performance.now();
  const windowOf = () => Math.min(windows - 1, Math.floor((performance.now() - t0) / 1000 / WINDOW_S));
  const sampler = setInterval(() => {
    const w = windowOf();
    rss[w]?.push(treeRssMiB(pid));
    void heap.read().then((h) => {
      if (!h) return;
      heapUsed[w]?.push(h.used);
      heapTotal[w]?.push(h.total);
    });
  }, 1000);
  const instance = autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: requestBody(batch),
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
    return {
      batch,
      window: `${w * WINDOW_S}–${(w + 1) * WINDOW_S} s`,
      responses: l.length,
      errors: errors[w] ?? 0,
      'p50 ms': quantile(sorted, 0.5),
      'p99 ms': quantile(sorted, 0.99),
      'rows/s': (l.length * batch) / WINDOW_S,
      'worker RSS MiB': mean(rss[w] ?? []),
      // The lowest reading of the window: near the live heap when a full collection fell in it.
      'JS heap used, lowest MiB': heapUsed[w]?.length ? Math.min(...(heapUsed[w] ?? [])) : null,
      'JS heap reserved MiB': mean(heapTotal[w] ?? []),
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
  let heap: HeapProbe | undefined;
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
    heap = await heapProbe(worker.inspectorPort);
    const all: BenchRow[] = [];
    const w = await warmUp(url, pid);
    const notes: string[] = [
      `warm-up: ${w.requests} batch-1 requests in ${w.seconds.toFixed(0)} s, ${w.errors} errors; worker RSS ${w.before.toFixed(0)} → ${w.after.toFixed(0)} MiB (not in the table)`,
    ];
    for (const batch of [1, 1000]) {
      const { rows, errors } = await loadCase(url, pid, heap, batch);
      all.push(...rows);
      const change = (key: string, first: number, last: number) => {
        const flat = last <= first * (1 + FLAT_TOLERANCE) + FLAT_SLACK_MIB;
        return `${key} ${first.toFixed(1)} → ${last.toFixed(1)} MiB (${flat ? 'flat' : 'GROWS'})`;
      };
      // The isolate's live heap: the lowest used reading of each half of the run (30 s spans
      // hold several full collections; a 10-s window may hold none, and its lowest reading
      // is then garbage not yet collected).
      const half = Math.floor(rows.length / 2);
      const lowest = (from: number, to: number) =>
        Math.min(...rows.slice(from, to).map((x) => Number(x['JS heap used, lowest MiB'] ?? Number.NaN)));
      notes.push(
        `batch ${batch}: ${errors} errors (autocannon); ${change('worker RSS, first vs last 10 s,', Number(rows[0]?.['worker RSS MiB']), Number(rows.at(-1)?.['worker RSS MiB']))}; ${change('JS heap live, first vs second half,', lowest(0, half), lowest(half, rows.length))}; flat = within ${FLAT_TOLERANCE * 100} % + ${FLAT_SLACK_MIB} MiB`,
      );
    }
    report(
      `Load: ${MODEL} (MLP 4→32→1), v1 predict under wrangler dev, ${SECONDS} s per batch size after a warm-up, ${CONNECTIONS} connections`,
      all,
      notes,
    );
  } finally {
    heap?.close();
    await worker?.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

await main();

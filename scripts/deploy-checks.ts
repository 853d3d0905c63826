/**
 * The checks `pnpm run deploy` makes before anything is uploaded, offline and without an account:
 * each Worker bundled exactly as `wrangler deploy` would upload it (`--dry-run --outdir`), its
 * compressed size against the plan's limit, its start-up CPU profile (`wrangler check startup`),
 * its static assets against the asset limits, and the inference API's CPU time per request,
 * measured on that bundle in workerd.
 *
 * Limits (https://developers.cloudflare.com/workers/platform/limits/): Worker size after gzip
 * 3 MiB on the free plan, 10 MiB on the paid plan; start-up (parse and run the global scope) 1 s
 * since 2025-10, 400 ms before, which we hold to; CPU time 10 ms per request on the free plan;
 * static assets 20,000 files (free) and 25 MiB per file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildBundle, mlpParameterCount } from '@hepml/models/bundle';
import { type BlobStore, openRegistry, publishBundle, systemPrincipal } from '@hepml/models/registry';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { applyMigrations, freePort, ROOT, WRANGLER_ENV } from './local-stack.ts';

const WRANGLER = createRequire(join(ROOT, 'package.json')).resolve('wrangler/wrangler-dist/cli.js');
const MiB = 1024 * 1024;

/** Limits of the two Workers plans that the checks apply. */
export const PLAN_LIMITS = {
  free: { workerGzipBytes: 3 * MiB, assetFiles: 20_000, cpuMsPerRequest: 10 },
  paid: { workerGzipBytes: 10 * MiB, assetFiles: 100_000, cpuMsPerRequest: 30_000 },
} as const;
export type Plan = keyof typeof PLAN_LIMITS;
/**
 * The start-up limit we hold to: 400 ms of the isolate's own work, the limit Cloudflare enforced
 * until 2025-10-10; it enforces 1 s since (changelog "Worker startup time limit increased to 1
 * second").
 */
export const STARTUP_LIMIT_MS = 400;
export const ASSET_FILE_LIMIT_BYTES = 25 * MiB;

/** One check's outcome, as printed. */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** The figure checked and its limit, in `unit`; a figure reported but not checked has no limit. */
  value: number;
  limit: number | null;
  unit: 'bytes' | 'ms' | 'files';
  detail: string;
}

/** Runs the wrangler CLI (no telemetry, no cf fetch); resolves with its output, rejects with it. */
export function wrangler(args: string[], options: { input?: string; cwd?: string } = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', WRANGLER, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...WRANGLER_ENV, CI: 'true' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolvePromise(out)
        : reject(new Error(`wrangler ${args.slice(0, 3).join(' ')} exited ${code}: ${reason(err || out)}`)),
    );
    child.stdin.end(options.input ?? '');
  });
}

/** The line of wrangler's output that says what went wrong (its ✘ [ERROR] line, else the last). */
function reason(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.find((l) => l.includes('[ERROR]')) ?? lines.at(-1) ?? 'no output').replace(/^✘\s*/, '');
}

/** Sizes of the modules a Worker uploads (source maps and wrangler's README are not uploaded). */
export interface BundleSize {
  modules: string[];
  rawBytes: number;
  gzipBytes: number;
}

/** Measures the upload in `outdir`: every module, raw and gzip (level 9) summed. */
export function measureBundle(outdir: string): BundleSize {
  const modules: string[] = [];
  let rawBytes = 0;
  let gzipBytes = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.map') && !(dir === outdir && name === 'README.md')) {
        const bytes = readFileSync(path);
        modules.push(relative(outdir, path));
        rawBytes += bytes.byteLength;
        gzipBytes += gzipSync(bytes, { level: 9 }).byteLength;
      }
    }
  };
  walk(outdir);
  return { modules, rawBytes, gzipBytes };
}

/** Bundles a Worker as `wrangler deploy` would, offline, into `outdir` (emptied first). */
export async function buildWorker(config: string, outdir: string): Promise<BundleSize> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const out = await wrangler(['deploy', '--dry-run', '--outdir', outdir, '-c', config]);
  if (!out.includes('--dry-run: exiting now.')) throw new Error(`wrangler deploy --dry-run did not finish:\n${out}`);
  return measureBundle(outdir);
}

/** What a start-up CPU profile says: the span of the start-up phase and the isolate's work in it. */
export interface StartupProfile {
  spanMs: number;
  busyMs: number;
}

/**
 * Profiles a Worker's start-up with `wrangler check startup` (it bundles the Worker, runs its
 * global scope in workerd under the profiler and writes a `.cpuprofile`). Busy time is what the
 * isolate spent on samples other than `(idle)`, each sample lasting until the next one, as
 * DevTools reads a profile; the span, from the profiler's start to its end, adds the waits (for
 * the script, for a core), so the check is on busy time. Both grow with the machine's load, busy
 * time less: for the same API bundle on this 2-core machine, span 107 ms and busy 54 ms nearly
 * idle, span 625–661 ms and busy 72–295 ms under a load of 15–20. Cloudflare measures on its own
 * machines: this estimates the same phase, not the figure it will enforce.
 */
export async function profileStartup(config: string, outfile: string): Promise<StartupProfile> {
  await wrangler(['check', 'startup', '-c', config, '--outfile', outfile]);
  const profile = JSON.parse(readFileSync(outfile, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string } }[];
    startTime: number;
    endTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  const names = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]));
  let busyUs = 0;
  // timeDeltas[i] is the time before sample i; sample i lasts until sample i + 1.
  for (let i = 0; i < profile.samples.length; i++) {
    if (names.get(profile.samples[i] as number) !== '(idle)') busyUs += profile.timeDeltas[i + 1] ?? 0;
  }
  if (busyUs === 0) throw new Error(`${outfile}: the start-up profile holds no work`);
  return { spanMs: (profile.endTime - profile.startTime) / 1000, busyMs: busyUs / 1000 };
}

/** Count and largest file of a Worker's static assets directory. */
export function measureAssets(dir: string): { files: number; largestBytes: number; largest: string } {
  let files = 0;
  let largestBytes = 0;
  let largest = '';
  const ignored = existsSync(join(dir, '.assetsignore'))
    ? new Set(
        readFileSync(join(dir, '.assetsignore'), 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      )
    : new Set<string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const rel = relative(dir, path);
      if (ignored.has(rel) || ignored.has(name) || name === '.assetsignore') continue;
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else {
        files++;
        if (st.size > largestBytes) {
          largestBytes = st.size;
          largest = rel;
        }
      }
    }
  };
  walk(dir);
  return { files, largestBytes, largest };
}

// ---- CPU time per request ---------------------------------------------------------------------

/** The part of Miniflare used here; it comes with wrangler (resolved through it, no own dependency). */
interface MiniflareLike {
  ready: Promise<URL>;
  unsafeGetDirectURL(): Promise<URL>;
  dispose(): Promise<void>;
}

/**
 * User + system CPU time of a process in ms: from /proc on Linux (10 ms ticks), else from
 * `ps -o time=` (macOS prints it to the hundredth of a second, `[[hh:]mm:]ss.cc`).
 */
export function processCpuMs(pid: number): number {
  if (process.platform === 'linux') {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  }
  const ps = spawnSync('ps', ['-o', 'time=', '-p', String(pid)], { encoding: 'utf8' });
  return cpuTimeMs(ps.stdout);
}

/** `[[hh:]mm:]ss[.frac]` (what `ps -o time=` prints) in ms. */
export function cpuTimeMs(text: string): number {
  const t = text.trim();
  if (!/^\d+(:\d+){0,2}(\.\d+)?$/.test(t)) throw new Error(`ps printed no CPU time: "${t}"`);
  return t.split(':').reduce((acc, x) => acc * 60 + Number(x), 0) * 1000;
}

/** The workerd processes this process started (Miniflare runs one). */
function workerdPids(): number[] {
  const ps = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' });
  if (ps.status !== 0) throw new Error(`ps -A failed: ${ps.stderr.trim()}`);
  const pids: number[] = [];
  for (const line of ps.stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.+)$/.exec(line);
    if (m && Number(m[2]) === process.pid && /(^|\/)workerd$/.test((m[3] as string).trim())) pids.push(Number(m[1]));
  }
  return pids;
}

const CPU_INPUTS = ['et', 'eta', 'rhad', 'reta', 'rphi', 'weta2', 'eratio', 'd0sig', 'deltaEta1', 'eOverP'];

/** An electron-ID-sized MLP (10 → 64 → 32 → 1) with fixed weights, to time requests against. */
async function cpuModel() {
  const layers = [
    { type: 'dense' as const, units: 64, activation: 'relu' as const },
    { type: 'dense' as const, units: 32, activation: 'relu' as const },
    { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
  ];
  const parameters = mlpParameterCount(CPU_INPUTS.length, layers);
  // A fixed, deterministic pattern: the figure measured is time, not the score.
  const weights = Float32Array.from({ length: parameters }, (_, i) => Math.sin(i * 12.9898) * 0.25);
  return buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: 'deploy-check-mlp',
      task: 'electron-id',
      description: 'deploy check: CPU time per request (fixed weights)',
      inputs: CPU_INPUTS.map((name) => ({ name, unit: '1', offset: 0, scale: 1 })),
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: { kind: 'mlp', inputSize: CPU_INPUTS.length, layers, parameters },
      weights: 'weights.bin',
      metrics: {},
      workingPoints: [{ name: 'medium', signalEfficiency: 0.9, threshold: 0.5, backgroundEfficiency: 0.1 }],
      lineage: {
        datasetHash: 'deploy-check',
        codeVersion: 'deploy-check',
        seed: 1,
        createdAt: '2026-12-03T00:00:00Z',
        backend: 'none',
      },
    },
    new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
  );
}

/** CPU time per request at one batch size. */
export interface CpuPerRequest {
  batch: number;
  requests: number;
  cpuMs: number;
  wallMs: number;
}

/**
 * CPU time per request of the built inference API: its `wrangler deploy --dry-run` bundle in
 * workerd (Miniflare, with the bindings and vars of `config`, the Durable Object rate limit
 * included), a local D1 migrated by `wrangler d1 migrations apply --local`, one MLP published
 * through the registry, then `POST /v1/models/…/predict` sent one at a time on workerd's own socket
 * for the worker, after a warm-up, per batch size until workerd has spent `cpuBudgetMs` of CPU
 * (300 ms: 10 ms ticks on Linux make that ±3 %) or `maxSeconds` have passed. CPU time is that of the
 * whole workerd process ({@link processCpuMs}) over the requests divided by their number: it includes
 * workerd's HTTP parsing and the local D1 and Durable Object, which Cloudflare runs and bills
 * elsewhere, so it is an upper bound on the CPU time Cloudflare counts for the request.
 */
export async function measureCpuPerRequest(options: {
  config: string;
  bundleDir: string;
  persistTo: string;
  batches: number[];
  cpuBudgetMs?: number;
  maxSeconds?: number;
}): Promise<CpuPerRequest[]> {
  const cpuBudgetMs = options.cpuBudgetMs ?? 300;
  const maxMs = (options.maxSeconds ?? 10) * 1000;
  await applyMigrations(options.persistTo);
  const requireFromWrangler = createRequire(createRequire(join(ROOT, 'package.json')).resolve('wrangler'));
  const { Miniflare } = requireFromWrangler('miniflare') as { Miniflare: new (o: object) => MiniflareLike & Bindable };
  const { workerOptions } = unstable_getMiniflareWorkerOptions(options.config);
  const before = new Set(workerdPids());
  const mf = new Miniflare({
    ...workerOptions,
    // The limit stays on, so that each request pays for its Durable Object call, but high enough
    // never to refuse the measurement's own requests.
    bindings: { ...workerOptions.bindings, RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '1000000' },
    modules: true,
    modulesRoot: options.bundleDir,
    scriptPath: join(options.bundleDir, 'index.js'),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    d1Persist: join(options.persistTo, 'v3/d1'),
    r2Persist: join(options.persistTo, 'v3/r2'),
    durableObjectsPersist: join(options.persistTo, 'v3/do'),
    host: '127.0.0.1',
    port: await freePort(),
    unsafeDirectSockets: [{ host: '127.0.0.1', port: await freePort() }],
  });
  try {
    await mf.ready;
    const pid = workerdPids().find((p) => !before.has(p));
    if (pid === undefined) throw new Error('found no workerd process started by Miniflare');
    const db = openRegistry(await mf.getD1Database('DB'));
    const store = await mf.getR2Bucket('MODELS');
    const bundle = await cpuModel();
    await publishBundle(db, store, bundle, { actor: await systemPrincipal(db), visibility: 'public', kind: 'network' });
    const url = `${new URL(await mf.unsafeGetDirectURL()).origin}/v1/models/${bundle.manifest.name}/predict`;
    const results: CpuPerRequest[] = [];
    for (const batch of options.batches) {
      const body = JSON.stringify({
        rows: Array.from({ length: batch }, (_, r) =>
          Object.fromEntries(CPU_INPUTS.map((name, i) => [name, Math.cos(r * 7 + i)])),
        ),
      });
      const send = async () => {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await res.text();
        if (res.status !== 200)
          throw new Error(`predict at batch ${batch} answered ${res.status}: ${text.slice(0, 200)}`);
      };
      const warmUntil = performance.now() + 500;
      while (performance.now() < warmUntil) await send();
      const cpu0 = processCpuMs(pid);
      const t0 = performance.now();
      let requests = 0;
      let cpu = 0;
      while (cpu < cpuBudgetMs && performance.now() - t0 < maxMs) {
        await send();
        requests++;
        cpu = processCpuMs(pid) - cpu0;
      }
      const wallMs = (performance.now() - t0) / requests;
      results.push({ batch, requests, cpuMs: cpu / requests, wallMs });
    }
    return results;
  } finally {
    await mf.dispose();
  }
}

interface Bindable {
  getD1Database(name: string): Promise<Parameters<typeof openRegistry>[0]>;
  getR2Bucket(name: string): Promise<BlobStore>;
}

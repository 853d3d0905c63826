/**
 * The local stack of hepml-edge, shared by the start command and the integration and browser
 * tests: D1 migrations, a platform proxy onto the persisted D1/R2, and `wrangler dev` processes
 * for the inference API and the dashboard. Nothing here needs a Cloudflare account or network.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BlobStore, openRegistry, type RegistryDb } from '@hepml/models/registry';
import { experimental_readRawConfig, getPlatformProxy } from 'wrangler';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const API_CONFIG = join(ROOT, 'wrangler.toml');
export const DASHBOARD_DIR = join(ROOT, 'apps/dashboard');
export const DASHBOARD_CONFIG = join(DASHBOARD_DIR, 'wrangler.toml');
// The CLI itself rather than bin/wrangler.js, which re-spawns it: one process to signal.
const WRANGLER = createRequire(join(ROOT, 'package.json')).resolve('wrangler/wrangler-dist/cli.js');
const NODE_FLAGS = ['--no-warnings', '--experimental-vm-modules'];

/** Environment for every wrangler call: no telemetry, no request to Cloudflare's cf endpoint. */
export const WRANGLER_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_D1_WARNING: 'true',
  FORCE_COLOR: '0',
};

function run(args: string[], cwd = ROOT): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, WRANGLER, ...args], {
      cwd,
      env: { ...WRANGLER_ENV, CI: 'true' },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise(out) : reject(new Error(`wrangler ${args.join(' ')} exited ${code}:\n${out}`)),
    );
  });
}

/** Applies the registry's D1 migrations to the local database persisted under `persistTo`. */
export async function applyMigrations(persistTo: string): Promise<void> {
  await run(['d1', 'migrations', 'apply', 'hepml-registry', '--local', '-c', API_CONFIG, '--persist-to', persistTo]);
}

/** Bindings of the local stack as seen from Node through wrangler's platform proxy. */
export interface LocalPlatform {
  db: RegistryDb;
  store: BlobStore;
}

/** Runs `fn` with the registry and the R2 bucket persisted under `persistTo`, then disposes the proxy. */
export async function withPlatform<T>(persistTo: string, fn: (p: LocalPlatform) => Promise<T>): Promise<T> {
  // The proxy runs no Worker code, so it gets the root config's D1 and R2 only: the rate limit's
  // Durable Object is a class of the Worker itself, which a proxy cannot serve (wrangler would warn
  // that it "will not work in local development", misleadingly: `wrangler dev` serves it).
  const { rawConfig } = experimental_readRawConfig({ config: API_CONFIG });
  const dir = mkdtempSync(join(tmpdir(), 'hepml-platform-'));
  const configPath = join(dir, 'wrangler.json');
  const { name, compatibility_date, d1_databases, r2_buckets } = rawConfig;
  writeFileSync(configPath, JSON.stringify({ name, compatibility_date, d1_databases, r2_buckets }));
  try {
    const proxy = await getPlatformProxy<{ DB: Parameters<typeof openRegistry>[0]; MODELS: BlobStore }>({
      configPath,
      persist: { path: join(persistTo, 'v3') },
      remoteBindings: false,
    });
    try {
      return await fn({ db: openRegistry(proxy.env.DB), store: proxy.env.MODELS });
    } finally {
      await proxy.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

/** A running `wrangler dev` process. */
export interface RunningWorker {
  url: string;
  process: ChildProcess;
  /** Port of the worker's DevTools inspector on 127.0.0.1 (`/json` lists its targets). */
  inspectorPort: number;
  /** Output so far (for error messages). */
  log(): string;
  stop(): Promise<void>;
}

/** Options of {@link startWorker}. */
export interface StartWorkerOptions {
  config: string;
  port: number;
  persistTo: string;
  vars?: Record<string, string>;
  /** Path polled until it answers (default `/`). */
  readyPath?: string;
  timeoutMs?: number;
  /** Echo the worker's output to this process's stderr. */
  echo?: boolean;
}

/** Whether something already listens on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(false)));
  });
}

const running = new Set<ChildProcess>();
// Workers run in their own process group (wrangler starts workerd beneath it); whatever way this
// process ends, the groups go with it.
process.on('exit', () => {
  for (const child of running) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Starts `wrangler dev` on 127.0.0.1 and waits until it answers HTTP. A port already taken is an
 * error (rather than silently talking to whatever holds it).
 */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  if (await portInUse(options.port)) {
    throw new Error(`port ${options.port} on 127.0.0.1 is already in use: stop that server or choose another port`);
  }
  const inspectorPort = await freePort();
  const args = [
    ...NODE_FLAGS,
    WRANGLER,
    'dev',
    '-c',
    options.config,
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--persist-to',
    options.persistTo,
    '--inspector-port',
    String(inspectorPort),
    '--show-interactive-dev-session=false',
    '--log-level',
    'warn',
  ];
  for (const [k, v] of Object.entries(options.vars ?? {})) args.push('--var', `${k}:${v}`);
  const child = spawn(process.execPath, args, { cwd: dirname(options.config), env: WRANGLER_ENV, detached: true });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let log = '';
  const append = (d: Buffer) => {
    log += d;
    if (options.echo) process.stderr.write(d);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const url = `http://127.0.0.1:${options.port}`;
  const stop = () =>
    new Promise<void>((resolvePromise) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
      child.once('exit', () => resolvePromise());
      const signal = (sig: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, sig);
        } catch {
          // the group is gone already
        }
      };
      signal('SIGTERM');
      setTimeout(() => signal('SIGKILL'), 5000).unref();
    });
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${log}`);
    try {
      const res = await fetch(url + (options.readyPath ?? '/'));
      await res.arrayBuffer();
      return { url, process: child, inspectorPort, log: () => log, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  await stop();
  throw new Error(`wrangler dev did not answer on ${url} within ${options.timeoutMs ?? 60_000} ms:\n${log}`);
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === '.svelte-kit' || name.startsWith('.wrangler')) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** Whether the dashboard's build output is missing or older than its sources or the packages. */
export function dashboardBuildIsStale(): boolean {
  const out = join(DASHBOARD_DIR, '.svelte-kit/cloudflare/_worker.js');
  if (!existsSync(out)) return true;
  const built = statSync(out).mtimeMs;
  const sources = [
    join(DASHBOARD_DIR, 'src'),
    join(DASHBOARD_DIR, 'svelte.config.js'),
    join(ROOT, 'packages/models/src'),
    join(ROOT, 'packages/physics/src'),
  ];
  return sources.some((s) => existsSync(s) && newestMtime(s) > built);
}

/** Builds the dashboard (SvelteKit with adapter-cloudflare). */
export function buildDashboard(): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [join(DASHBOARD_DIR, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
      {
        cwd: DASHBOARD_DIR,
        env: WRANGLER_ENV,
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`dashboard build exited ${code}`))));
  });
}

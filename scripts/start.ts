/**
 * `npm start`: brings the whole local system up on embedded defaults.
 *
 *   1. applies the registry's D1 migrations to the local database (.wrangler/state),
 *   2. seeds a local admin token (kept in .hepml/admin-token, printed at the end) and, when the
 *      local registry is empty, trains the default suite of every task (`pnpm train`: networks and
 *      baselines), measures the electron-ID models' scale factors (`pnpm calibrate`), publishes
 *      every bundle and promotes each task's best network that beats its cut-based baseline,
 *   3. builds the dashboard when its sources changed,
 *   4. serves the inference API and the dashboard on 127.0.0.1 and prints their addresses.
 *
 * Flags: --api-port N (default 8787), --dashboard-port N (default 8788), --retrain.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { findTask } from '@hepml/models';
import { readBundleDir } from '@hepml/models/node';
import {
  authenticate,
  countModels,
  createToken,
  promoteVersion,
  publishBundle,
  systemPrincipal,
} from '@hepml/models/registry';
import {
  API_CONFIG,
  applyMigrations,
  buildDashboard,
  DASHBOARD_CONFIG,
  dashboardBuildIsStale,
  ROOT,
  type RunningWorker,
  startWorker,
  withPlatform,
} from './local-stack.ts';

process.on('uncaughtException', (err) => {
  process.stderr.write(`start: ${err.message}\n`);
  process.exit(1);
});
process.on('unhandledRejection', (err) => {
  process.stderr.write(`start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

const { values } = parseArgs({
  options: {
    'api-port': { type: 'string', default: '8787' },
    'dashboard-port': { type: 'string', default: '8788' },
    retrain: { type: 'boolean', default: false },
  },
});
const port = (v: string | undefined, flag: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    process.stderr.write(`start: --${flag} must be a port number, got "${v}"\n`);
    process.exit(2);
  }
  return n;
};
const apiPort = port(values['api-port'], 'api-port');
const dashboardPort = port(values['dashboard-port'], 'dashboard-port');
const persistTo = join(ROOT, '.wrangler/state');
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const say = (msg: string) => process.stdout.write(`${msg}\n`);

say('hepml-edge: applying D1 migrations to the local registry');
await applyMigrations(persistTo);

const tokenFile = join(ROOT, '.hepml/admin-token');
const adminToken = await withPlatform(persistTo, async ({ db }) => {
  // Reuse the token of an earlier run while the local registry still accepts it.
  const previous = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '';
  if (previous && (await authenticate(db, previous))) return previous;
  const admin = await systemPrincipal(db);
  const { token } = await createToken(db, {
    userId: admin.userId ?? 0,
    name: 'local admin (npm start)',
    scopes: ['read', 'publish', 'admin'],
    actorId: admin.userId,
  });
  mkdirSync(dirname(tokenFile), { recursive: true });
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  return token;
});

const bundlesDir = join(ROOT, '.hepml/bundles');

/** Runs a Node CLI of the project (train, calibrate) with the terminal attached; its exit code. */
function runScript(script: string, args: string[]): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
    stdio: 'inherit',
    cwd: ROOT,
    env: { ...process.env, INIT_CWD: ROOT },
  });
  return r.status ?? 1;
}

await withPlatform(persistTo, async ({ db, store }) => {
  const count = await countModels(db);
  if (count > 0 && !values.retrain) {
    say(`hepml-edge: local registry holds ${count} model(s); not retraining (--retrain to force)`);
    return;
  }
  say('hepml-edge: training the default suite (every task: networks and baselines)');
  rmSync(bundlesDir, { recursive: true, force: true });
  // `pnpm train` exits 1 when a network does not beat its cut-based baseline: everything is still
  // published (the leaderboard shows it), but that network is not promoted.
  const trained = runScript('packages/models/scripts/train.ts', ['--out', bundlesDir]);
  if (trained !== 0 && trained !== 1) throw new Error(`training failed (exit ${trained})`);

  const names = readdirSync(bundlesDir).sort();
  for (const name of names.filter((n) => n.startsWith('electron-id-'))) {
    say(`hepml-edge: tag-and-probe scale factors for ${name}`);
    const calibrated = runScript('packages/models/scripts/calibrate.ts', ['--model', join(bundlesDir, name)]);
    if (calibrated !== 0) throw new Error(`calibrating ${name} failed (exit ${calibrated})`);
  }

  const actor = await systemPrincipal(db);
  const entries: { name: string; version: number; task: string; kind: string; value: number | undefined }[] = [];
  for (const name of names) {
    const bundle = await readBundleDir(join(bundlesDir, name));
    const m = bundle.manifest;
    const network = m.architecture.kind === 'mlp' || m.architecture.kind === 'cnn-film';
    const published = await publishBundle(db, store, bundle, {
      actor,
      visibility: 'public',
      kind: network ? 'network' : 'baseline',
    });
    const headline = findTask(m.task)?.headline;
    const value = m.metrics[headline?.metric ?? 'auc'];
    entries.push({ name: published.name, version: published.version, task: m.task, kind: m.architecture.kind, value });
    say(
      `hepml-edge: published ${published.name} v${published.version} (${headline?.label ?? 'AUC'} ${value?.toFixed(4) ?? 'n/a'}${m.calibration ? ', with scale factors' : ''})`,
    );
  }
  // The recommended model of a task is its best network that beats the simple baseline (cuts for
  // taggers, the standard calibration for regression); a network that does not is not used.
  for (const task of new Set(entries.map((e) => e.task))) {
    const headline = findTask(task)?.headline;
    const sign = headline?.higherIsBetter === false ? -1 : 1;
    const simple = entries.find((e) => e.task === task && (e.kind === 'cuts' || e.kind === 'standard-calibration'));
    const networks = entries.filter(
      (e) =>
        e.task === task &&
        (e.kind === 'mlp' || e.kind === 'cnn-film') &&
        e.value !== undefined &&
        (simple?.value === undefined || sign * e.value > sign * simple.value),
    );
    networks.sort((a, b) => sign * ((b.value as number) - (a.value as number)));
    const best = networks[0];
    if (!best) {
      say(`hepml-edge: no network of ${task} beats its simple baseline; none recommended`);
      continue;
    }
    await promoteVersion(db, best.name, best.version, actor);
    say(`hepml-edge: ${best.name} v${best.version} is the recommended model of ${task}`);
  }
});

if (dashboardBuildIsStale()) {
  say('hepml-edge: building the dashboard');
  await buildDashboard();
}

const workers: RunningWorker[] = [];
let stopping = false;
const shutdown = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  await Promise.all(workers.map((w) => w.stop()));
  process.exit(code);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
process.on('SIGHUP', () => void shutdown());

const [api, dashboard] = await Promise.all([
  startWorker({ config: API_CONFIG, port: apiPort, persistTo, readyPath: '/v2/health/live', echo: true }),
  startWorker({
    config: DASHBOARD_CONFIG,
    port: dashboardPort,
    persistTo,
    vars: { API_ORIGIN: `http://127.0.0.1:${apiPort}` },
    echo: true,
  }),
]);
workers.push(api, dashboard);
say(`
hepml-edge is up (${elapsed()}):
  inference API  ${api.url}    e.g. curl ${api.url}/v1/models
  dashboard      ${dashboard.url}/
  predict        curl -s -X POST ${api.url}/v1/models/electron-id-mlp/predict -H 'content-type: application/json' \\
                   -d @apps/inference-edge/examples/predict-electron-id.json
  admin token    ${adminToken}  (also in .hepml/admin-token)
  publish        pnpm publish-model <bundle-dir> --to ${api.url} --token $(cat .hepml/admin-token)
Press Ctrl+C to stop.`);

for (const w of workers) {
  w.process.on('exit', (code) => {
    if (stopping) return;
    process.stderr.write(`hepml-edge: a server exited (${code}); stopping\n`);
    void shutdown(1);
  });
}

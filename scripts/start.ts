/**
 * `npm start`: brings the whole local system up on embedded defaults.
 *
 *   1. applies the registry's D1 migrations to the local database (.wrangler/state),
 *   2. trains and publishes the default models when the local registry is empty,
 *      and seeds a local admin token (kept in .hepml/admin-token, printed at the end),
 *   3. builds the dashboard when its sources changed,
 *   4. serves the inference API and the dashboard on 127.0.0.1 and prints their addresses.
 *
 * Flags: --api-port N (default 8787), --dashboard-port N (default 8788), --retrain.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { authenticate, countModels, createToken, publishBundle, systemPrincipal } from '@hepml/models/registry';
import { selectBackend, trainElectronIdMlp } from '@hepml/models/training';
import { writeBundleDir } from '../packages/models/scripts/bundle-io.ts';
import { codeVersion } from '../packages/models/scripts/git-version.ts';
import { ProgressBar } from '../packages/models/scripts/progress.ts';
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

await withPlatform(persistTo, async ({ db, store }) => {
  const count = await countModels(db);
  if (count > 0 && !values.retrain) {
    say(`hepml-edge: local registry holds ${count} model(s); not retraining (--retrain to force)`);
    return;
  }
  const backend = await selectBackend('auto');
  say(`hepml-edge: training the default models (tfjs backend ${backend.name})`);
  const epochs = 12;
  const bar = new ProgressBar('electron-id-mlp', epochs);
  const bundle = await trainElectronIdMlp({
    n: 60_000,
    epochs,
    seed: 2026,
    backend: backend.name,
    codeVersion: codeVersion(),
    onEpoch: (e, loss, val) => bar.update(e + 1, `loss ${loss.toFixed(4)} val ${val.toFixed(4)}`),
  });
  bar.done();
  await writeBundleDir(bundle, join(ROOT, '.hepml/bundles', bundle.manifest.name));
  const published = await publishBundle(db, store, bundle, { actor: await systemPrincipal(db), visibility: 'public' });
  say(`hepml-edge: published ${published.name} v${published.version} (AUC ${bundle.manifest.metrics.auc?.toFixed(4)})`);
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
                   -d '{"rows":[{"et":42.0,"eta":0.4,"rhad":0.004,"reta":0.957,"weta2":0.0099,"eratio":0.95,"d0sig":0.8,"eProbabilityHT":0.7,"deltaEta1":0.0004,"eOverP":1.05}]}'
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

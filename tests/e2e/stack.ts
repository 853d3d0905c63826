/**
 * One local stack for a browser test file: a fresh D1/R2 under a temporary directory, seeded
 * through the registry, the inference API and the dashboard under `wrangler dev`, and Chromium.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import {
  API_CONFIG,
  applyMigrations,
  buildDashboard,
  DASHBOARD_CONFIG,
  dashboardBuildIsStale,
  freePort,
  ROOT,
  type RunningWorker,
  startWorker,
  withPlatform,
} from '../../scripts/local-stack.ts';
import { launchChromium } from './browser.ts';
import { type Seeded, seedRegistry } from './seed.ts';

export const SCREENSHOTS = join(ROOT, 'tests/e2e/screenshots');

export interface Stack {
  api: RunningWorker;
  dashboard: RunningWorker;
  browser: Browser;
  seeded: Seeded;
  stop(): Promise<void>;
}

/** Starts the stack; `stop()` ends the processes and removes the temporary state. */
export async function startStack(): Promise<Stack> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const persistTo = mkdtempSync(join(tmpdir(), 'hepml-e2e-'));
  await applyMigrations(persistTo);
  const seeded = await withPlatform(persistTo, ({ db, store }) => seedRegistry(db, store));
  if (dashboardBuildIsStale()) await buildDashboard();
  const apiPort = await freePort();
  const [api, dashboard, browser] = await Promise.all([
    startWorker({ config: API_CONFIG, port: apiPort, persistTo, readyPath: '/v2/health/live' }),
    startWorker({
      config: DASHBOARD_CONFIG,
      port: await freePort(),
      persistTo,
      vars: { API_ORIGIN: `http://127.0.0.1:${apiPort}` },
    }),
    launchChromium(),
  ]);
  return {
    api,
    dashboard,
    browser,
    seeded,
    async stop() {
      await browser.close();
      await Promise.all([api.stop(), dashboard.stop()]);
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}

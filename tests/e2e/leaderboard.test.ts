/**
 * The dashboard in real Chromium: a model published into a fresh local registry appears as a row
 * of its task's leaderboard with its AUC.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, mlpParameterCount } from '@hepml/models/bundle';
import { publishBundle, systemPrincipal } from '@hepml/models/registry';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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

const persistTo = mkdtempSync(join(tmpdir(), 'hepml-e2e-'));
const screenshots = join(ROOT, 'tests/e2e/screenshots');
let dashboard: RunningWorker | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  const layers = [{ type: 'dense' as const, units: 1, activation: 'sigmoid' as const }];
  const parameters = mlpParameterCount(2, layers);
  const bundle = await buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: 'e2e-tagger',
      task: 'electron-id',
      description: 'browser test model',
      inputs: [
        { name: 'et', unit: 'GeV', offset: 40, scale: 10 },
        { name: 'reta', unit: '1', offset: 0.9, scale: 0.05 },
      ],
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: { kind: 'mlp', inputSize: 2, layers, parameters },
      weights: 'weights.bin',
      metrics: { auc: 0.9731, bkgEffAt92: 0.0412, rejectionAt50: 212.5 },
      workingPoints: [],
      lineage: {
        datasetHash: 'e2e',
        codeVersion: 'e2e',
        seed: 1,
        createdAt: new Date().toISOString(),
        backend: 'none',
      },
    },
    new Map([['weights.bin', new Uint8Array(new Float32Array(parameters).fill(0.5).buffer)]]),
  );
  await applyMigrations(persistTo);
  await withPlatform(persistTo, async ({ db, store }) =>
    publishBundle(db, store, bundle, { actor: await systemPrincipal(db), visibility: 'public' }),
  );
  if (dashboardBuildIsStale()) await buildDashboard();
  dashboard = await startWorker({ config: DASHBOARD_CONFIG, port: await freePort(), persistTo });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
  rmSync(persistTo, { recursive: true, force: true });
});

describe('leaderboard page', () => {
  it('shows the published model as a row with its AUC', async () => {
    const page = await (browser as Browser).newPage();
    const res = await page.goto(`${dashboard?.url}/leaderboard/electron-id`);
    expect(res?.status()).toBe(200);
    const row = page.locator('tr[data-model="e2e-tagger"]');
    await row.waitFor();
    expect(await row.locator('td.auc').textContent()).toBe('0.9731');
    await page.screenshot({ path: join(screenshots, 'leaderboard.png'), fullPage: true });
  });

  it('lists the task on the home page with its best entry', async () => {
    const page = await (browser as Browser).newPage();
    await page.goto(`${dashboard?.url}/`);
    const text = await page.locator('main').textContent();
    expect(text).toContain('Electron identification');
    expect(text).toContain('e2e-tagger');
  });

  it('answers an unknown task with 404', async () => {
    const page = await (browser as Browser).newPage();
    const res = await page.goto(`${dashboard?.url}/leaderboard/no-such-task`);
    expect(res?.status()).toBe(404);
  });
});

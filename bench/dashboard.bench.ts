/**
 * The dashboard as a visitor meets it: server render time of a task's leaderboard (SvelteKit SSR
 * on workerd under `wrangler dev`, reading D1) and the JavaScript and CSS the leaderboard page
 * ships, counted from what Chromium actually loads (uPlot's lazily imported chunk included), each
 * file gzip-compressed (zlib, level 6) as a server would send it. Also the widget script's size.
 * The registry is the browser tests' seeded one (8 taggers and baselines, ROC on 21 points).
 */
import { gzipSync } from 'node:zlib';
import { startStack } from '../tests/e2e/stack.ts';
import { report } from './lib.ts';

const BUDGET_GZIP_KB = 150;
const stack = await startStack();
try {
  const url = `${stack.dashboard.url}/leaderboard/electron-id`;
  for (let i = 0; i < 5; i++) await (await fetch(url)).text(); // warm the worker and D1
  const samples: number[] = [];
  const deadline = performance.now() + 4000;
  while (samples.length < 200 && (samples.length < 20 || performance.now() < deadline)) {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.text();
    samples.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`leaderboard answered ${res.status}`);
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? Number.NaN;
  const html = await (await fetch(url)).text();

  const page = await stack.browser.newPage();
  const files: { url: string; type: string; raw: number; gzip: number }[] = [];
  const pending: Promise<void>[] = [];
  page.on('response', (res) => {
    const type = res.request().resourceType();
    if (type !== 'script' && type !== 'stylesheet') return;
    pending.push(
      res.body().then((body) => {
        files.push({ url: res.url(), type, raw: body.byteLength, gzip: gzipSync(body).byteLength });
      }),
    );
  });
  await page.goto(url);
  await page.locator(`[data-testid=roc][data-curves="${4}"]`).waitFor({ timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  await Promise.all(pending);
  const sum = (type: string, key: 'raw' | 'gzip') =>
    files.filter((f) => f.type === type).reduce((s, f) => s + f[key], 0) / 1024;
  const widget = Buffer.from(await (await fetch(`${stack.dashboard.url}/widgets/v1/hepml-widgets.js`)).arrayBuffer());

  report('Dashboard: leaderboard server render (SSR on workerd, wrangler dev, local D1)', [
    {
      requests: samples.length,
      'p50 ms': q(0.5),
      'p95 ms': q(0.95),
      'min ms': samples[0] ?? Number.NaN,
      'HTML kB': Buffer.byteLength(html) / 1024,
    },
  ]);
  // The other pages with plots, each in a fresh page, counted the same way once its plot is drawn.
  // A plot's download code (SVG writer, CSV) loads on the first click only and is not counted.
  const others: { what: string; path: string; drawn: string }[] = [
    {
      what: 'compare view (2 models)',
      path: '/compare?models=e2e-deep@1,e2e-mlp@1',
      drawn: '[data-testid=compare-roc][data-curves="2"]',
    },
    {
      what: 'model page (overtraining)',
      path: '/models/e2e-mlp',
      drawn: '[data-testid=overtraining][data-curves="4"]',
    },
    {
      what: 'calibration page (4 plots)',
      path: '/models/e2e-mlp/calibration',
      drawn: '[data-testid=efficiency-tight][data-curves="6"]',
    },
    { what: 'version history', path: '/models/e2e-bjet/versions', drawn: '[data-testid=version-history]' },
  ];
  const weights: Record<string, string | number>[] = [];
  for (const o of others) {
    const p = await stack.browser.newPage();
    const got: { type: string; raw: number; gzip: number }[] = [];
    const wait: Promise<void>[] = [];
    p.on('response', (res) => {
      const type = res.request().resourceType();
      if (type !== 'script') return;
      wait.push(
        res.body().then((body) => void got.push({ type, raw: body.byteLength, gzip: gzipSync(body).byteLength })),
      );
    });
    const res = await p.goto(`${stack.dashboard.url}${o.path}`);
    if (res?.status() !== 200) throw new Error(`${o.path} answered ${res?.status()}`);
    await p.locator(o.drawn).waitFor({ timeout: 30_000 });
    await p.waitForLoadState('networkidle');
    await Promise.all(wait);
    const html = Buffer.byteLength(await p.content()) / 1024;
    weights.push({
      page: o.what,
      'JS files': got.length,
      'JS raw kB': got.reduce((a, f) => a + f.raw, 0) / 1024,
      'JS gzip kB': got.reduce((a, f) => a + f.gzip, 0) / 1024,
      'HTML kB': html,
    });
    await p.close();
  }
  report('Dashboard: JavaScript the other pages with plots ship (as loaded by Chromium, plots drawn)', weights);
  report(
    'Dashboard: what the leaderboard page ships (as loaded by Chromium, ROC chart drawn)',
    [
      {
        what: 'JavaScript',
        files: files.filter((f) => f.type === 'script').length,
        'raw kB': sum('script', 'raw'),
        'gzip kB': sum('script', 'gzip'),
      },
      {
        what: 'CSS',
        files: files.filter((f) => f.type === 'stylesheet').length,
        'raw kB': sum('stylesheet', 'raw'),
        'gzip kB': sum('stylesheet', 'gzip'),
      },
      {
        what: 'widgets script (v1)',
        files: 1,
        'raw kB': widget.byteLength / 1024,
        'gzip kB': gzipSync(widget).byteLength / 1024,
      },
    ],
    [
      `budget: JavaScript under ${BUDGET_GZIP_KB} kB gzip for the leaderboard — ${sum('script', 'gzip') < BUDGET_GZIP_KB ? 'met' : 'NOT met'}`,
    ],
  );
} finally {
  await stack.stop();
}

/**
 * The dashboard in real Chromium against a seeded local stack (API + dashboard under wrangler dev):
 * every page, with and without client JavaScript, and what an anonymous visitor must not see.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { clopperPearsonInterval } from '@hepml/physics';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  powerRoc,
  SEEDED_PROBES,
  seededEfficiencies,
  TAGGER_EVALUATION,
  TAGGER_INPUTS,
  TAGGERS,
  taggerScore,
} from './seed.ts';
import { SCREENSHOTS, type Stack, startStack } from './stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function open(path: string, options: { javaScript?: boolean } = {}): Promise<Page> {
  const context = await stack.browser.newContext({
    javaScriptEnabled: options.javaScript ?? true,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  const res = await page.goto(`${stack.dashboard.url}${path}`);
  if (!res) throw new Error(`no response for ${path}`);
  return page;
}

const publicElectronTaggers = TAGGERS.filter((t) => t.task === 'electron-id' && t.visibility !== 'private');
const rowNames = (page: Page) =>
  page
    .locator('table[data-testid=leaderboard] tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model')));

describe('study page (issue 22)', () => {
  it('shows the carried energy-regression learning curve as a table and its plot, without client JavaScript', async () => {
    const file = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/study/energy-regression.json'), 'utf8'));
    const page = await open('/study', { javaScript: false });
    const section = page.locator('section[data-task="energy-regression"]');
    const cnn = file.points.filter((p: { model: string }) => p.model === 'energy-regression-cnn-film');
    const cells = await section.locator('tr[data-model="energy-regression-cnn-film"] td.num').allTextContents();
    expect(cells).toEqual(cnn.map((p: { figure: number }) => p.figure.toFixed(4)));
    expect(await section.locator('figure svg').count()).toBe(1);
    expect(await section.getByTestId('image-information').locator('tbody tr').count()).toBe(
      file.imageInformation.length,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'study.png'), fullPage: true });
  });
});

describe('home page', () => {
  it("lists the registry's tasks with their best entry, its headline figure and the number of entries", async () => {
    const page = await open('/');
    const tasks = await page
      .locator('li[data-task]')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-task')));
    // The four reference tasks in their order, then the public user task; the private one is not listed.
    expect(tasks).toEqual(['electron-id', 'bjet', 'boosted-jet', 'energy-regression', 'nanoaod-jet-genmatch']);
    const electron = page.locator('li[data-task="electron-id"]');
    expect(await electron.textContent()).toContain('e2e-deep');
    expect(await electron.getByTestId('headline').textContent()).toBe((8 / 9).toFixed(4));
    const text = (await electron.textContent())?.replace(/\s+/g, ' ');
    expect(text).toContain(`${publicElectronTaggers.length} entries, of which 2 baselines`);
    expect(await page.locator('li[data-task="energy-regression"]').textContent()).toContain('e2e-regression');
    await page.screenshot({ path: join(SCREENSHOTS, 'home.png'), fullPage: true });
  });
});

describe('a user task (issue 18)', () => {
  it('has its leaderboard, home entry and navigation link as a reference task has', async () => {
    const page = await open('/');
    const nav = await page
      .locator('header nav a[data-nav-task]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('data-nav-task')));
    expect(nav).toEqual(['electron-id', 'bjet', 'boosted-jet', 'energy-regression', 'nanoaod-jet-genmatch']);
    await page.locator('header nav a[data-nav-task="nanoaod-jet-genmatch"]').click();
    await page.waitForURL(/\/leaderboard\/nanoaod-jet-genmatch$/);
    expect(await page.locator('h1').textContent()).toContain('Genuine against pile-up jets in CMS NanoAOD');
    expect(await rowNames(page)).toEqual(['e2e-jets-mlp', 'e2e-jets-cuts']);
    const first = page.locator('table[data-testid=leaderboard] tbody tr').first();
    expect(await first.textContent()).toContain((5 / 6).toFixed(4));
    await page.screenshot({ path: join(SCREENSHOTS, 'leaderboard-user-task.png'), fullPage: true });
  });

  it('keeps a private user task out of the list, the navigation and its leaderboard URL', async () => {
    const page = await open('/');
    expect(await page.locator('[data-task="e2e-secret-task"], [data-nav-task="e2e-secret-task"]').count()).toBe(0);
    const res = await fetch(`${stack.dashboard.url}/leaderboard/e2e-secret-task`);
    expect(res.status).toBe(404);
  });
});

describe('leaderboard page', () => {
  it('ranks the public entries by AUC with their figures; private models are absent', async () => {
    const page = await open('/leaderboard/electron-id');
    const byAuc = [...publicElectronTaggers].sort((a, b) => b.k - a.k).map((t) => t.name);
    expect(await rowNames(page)).toEqual(byAuc);
    const mlp = page.locator('tr[data-model="e2e-mlp"]');
    const { metrics } = powerRoc(6);
    expect(await mlp.locator('td[data-column=auc]').textContent()).toBe(metrics.auc.toFixed(4));
    expect(await mlp.locator('td[data-column=bkgEffAt92]').textContent()).toBe(metrics.bkgEffAt92.toFixed(4));
    expect(await mlp.locator('td[data-column=rejectionAt50]').textContent()).toBe(metrics.rejectionAt50.toFixed(1));
    expect(await mlp.locator('td[data-column=latencyUs]').textContent()).toBe('3.2');
    expect(await page.locator('tr.baseline').count()).toBe(2);
    expect(await page.content()).not.toContain('e2e-private');
  });

  it('sorts by a clicked column, both directions', async () => {
    const page = await open('/leaderboard/electron-id');
    const names = publicElectronTaggers.map((t) => t.name).sort();
    await page.locator('th[data-column=name] a').click();
    await page.waitForURL(/sort=name&dir=asc/);
    await expect.poll(() => rowNames(page)).toEqual(names);
    await page.locator('th[data-column=name] a').click();
    await page.waitForURL(/sort=name&dir=desc/);
    await expect.poll(() => rowNames(page)).toEqual([...names].reverse());
    // εB at 92 %: lower is better, so the first click sorts ascending (εB = 0.92^k falls with k).
    await page.locator('th[data-column=bkgEffAt92] a').click();
    await page.waitForURL(/sort=bkgEffAt92&dir=asc/);
    await expect
      .poll(() => rowNames(page))
      .toEqual([...publicElectronTaggers].sort((a, b) => b.k - a.k).map((t) => t.name));
    await page.screenshot({ path: join(SCREENSHOTS, 'leaderboard-sorted.png'), fullPage: true });
  });

  it('filters the trained models and keeps the baselines', async () => {
    const page = await open('/leaderboard/electron-id');
    await page.locator('form.filter[data-hydrated=true]').waitFor();
    await page.locator('input[name=q]').fill('deep');
    await expect.poll(() => rowNames(page)).toEqual(['e2e-deep', 'e2e-likelihood', 'e2e-cuts']);
  });

  it('draws one ROC curve per entry, each in its own colour', async () => {
    const page = await open('/leaderboard/electron-id');
    const chart = page.getByTestId('roc');
    await chart.and(page.locator(`[data-curves="${publicElectronTaggers.length}"]`)).waitFor();
    // The legend carries each curve's AUC.
    const legend = chart.locator('.legend li');
    expect(await legend.count()).toBe(publicElectronTaggers.length);
    expect(await legend.allTextContents()).toContain(`e2e-mlp v1, AUC = ${(6 / 7).toFixed(4)}`);
    // Every curve's colour (the swatch beside its row) is present on the canvas.
    const found = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=roc] canvas');
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx) return null;
      const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const swatches = [...document.querySelectorAll<HTMLElement>('tr[data-model] .swatch')];
      return swatches.map((s) => {
        const [r, g, b] = (getComputedStyle(s).backgroundColor.match(/\d+/g) ?? []).map(Number) as [
          number,
          number,
          number,
        ];
        let n = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          if (
            Math.abs((pixels[i] ?? 0) - r) + Math.abs((pixels[i + 1] ?? 0) - g) + Math.abs((pixels[i + 2] ?? 0) - b) <
            30
          )
            n++;
        }
        return n;
      });
    });
    expect(found).toHaveLength(publicElectronTaggers.length);
    for (const n of found ?? []) expect(n).toBeGreaterThan(50);
    await page.screenshot({ path: join(SCREENSHOTS, 'leaderboard.png'), fullPage: true });
  });

  it('reads and sorts without client JavaScript', async () => {
    const page = await open('/leaderboard/electron-id?sort=name&dir=desc', { javaScript: false });
    expect(await rowNames(page)).toEqual(
      publicElectronTaggers
        .map((t) => t.name)
        .sort()
        .reverse(),
    );
    const regression = await open('/leaderboard/energy-regression', { javaScript: false });
    expect(await regression.locator('tr[data-model="e2e-regression"] td[data-column=mae]').textContent()).toBe('1.234');
    // Issue 22: the training profile recorded in the lineage is shown beside the name.
    expect(await regression.locator('tr[data-model="e2e-regression"] [data-testid=profile]').textContent()).toBe(
      'full',
    );
    expect(await page.locator('[data-testid=profile]').count()).toBe(0);
  });

  it('answers an unknown task with 404', async () => {
    const context = await stack.browser.newContext();
    const res = await (await context.newPage()).goto(`${stack.dashboard.url}/leaderboard/no-such-task`);
    expect(res?.status()).toBe(404);
  });
});

describe('figures as physicists read them (issue 23)', () => {
  it('labels the model figures with symbols and units, grouped', async () => {
    const page = await open('/models/e2e-mlp', { javaScript: false });
    const metrics = page.getByTestId('metrics');
    const performance = metrics.locator('tbody[data-group=performance]');
    expect(await performance.locator('tr[data-metric=bkgEffAt92] th').textContent()).toBe('εB at εS = 92 %');
    expect(await performance.locator('tr[data-metric=rejectionAt50] th').textContent()).toBe('1/εB at εS = 50 %');
    expect(await performance.locator('tr[data-metric=rejectionAt50] td').textContent()).toBe((2 ** 6).toFixed(1));
    expect(await performance.locator('tr[data-metric=latencyUs] th').textContent()).toBe('latency [µs/event]');
    expect(await metrics.locator('th', { hasText: /^bkgEffAt92$/ }).count()).toBe(0);
    const request = stack.browser.contexts()[0]?.request;
    if (!request) throw new Error('no browser context');
    const base = stack.dashboard.url;
    const csv = await request.get(`${base}${await page.getByTestId('model-figures-csv').getAttribute('href')}`);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('group,key,label,value');
    expect(lines).toContain(`performance,rejectionAt50,1/εB at εS = 50 %,${2 ** 6}`);
    const body = await (
      await request.get(`${base}${await page.getByTestId('model-figures-json').getAttribute('href')}`)
    ).json();
    expect(body.model).toBe('e2e-mlp');
    expect(body.figures).toContainEqual({ key: 'auc', label: 'AUC', group: 'performance', value: 6 / 7 });
    expect(body.workingPoints).toHaveLength(2);
    await page.screenshot({ path: join(SCREENSHOTS, 'model-figures.png'), fullPage: true });
  });

  it('states the recommended rule and serves the figures and ROC curves as CSV without JavaScript', async () => {
    const page = await open('/leaderboard/electron-id', { javaScript: false });
    expect(await page.getByTestId('recommended-rule').textContent()).toContain('beat the cut-based baseline');
    const request = stack.browser.contexts()[0]?.request;
    if (!request) throw new Error('no browser context');
    const figures = await request.get(
      `${stack.dashboard.url}${await page.getByTestId('figures-csv').getAttribute('href')}`,
    );
    expect(figures.status()).toBe(200);
    expect(figures.headers()['content-type']).toContain('text/csv');
    const lines = (await figures.text()).trim().split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    expect(header.slice(0, 5)).toEqual(['rank', 'model', 'version', 'kind', 'recommended']);
    expect(header).toContain('1/εB at εS = 50 % (rejectionAt50)');
    expect(lines).toHaveLength(publicElectronTaggers.length + 1);
    const mlp = lines.find((l) => l.split(',')[1] === 'e2e-mlp')?.split(',') ?? [];
    expect(Number(mlp[header.indexOf('1/εB at εS = 50 % (rejectionAt50)')])).toBe(2 ** 6);
    const roc = await request.get(`${stack.dashboard.url}${await page.getByTestId('roc-csv').getAttribute('href')}`);
    const rocLines = (await roc.text()).trim().split('\r\n');
    expect(rocLines[0]?.split(',')[0]).toBe('signal efficiency εS');
    expect(rocLines[0]).toContain('1/εB e2e-mlp v1');
    expect(rocLines.length).toBeGreaterThan(10);
    await page.screenshot({ path: join(SCREENSHOTS, 'leaderboard-rule.png'), fullPage: true });
  });
});

/** Clicks a plot's download button (by its text) and returns the file's name and bytes. */
async function downloadFrom(page: Page, plot: Locator, button: 'SVG' | 'PNG' | 'CSV' | 'JSON', keyboard = false) {
  const target = plot.locator('.downloads button', { hasText: new RegExp(`^${button}$`) });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    keyboard ? target.focus().then(() => page.keyboard.press('Enter')) : target.click(),
  ]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: readFileSync(path) };
}

/** Width and height of a PNG from its IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).toString('latin1')).toBe('\x89PNG\r\n\x1a\n');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('HEP plots, downloads and comparisons (issue 23)', () => {
  it('draws the TMVA overtraining plot: filled training histograms, test points with Clopper–Pearson bars, KS p in the legend', async () => {
    const page = await open('/models/e2e-mlp');
    const plot = page.locator('[data-testid=overtraining][data-hydrated=true][data-curves="4"]');
    await plot.waitFor();
    // 20 bins × 2 test samples, every bin populated.
    expect(await plot.getAttribute('data-error-bars')).toBe('40');
    expect(await plot.locator('[role=img]').getAttribute('aria-label')).toContain('Clopper–Pearson error bars');
    const legend = await plot.locator('.legend li').allTextContents();
    expect(legend).toEqual([
      'signal, training',
      'background, training',
      'signal, test (KS p = 0.480)',
      'background, test (KS p = 0.630)',
    ]);

    const svg = await downloadFrom(page, plot, 'SVG');
    expect(svg.name).toBe('e2e-mlp-v1-overtraining.svg');
    const text = svg.bytes.toString('utf8');
    expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(text.match(/class="error-bar"/g)).toHaveLength(40);
    expect(text).toContain('signal, test (KS p = 0.480)');

    const png = await downloadFrom(page, plot, 'PNG');
    expect(png.name).toBe('e2e-mlp-v1-overtraining.png');
    writeFileSync(join(SCREENSHOTS, 'download-overtraining.png'), png.bytes);
    const size = pngSize(png.bytes);
    const width = Number(/width="(\d+)"/.exec(text)?.[1]);
    expect(size.width).toBe(2 * width);
    expect(size.height).toBeGreaterThan(400);

    // The numbers, by keyboard: the first test-signal bin with its interval from the stored counts.
    const csv = await downloadFrom(page, plot, 'CSV', true);
    expect(csv.name).toBe('e2e-mlp-v1-overtraining.csv');
    const lines = csv.bytes.toString('utf8').trim().split('\r\n');
    expect(lines[0]).toBe(
      'panel,layer,kind,x: classifier score [1],x low,x high,y: fraction of events per bin,y low,y high',
    );
    const f = TAGGER_EVALUATION.overtraining.histograms.testSignal[0] ?? 0;
    const cp = clopperPearsonInterval(Math.round(f * 1000), 1000);
    const row =
      lines.find((l) => l.startsWith('main,signal, test') || l.startsWith('main,"signal, test'))?.split(',') ?? [];
    const [lo, hi] = [Number(row.at(-2)), Number(row.at(-1))];
    expect(lo).toBeCloseTo(cp.lower + f - Math.round(f * 1000) / 1000, 9);
    expect(hi).toBeCloseTo(cp.upper + f - Math.round(f * 1000) / 1000, 9);
    const json = JSON.parse((await downloadFrom(page, plot, 'JSON')).bytes.toString('utf8'));
    expect(json.panels[0].layers.map((l: { kind: string }) => l.kind)).toEqual(['hist', 'hist', 'points', 'points']);
    expect(json.panels[0].layers[0].points).toHaveLength(20);
    await plot.screenshot({ path: join(SCREENSHOTS, 'overtraining.png') });
  });

  it('calibration: efficiencies of data and MC with error bars and an SF ratio panel, SF per |η| bin with bands', async () => {
    const page = await open('/models/e2e-mlp/calibration');
    const eff = page.locator('[data-testid=efficiency-tight][data-hydrated=true][data-curves="6"]');
    await eff.waitFor();
    expect(await eff.getAttribute('data-panels')).toBe('2');
    expect(await eff.locator('canvas').count()).toBe(2);
    // 9 bins × (data, MC) in the main panel and 9 SF ± stat in the ratio panel.
    expect(await eff.getAttribute('data-error-bars')).toBe('27');
    const legend = await eff.locator('.legend li').allTextContents();
    expect(legend).toContain('data, 0 ≤ |η| < 0.8');
    expect(legend).toContain('MC, 1.37 ≤ |η| < 2.47');
    const svg = (await downloadFrom(page, eff, 'SVG')).bytes.toString('utf8');
    writeFileSync(join(SCREENSHOTS, 'download-efficiency.svg'), svg);
    expect(svg).toContain('class="panel ratio"');
    expect(svg).toContain('data/MC (SF)');
    expect(svg.match(/class="error-bar"/g)).toHaveLength(27);
    // The JSON's data points carry the stored Clopper–Pearson intervals of the seeded counts.
    const json = JSON.parse((await downloadFrom(page, eff, 'JSON')).bytes.toString('utf8'));
    const expected = seededEfficiencies(stack.seeded.scaleFactors).data[1]?.[2];
    const point = json.panels[0].layers[4].points[1];
    expect(json.panels[0].layers[4].label).toBe('data, 1.37 ≤ |η| < 2.47');
    expect(point.y).toBeCloseTo(expected?.value ?? Number.NaN, 12);
    const cp = clopperPearsonInterval(expected?.passed ?? 0, SEEDED_PROBES.data);
    expect(point.yLow).toBeCloseTo(cp.lower, 12);
    expect(point.yHigh).toBeCloseTo(cp.upper, 12);
    expect(json.panels[1].panel).toBe('ratio');

    const sf = stack.seeded.scaleFactors;
    for (let j = 0; j < 3; j++) {
      const plot = page.locator(`[data-testid=sf-tight-${j}][data-hydrated=true][data-curves="3"]`);
      await plot.waitFor();
      expect(await plot.locator('.legend li').allTextContents()).toEqual(['stat ⊕ syst', 'stat', 'SF']);
    }
    const first = page.locator('[data-testid=sf-tight-0]');
    const sfSvg = (await downloadFrom(page, first, 'SVG')).bytes.toString('utf8');
    expect(sfSvg.match(/class="band"/g)).toHaveLength(6);
    const sfJson = JSON.parse((await downloadFrom(page, first, 'JSON')).bytes.toString('utf8'));
    const total = sfJson.panels[0].layers[0].points[2];
    const width = Math.hypot(sf.stat[2]?.[0] ?? 0, sf.syst[2]?.[0] ?? 0);
    expect(total.yHigh).toBeCloseTo((sf.values[2]?.[0] ?? 0) + width, 12);
    expect([total.xLow, total.xHigh]).toEqual([50, 100]);
    await page.screenshot({ path: join(SCREENSHOTS, 'calibration-plots.png'), fullPage: true });
  });

  it('the calibration numbers read without JavaScript', async () => {
    const page = await open('/models/e2e-mlp/calibration', { javaScript: false });
    const table = page.getByTestId('efficiency-table-tight');
    const e = seededEfficiencies(stack.seeded.scaleFactors).mc[0]?.[0];
    const text = (await table.locator('tbody tr').first().textContent())?.replace(/\s+/g, ' ') ?? '';
    const lo = (e?.value ?? 0) - (e?.errorLow ?? 0);
    const hi = (e?.value ?? 0) + (e?.errorHigh ?? 0);
    expect(text).toContain(`[${lo.toFixed(4)}, ${hi.toFixed(4)}]`);
    expect(await page.locator('[data-testid=efficiency-tight] [role=img]').getAttribute('aria-label')).toContain(
      'probe pT',
    );
    expect(await page.locator('[data-testid=efficiency-tight] .downloads').count()).toBe(0);
  });

  it('draws the resolution against E_true for the regressions, with rIQR to the standard calibration underneath', async () => {
    const page = await open('/leaderboard/energy-regression');
    const plot = page.locator('[data-testid=resolution][data-hydrated=true][data-panels="2"]');
    await plot.waitFor();
    expect(await plot.locator('.legend li').allTextContents()).toEqual(['e2e-regression v1', 'standard calibration']);
    expect(await plot.getAttribute('data-error-bars')).toBe('15');
    const json = JSON.parse((await downloadFrom(page, plot, 'JSON')).bytes.toString('utf8'));
    expect(json.x).toEqual({ label: 'E_true [GeV]', log: true });
    const ratio = json.panels[1].layers[0].points.map((p: { y: number }) => p.y);
    for (const r of ratio) expect(r).toBeCloseTo(0.8, 12);
    const model = await open('/models/e2e-regression');
    await model.locator('[data-testid=resolution][data-hydrated=true]').waitFor();
    const response = model.locator('[data-testid=response][data-hydrated=true][data-curves="2"]');
    await response.waitFor();
    expect(await response.locator('.legend li').allTextContents()).toEqual([
      'model, eIQR = 0.0321',
      'standard calibration, eIQR = 0.0369',
    ]);
    expect((await downloadFrom(model, response, 'SVG')).name).toBe('e2e-regression-v1-response.svg');
    await plot.screenshot({ path: join(SCREENSHOTS, 'resolution.png') });
  });

  it('compares ticked models from the leaderboard: ROC overlay with a ratio panel, figures and working points diffed', async () => {
    const page = await open('/leaderboard/electron-id');
    await page.locator('form.filter[data-hydrated=true]').waitFor();
    await page.getByLabel('compare e2e-mlp v1').check();
    await page.getByLabel('compare e2e-deep v1').check();
    await Promise.all([page.waitForURL(/\/compare\?/), page.getByTestId('compare-form').locator('button').click()]);
    // The ticked rows come in the table's order (ranked): e2e-deep first, the reference.
    expect(new URL(page.url()).searchParams.getAll('models')).toEqual(['e2e-deep@1', 'e2e-mlp@1']);
    const roc = page.locator('[data-testid=compare-roc][data-hydrated=true][data-curves="2"]');
    await roc.waitFor();
    expect(await roc.getAttribute('data-panels')).toBe('2');
    writeFileSync(join(SCREENSHOTS, 'download-compare-roc.png'), (await downloadFrom(page, roc, 'PNG')).bytes);
    const json = JSON.parse((await downloadFrom(page, roc, 'JSON')).bytes.toString('utf8'));
    // εB = εS^k: at the stored ROC points (εS = 0.05, 0.10, …) the ratio of 1/εB (mlp, k = 6,
    // over deep, k = 8) is εS² exactly; between them the curves are interpolated.
    const ratio = json.panels[1].layers[0].points as { x: number; y: number | null }[];
    const atRocPoints = ratio.filter((q) => Math.abs(q.x * 20 - Math.round(q.x * 20)) < 1e-9 && q.x < 1);
    expect(atRocPoints.length).toBeGreaterThan(15);
    for (const p of atRocPoints) expect((p.y ?? 0) / p.x ** 2).toBeCloseTo(1, 6);
    const auc = page.locator('[data-testid=compare-figures] tr[data-metric=auc] td');
    expect(await auc.nth(0).textContent()).toBe((8 / 9).toFixed(4));
    expect(await auc.nth(1).textContent()).toBe(`${(6 / 7).toFixed(4)}(−${(8 / 9 - 6 / 7).toFixed(4)})`);
    const tight = page.locator(
      '[data-testid=compare-working-points] tr[data-working-point=tight][data-quantity="εB"] td',
    );
    // Cells: the quantity, then e2e-deep (the reference), then e2e-mlp with its difference.
    expect(await tight.nth(1).textContent()).toBe((0.8 ** 8).toFixed(4));
    expect(await tight.nth(2).textContent()).toBe(`${(0.8 ** 6).toFixed(4)}(+${(0.8 ** 6 - 0.8 ** 8).toFixed(4)})`);
    await page.screenshot({ path: join(SCREENSHOTS, 'compare.png'), fullPage: true });
  });

  it('the compare view works without JavaScript from a typed query, and refuses bad or hidden models', async () => {
    const page = await open('/compare', { javaScript: false });
    await page.locator('input[name=models]').fill('e2e-bjet@1, e2e-bjet@2');
    await Promise.all([page.waitForNavigation(), page.getByTestId('compare-query').locator('button').click()]);
    const auc = page.locator('[data-testid=compare-figures] tr[data-metric=auc] td');
    expect(await auc.allTextContents()).toEqual([
      (4 / 5).toFixed(4),
      `${(5 / 6).toFixed(4)}(+${(5 / 6 - 4 / 5).toFixed(4)})`,
    ]);
    const request = page.request;
    expect((await request.get(`${stack.dashboard.url}/compare?models=e2e-mlp@0`)).status()).toBe(400);
    expect((await request.get(`${stack.dashboard.url}/compare?models=no-such-model`)).status()).toBe(404);
    expect((await request.get(`${stack.dashboard.url}/compare?models=e2e-mlp,e2e-private`)).status()).toBe(404);
  });

  it('shows a model’s version history with the change from the previous version', async () => {
    const page = await open('/models/e2e-bjet', { javaScript: false });
    await Promise.all([page.waitForNavigation(), page.getByTestId('version-history-link').click()]);
    const rows = page.locator('[data-testid=version-history] tbody tr');
    expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-version')))).toEqual(['2', '1']);
    const auc = rows.first().locator('td[data-column=auc]');
    expect(await auc.locator('[data-delta]').textContent()).toBe(`+${(5 / 6 - 4 / 5).toFixed(4)}`);
    expect(await auc.locator('[data-delta]').getAttribute('class')).toContain('better');
    expect(await rows.last().locator('td[data-column=auc]').textContent()).toContain((4 / 5).toFixed(4));
    expect(await page.getByTestId('compare-versions').getAttribute('href')).toBe(
      '/compare?models=e2e-bjet@2,e2e-bjet@1',
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'versions.png'), fullPage: true });
  });
});

describe('model page', () => {
  it('shows inputs with units and normalisation, architecture, working points, evaluation and lineage', async () => {
    const page = await open('/models/e2e-mlp');
    const inputs = page.getByTestId('inputs');
    for (const input of TAGGER_INPUTS) {
      const row = inputs.locator(`tr[data-input="${input.name}"]`);
      expect((await row.textContent())?.replace(/\s+/g, ' ')).toContain(
        `${input.name}${input.unit}${input.offset}${input.scale}`,
      );
    }
    expect(await page.getByTestId('architecture').textContent()).toContain('2 inputs → 1 (sigmoid)');
    expect(await page.getByTestId('working-points').locator('tbody tr').count()).toBe(2);
    await page.locator('[data-testid=overtraining][data-curves="4"]').waitFor();
    expect(await page.getByTestId('feature-ranking').locator('tbody tr').first().textContent()).toContain('reta');
    expect(await page.getByTestId('versions').locator('tbody tr').count()).toBe(1);
    const bundle = page.getByTestId('downloads').locator('a').first();
    expect(await bundle.getAttribute('href')).toBe(`${stack.api.url}/v1/models/e2e-mlp/versions/1/bundle`);
    expect((await stack.browser.contexts()[0]?.request.get((await bundle.getAttribute('href')) ?? ''))?.status()).toBe(
      200,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'model.png'), fullPage: true });
  });

  it('try-it sends one object to the edge API and shows its score', async () => {
    const page = await open('/models/e2e-mlp');
    // Typing before hydration would be overwritten by it: wait until the form is interactive.
    const form = page.locator('[data-testid=try-it][data-hydrated=true]');
    await form.waitFor();
    await form.locator('input[name="in.et"]').fill('50');
    await form.locator('input[name="in.reta"]').fill('0.95');
    await form.locator('button[type=submit]').click();
    const score = page.getByTestId('score');
    await score.waitFor();
    expect(Number(await score.textContent())).toBeCloseTo(taggerScore(50, 0.95), 5);
    await page.screenshot({ path: join(SCREENSHOTS, 'try-it.png'), fullPage: true });
  });

  it('try-it works without client JavaScript and names a bad field', async () => {
    const page = await open('/models/e2e-mlp', { javaScript: false });
    const form = page.getByTestId('try-it');
    await form.locator('input[name="in.et"]').fill('30');
    await form.locator('input[name="in.reta"]').fill('0.9');
    await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
    expect(Number(await page.getByTestId('score').textContent())).toBeCloseTo(taggerScore(30, 0.9), 5);
    await page.getByTestId('try-it').locator('input[name="in.et"]').fill('forty');
    await Promise.all([page.waitForNavigation(), page.getByTestId('try-it').locator('button[type=submit]').click()]);
    expect(await page.getByTestId('try-it-error').textContent()).toContain('et must be a number');
  });

  it('answers a private model with 404 for an anonymous visitor', async () => {
    const context = await stack.browser.newContext();
    const res = await (await context.newPage()).goto(`${stack.dashboard.url}/models/e2e-private`);
    expect(res?.status()).toBe(404);
  });
});

describe('calibration page', () => {
  it('shows the scale factors as a pT × |η| heatmap with values and uncertainties', async () => {
    const page = await open('/models/e2e-mlp/calibration');
    const sf = stack.seeded.scaleFactors;
    const heatmap = page.locator('[data-working-point=tight] [data-testid=heatmap]');
    expect(await heatmap.locator('td[data-pt-bin]').count()).toBe(9);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const cell = heatmap.locator(`td[data-pt-bin="${i}"][data-eta-bin="${j}"]`);
        expect(await cell.locator('.sf').textContent()).toBe(sf.values[i]?.[j]?.toFixed(3));
        expect(await cell.locator('.unc').textContent()).toBe(
          `± ${sf.stat[i]?.[j]?.toFixed(3)} (stat) ± ${sf.syst[i]?.[j]?.toFixed(3)} (syst)`,
        );
      }
    }
    expect(await heatmap.locator('tbody th').last().textContent()).toBe('50 – 100');
    await page.locator('[data-testid=efficiency-tight][data-curves="6"]').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'calibration.png'), fullPage: true });
  });

  it('offers the table as a correctionlib v2 file with the same values', async () => {
    const page = await open('/models/e2e-mlp/calibration');
    const href = await page.getByTestId('correctionlib').getAttribute('href');
    const res = await page.request.get(`${stack.dashboard.url}${href}`);
    expect(res.status()).toBe(200);
    const set = (await res.json()) as {
      schema_version: number;
      corrections: {
        name: string;
        data: { content: { key: string; value: { content: number[]; edges: unknown[] } }[] };
      }[];
    };
    expect(set.schema_version).toBe(2);
    expect(set.corrections[0]?.name).toBe('e2e-mlp-tight');
    const nominal = set.corrections[0]?.data.content.find((c) => c.key === 'nominal')?.value;
    expect(nominal?.content).toEqual(stack.seeded.scaleFactors.values.flat());
    expect(nominal?.edges[0]).toEqual([20, 35, 50, 100]);
  });

  it('answers a private model with 404', async () => {
    const page = await open('/models/e2e-mlp/calibration');
    expect((await page.request.get(`${stack.dashboard.url}/models/e2e-private/calibration`)).status()).toBe(404);
    expect(
      (await page.request.get(`${stack.dashboard.url}/models/e2e-private/calibration/correctionlib.json`)).status(),
    ).toBe(404);
  });
});

describe('publishing', () => {
  it('refuses a wrong token', async () => {
    const page = await open('/publish');
    await page.locator('input[name=token]').fill('hepml_AAAAAAAAAAAA_not-a-real-token-000000000000000000000000000');
    await page.locator('[data-testid=signin] button').click();
    expect(await page.getByTestId('publish-error').textContent()).toContain('unknown, revoked or expired');
  });

  it('signs in with a token kept in an httpOnly cookie, changes visibility, promotes and deprecates', async () => {
    const page = await open('/publish');
    await page.locator('input[name=token]').fill(stack.seeded.aliceToken);
    await Promise.all([page.waitForURL(/\/publish$/), page.locator('[data-testid=signin] button').click()]);
    expect(await page.getByTestId('user').textContent()).toBe('alice');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'hepml_token');
    expect(cookie?.httpOnly).toBe(true);
    expect(await page.evaluate(() => document.cookie)).not.toContain('hepml_');
    expect(
      await page.locator('section[data-model]').evaluateAll((s) => s.map((x) => x.getAttribute('data-model'))),
    ).toEqual(['e2e-secret-mlp', 'e2e-draft', 'e2e-private']); // by task (e2e-secret-task first), then name
    // The owner sees the private model on the leaderboard; an anonymous visitor does not.
    const own = await page.context().newPage();
    await own.goto(`${stack.dashboard.url}/leaderboard/electron-id`);
    expect(await own.locator('tr[data-model="e2e-private"]').count()).toBe(1);

    const draft = page.locator('section[data-model="e2e-draft"]');
    await draft.locator('select[name=visibility]').selectOption('public');
    await draft.locator('form[action="?/visibility"] button').click();
    await page.getByTestId('publish-ok').waitFor();
    await draft.locator('[data-testid=visibility]', { hasText: 'public' }).waitFor();
    const anonymous = await open('/leaderboard/electron-id');
    expect(await anonymous.locator('tr[data-model="e2e-draft"]').count()).toBe(1);
    expect(await anonymous.locator('tr[data-model="e2e-private"]').count()).toBe(0);

    // Promoting the private model must not reveal it on the anonymous home page.
    await page
      .locator('section[data-model="e2e-private"] tr[data-version="1"] form[action="?/promote"] button')
      .click();
    await page.locator('section[data-model="e2e-private"] .tag', { hasText: 'recommended' }).waitFor();
    const home = await open('/');
    expect(await home.locator('main').textContent()).not.toContain('e2e-private');

    await draft.locator('tr[data-version="1"] form[action="?/deprecate"] button').click();
    await draft.locator('tr[data-version="1"] [data-testid=status]', { hasText: 'deprecated' }).waitFor();
    const after = await open('/leaderboard/electron-id');
    expect(await after.locator('tr[data-model="e2e-draft"]').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'publish.png'), fullPage: true });
  });
});

describe('embeddable widgets', () => {
  it('the demo page renders the leaderboard widget from its versioned script', async () => {
    const page = await open('/widgets?model=e2e-mlp');
    const rows = page.locator('hepml-leaderboard tr[data-model]');
    await rows.first().waitFor();
    expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-model')))).toEqual(
      [...publicElectronTaggers].sort((a, b) => b.k - a.k).map((t) => t.name),
    );
    await page.locator('hepml-scale-factors td[data-pt-bin="0"][data-eta-bin="0"]').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'widgets.png'), fullPage: true });
  });

  it('embeds on another origin with one script tag, through CORS, without private models', async () => {
    // A second origin on this machine (another port) stands in for the wiki that embeds the widgets.
    const html = `<!doctype html><title>analysis wiki</title>
      <script src="${stack.dashboard.url}/widgets/v1/hepml-widgets.js"></script>
      <hepml-leaderboard task="electron-id" limit="1"></hepml-leaderboard>
      <hepml-scale-factors model="e2e-mlp"></hepml-scale-factors>
      <hepml-scale-factors id="private" model="e2e-private"></hepml-scale-factors>`;
    const wiki = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
    await new Promise<void>((resolve) => wiki.listen(0, '127.0.0.1', resolve));
    const address = wiki.address();
    const wikiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/page`;
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(wikiUrl);
      const rows = page.locator('hepml-leaderboard tr[data-model]');
      await rows.first().waitFor();
      // limit=1 keeps the best trained model and both baselines.
      expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-model')))).toEqual([
        'e2e-deep',
        'e2e-likelihood',
        'e2e-cuts',
      ]);
      expect(await page.locator('hepml-leaderboard tr[data-model="e2e-deep"] td[data-column=auc]').textContent()).toBe(
        (8 / 9).toFixed(4),
      );
      const cell = page.locator('hepml-scale-factors[model="e2e-mlp"] td[data-pt-bin="1"][data-eta-bin="2"] b');
      await cell.waitFor();
      expect(await cell.textContent()).toBe(stack.seeded.scaleFactors.values[1]?.[2]?.toFixed(3));
      await page.locator('#private .error').waitFor();
      expect(await page.locator('#private .error').textContent()).toContain('not found');
      await page.screenshot({ path: join(SCREENSHOTS, 'widgets-embedded.png'), fullPage: true });
    } finally {
      wiki.close();
    }
  });
});

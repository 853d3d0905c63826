/**
 * Issue 18's acceptance path for a user's own task: the example task file
 * (packages/models/tasks/nanoaod-jet-genmatch.json) trains with `pnpm train --task-file` on the
 * real CMS NanoAOD file of ../shared/data/root/ (jagged Jet_* branches flattened one row per jet),
 * its bundles are published with `pnpm publish-model` to a fresh local stack, the API lists the
 * task's models and serves predictions of real jets with the task's working points. Bad input to
 * the CLI is one line with exit status 2. The regression example (nanoaod-jet-response.json: per
 * matched jet, pT(gen)/pT(raw), GenJet_pt gathered at Jet_genJetIdx) trains, publishes and serves
 * over /v1 and /v2 the value the bundle runtime computes.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Bundle, parseTaskJson } from '@hepml/models';
import { readBundleDir, readTaskData } from '@hepml/models/node';
import { createToken, ensureUser } from '@hepml/models/registry';
import { createRunner } from '@hepml/models/runtime';
import { taskSample } from '@hepml/models/training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_CONFIG,
  applyMigrations,
  freePort,
  ROOT,
  type RunningWorker,
  startWorker,
  withPlatform,
} from '../../scripts/local-stack.ts';

const run = promisify(execFile);
const TASK_FILE = join(ROOT, 'packages/models/tasks/nanoaod-jet-genmatch.json');
const REGRESSION_FILE = join(ROOT, 'packages/models/tasks/nanoaod-jet-response.json');
const NANOAOD = join(ROOT, '../shared/data/root/nanoAOD_2015_CMS_Open_Data_ttbar.root');
const work = mkdtempSync(join(tmpdir(), 'hepml-task-file-'));
const out = join(work, 'bundles');
const regressionOut = join(work, 'regression-bundles');
const persistTo = join(work, 'state');
let api: RunningWorker | undefined;
let token = '';
let train: { code: number; stdout: string; stderr: string };
let trainRegression: { code: number; stdout: string; stderr: string };

async function cli(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'packages/models/scripts', script), ...args],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  if (!existsSync(NANOAOD)) {
    throw new Error(`shared NanoAOD file missing: ${NANOAOD} (see /work/shared/data/README.md)`);
  }
  train = await cli('train.ts', ['--task-file', TASK_FILE, '--data', NANOAOD, '--backend', 'wasm', '--out', out]);
  trainRegression = await cli('train.ts', [
    '--task-file',
    REGRESSION_FILE,
    '--data',
    NANOAOD,
    '--backend',
    'wasm',
    '--out',
    regressionOut,
  ]);
  await applyMigrations(persistTo);
  await withPlatform(persistTo, async ({ db }) => {
    const userId = await ensureUser(db, 'physicist');
    token = (await createToken(db, { userId, name: 'issue 18', scopes: ['read', 'publish'] })).token;
  });
  api = await startWorker({ config: API_CONFIG, port: await freePort(), persistTo, readyPath: '/v2/health/live' });
}, 240_000);

afterAll(async () => {
  await api?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a task file on real NanoAOD (issue 18)', () => {
  it('trains the MLP, cuts, likelihood and GBDT on the jets, each bundle carrying its task', async () => {
    expect(train.code, train.stderr).toBe(0);
    // 200 events hold 537 jets; all pass pT > 15 GeV and carry a label.
    expect(train.stderr).toMatch(/nanoaod-jet-genmatch: 537 rows from 1 file\(s\) .*537 kept/);
    expect(train.stdout).toMatch(/PASS nanoaod-jet-genmatch-mlp: AUC 0\.\d{4} vs nanoaod-jet-genmatch-cuts/);
    const names = readdirSync(out).sort();
    expect(names).toEqual([
      'nanoaod-jet-genmatch-cuts',
      'nanoaod-jet-genmatch-gbdt',
      'nanoaod-jet-genmatch-likelihood',
      'nanoaod-jet-genmatch-mlp',
    ]);
    for (const name of names) {
      const bundle: Bundle = await readBundleDir(join(out, name));
      expect(bundle.manifest.task).toBe('nanoaod-jet-genmatch');
      expect(bundle.manifest.inputs.map((i) => i.name)).toContain('massOverPt');
      expect(bundle.manifest.workingPoints.map((w) => w.name)).toEqual(['loose', 'medium', 'tight']);
      // Genuine jets are told from pile-up well above chance even on ~160 test jets.
      expect(bundle.manifest.metrics.auc).toBeGreaterThan(0.65);
      const task = parseTaskJson(new TextDecoder().decode(bundle.files.get('task.json')), `${name}/task.json`);
      expect(task.name).toBe('nanoaod-jet-genmatch');
    }
  });

  it('publishes, lists the task models and serves real jets with the working points', async () => {
    for (const name of ['nanoaod-jet-genmatch-mlp', 'nanoaod-jet-genmatch-gbdt']) {
      const published = await cli('publish-model.ts', [
        join(out, name),
        '--to',
        api?.url ?? '',
        '--token',
        token,
        '--visibility',
        'public',
      ]);
      expect(published.code, published.stderr).toBe(0);
      expect(published.stdout).toContain(`published ${name} v1 (task nanoaod-jet-genmatch)`);
    }
    const listed = await fetch(`${api?.url}/v1/models?task=nanoaod-jet-genmatch`);
    expect(listed.status).toBe(200);
    const models = ((await listed.json()) as { models: { name: string }[] }).models.map((m) => m.name).sort();
    expect(models).toEqual(['nanoaod-jet-genmatch-gbdt', 'nanoaod-jet-genmatch-mlp']);

    // Eight real jets of the file, as the task's inputs.
    const task = parseTaskJson(readFileSync(TASK_FILE, 'utf8'));
    const { sample } = taskSample(task, await readTaskData(task, [NANOAOD]));
    const rows = Array.from({ length: 8 }, (_, r) =>
      Object.fromEntries(task.inputs.map((input) => [input.name, sample.columns[input.name]?.[r] as number])),
    );
    const manifest = (await readBundleDir(join(out, 'nanoaod-jet-genmatch-mlp'))).manifest;
    const res = await fetch(`${api?.url}/v1/models/nanoaod-jet-genmatch-mlp/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rows }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      task: string;
      predictions: { score: number; decisions: Record<string, boolean> }[];
    };
    expect(body.task).toBe('nanoaod-jet-genmatch');
    expect(body.predictions).toHaveLength(8);
    for (const p of body.predictions) {
      expect(p.score).toBeGreaterThan(0);
      expect(p.score).toBeLessThan(1);
      for (const wp of manifest.workingPoints) expect(p.decisions[wp.name]).toBe(p.score >= wp.threshold);
    }
    expect(new Set(body.predictions.map((p) => p.score.toFixed(6))).size).toBeGreaterThan(1);

    const missing = await fetch(`${api?.url}/v1/models/nanoaod-jet-genmatch-mlp/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rows: [{ ...rows[0], massOverPt: undefined }] }),
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { field: string } }).error.field).toContain('massOverPt');
  });

  it('trains the regression example, publishes it, and /v1 and /v2 serve the value of the runtime', async () => {
    expect(trainRegression.code, trainRegression.stderr).toBe(0);
    // 537 jets, 373 matched (Jet_genJetIdx ≥ 0), 11 of them pointing past the GenJets the file keeps.
    expect(trainRegression.stderr).toMatch(
      /nanoaod-jet-response: 537 rows from 1 file\(s\) .*373 selected, .*11 non-finite, 362 kept/,
    );
    expect(readdirSync(regressionOut).sort()).toEqual(['nanoaod-jet-response-gbdt', 'nanoaod-jet-response-mlp']);
    for (const name of ['nanoaod-jet-response-mlp', 'nanoaod-jet-response-gbdt']) {
      const m = (await readBundleDir(join(regressionOut, name))).manifest;
      expect(m.outputs).toEqual([{ name: 'response', kind: 'value', unit: '1' }]);
      expect(m.evaluation?.regression?.target).toBe('response');
      // The raw-pT response spreads by ~15 % (eIQR); the model is measured against CMS's correction in the file.
      expect(m.metrics.eIqr).toBeGreaterThan(0.05);
      expect(m.metrics.eIqr).toBeLessThan(0.3);
      expect(m.metrics.eIqrStandard).toBeGreaterThan(0.05);
      expect(m.metrics.rIqr).toBeCloseTo((m.metrics.eIqr as number) / (m.metrics.eIqrStandard as number), 6);
      const published = await cli('publish-model.ts', [
        join(regressionOut, name),
        '--to',
        api?.url ?? '',
        '--token',
        token,
        '--visibility',
        'public',
      ]);
      expect(published.code, published.stderr).toBe(0);
    }
    const tasks = (await (await fetch(`${api?.url}/v1/tasks`)).json()) as {
      tasks: { id: string; kind: string; unit?: string }[];
    };
    expect(tasks.tasks.find((t) => t.id === 'nanoaod-jet-response')).toMatchObject({ kind: 'regression', unit: '1' });

    const task = parseTaskJson(readFileSync(REGRESSION_FILE, 'utf8'));
    const { sample } = taskSample(task, await readTaskData(task, [NANOAOD]));
    const n = 6;
    const names = task.inputs.map((input) => input.name);
    const rows = Array.from({ length: n }, (_, r) =>
      Object.fromEntries(names.map((name) => [name, sample.columns[name]?.[r] as number])),
    );
    const bundle = await readBundleDir(join(regressionOut, 'nanoaod-jet-response-mlp'));
    const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
    const features = Float32Array.from({ length: n * names.length }, (_, i) => {
      const row = rows[Math.floor(i / names.length)] as Record<string, number>;
      return row[names[i % names.length] as string] as number;
    });
    const expected = Array.from(runner.predict(features, n));

    const res = await fetch(`${api?.url}/v1/models/nanoaod-jet-response-mlp/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rows }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { outputs: Record<string, number[]>; predictions: { value: number }[] };
    expect(body.predictions.map((p) => p.value)).toEqual(expected);
    expect(body.outputs.response).toEqual(expected);
    // Responses of real jets: near 1, not all alike.
    for (const v of expected) expect(Math.abs(v - 1)).toBeLessThan(0.8);
    expect(new Set(expected.map((v) => v.toFixed(5))).size).toBeGreaterThan(1);

    const v2 = await fetch(`${api?.url}/v2/models/nanoaod-jet-response-mlp/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        inputs: names.map((name) => ({ name, shape: [n], datatype: 'FP32', data: rows.map((row) => row[name]) })),
      }),
    });
    expect(v2.status, await v2.clone().text()).toBe(200);
    const infer = (await v2.json()) as { outputs: { name: string; data: number[] }[] };
    expect(infer.outputs.find((o) => o.name === 'response')?.data).toEqual(expected);
  });

  it('answers bad input with one line and exit status 2', async () => {
    const bad = join(work, 'bad-task.json');
    const task = JSON.parse(readFileSync(TASK_FILE, 'utf8')) as { inputs: { unit?: string }[] };
    delete task.inputs[2]?.unit;
    writeFileSync(bad, JSON.stringify(task));
    const badTask = await cli('train.ts', ['--task-file', bad, '--out', join(work, 'none')]);
    expect(badTask.code).toBe(2);
    expect(badTask.stderr.trim()).toMatch(/^train: .*bad-task\.json: inputs\[2\]\.unit: /);
    expect(badTask.stderr.trim().split('\n')).toHaveLength(1);

    const noFile = await cli('train.ts', ['--task-file', TASK_FILE, '--data', join(work, 'absent.root')]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr.trim()).toMatch(/^train: --data .*absent\.root: ENOENT/);
    expect(noFile.stderr.trim().split('\n')).toHaveLength(1);

    const typo = join(work, 'typo-task.json');
    const misspelt = JSON.parse(readFileSync(TASK_FILE, 'utf8')) as { inputs: { column?: string }[] };
    (misspelt.inputs[0] as { column?: string }).column = 'Jet_ptt';
    writeFileSync(typo, JSON.stringify(misspelt));
    const noBranch = await cli('train.ts', ['--task-file', typo, '--data', NANOAOD, '--out', join(work, 'none')]);
    expect(noBranch.code).toBe(2);
    expect(noBranch.stderr.trim().split('\n').at(-1)).toBe(
      'train: nanoAOD_2015_CMS_Open_Data_ttbar.root: TTree Events has no branch Jet_ptt',
    );
  });
});

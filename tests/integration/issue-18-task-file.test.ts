/**
 * Issue 18's acceptance path for a user's own task: the example task file
 * (packages/models/tasks/nanoaod-jet-genmatch.json) trains with `pnpm train --task-file` on the
 * real CMS NanoAOD file of ../shared/data/root/ (jagged Jet_* branches flattened one row per jet),
 * its bundles are published with `pnpm publish-model` to a fresh local stack, the API lists the
 * task's models and serves predictions of real jets with the task's working points. Bad input to
 * the CLI is one line with exit status 2.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Bundle, parseTaskJson } from '@hepml/models';
import { readBundleDir, readTaskData } from '@hepml/models/node';
import { createToken, ensureUser } from '@hepml/models/registry';
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
const NANOAOD = join(ROOT, '../shared/data/root/nanoAOD_2015_CMS_Open_Data_ttbar.root');
const work = mkdtempSync(join(tmpdir(), 'hepml-task-file-'));
const out = join(work, 'bundles');
const persistTo = join(work, 'state');
let api: RunningWorker | undefined;
let token = '';
let train: { code: number; stdout: string; stderr: string };

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

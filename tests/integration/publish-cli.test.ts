/**
 * Issue 7's acceptance path: `pnpm publish-model` publishes a bundle through the API of a fresh
 * local stack; a collaborator's token reads and predicts with it, an outsider's token gets 404,
 * and a tampered bundle is refused with its reason (locally, and by the server when sent anyway).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBundle, mlpParameterCount } from '@hepml/models/bundle';
import { writeBundleDir } from '@hepml/models/node';
import { addMember, createToken, ensureCollaboration, ensureUser } from '@hepml/models/registry';
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
const work = mkdtempSync(join(tmpdir(), 'hepml-cli-'));
const persistTo = join(work, 'state');
const bundleDir = join(work, 'cli-model');
let api: RunningWorker | undefined;
const tokens: Record<'owner' | 'member' | 'outsider', string> = { owner: '', member: '', outsider: '' };

async function publishModel(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'packages/models/scripts/publish-model.ts'), ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const predict = (token?: string) =>
  fetch(`${api?.url}/v1/models/cli-model/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ rows: [{ x: 0.5, y: -1.25 }] }),
  });

beforeAll(async () => {
  const layers = [
    { type: 'dense' as const, units: 3, activation: 'tanh' as const },
    { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
  ];
  const parameters = mlpParameterCount(2, layers);
  const weights = Float32Array.from({ length: parameters }, (_, i) => Math.cos(0.9 * i) * 0.7);
  const bundle = await buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: 'cli-model',
      task: 'electron-id',
      description: 'published by the CLI test',
      inputs: [
        { name: 'x', unit: '1', offset: 0, scale: 1 },
        { name: 'y', unit: '1', offset: 0, scale: 2 },
      ],
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: { kind: 'mlp', inputSize: 2, layers, parameters },
      weights: 'weights.bin',
      metrics: { auc: 0.75 },
      workingPoints: [],
      lineage: { datasetHash: 'cli', codeVersion: 'cli', seed: 5, createdAt: '2026-11-22T00:00:00Z', backend: 'none' },
    },
    new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
  );
  await writeBundleDir(bundle, bundleDir);
  await applyMigrations(persistTo);
  await withPlatform(persistTo, async ({ db }) => {
    const collab = await ensureCollaboration(db, 'atlas-egamma');
    const mint = async (user: string, scopes: ('read' | 'publish')[], member: boolean) => {
      const userId = await ensureUser(db, user);
      if (member) await addMember(db, collab, userId);
      return (await createToken(db, { userId, name: 'cli test', scopes })).token;
    };
    tokens.owner = await mint('owner', ['read', 'publish'], true);
    tokens.member = await mint('member', ['read'], true);
    tokens.outsider = await mint('outsider', ['read'], false);
  });
  api = await startWorker({ config: API_CONFIG, port: await freePort(), persistTo, readyPath: '/v2/health/live' });
});

afterAll(async () => {
  await api?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('pnpm publish-model', () => {
  it('publishes to collaborators: members predict, outsiders get 404', async () => {
    const out = await publishModel([
      bundleDir,
      '--to',
      api?.url ?? '',
      '--token',
      tokens.owner,
      '--visibility',
      'collaboration',
      '--collaboration',
      'atlas-egamma',
    ]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('published cli-model v1 (task electron-id)');
    expect(out.stdout).toContain(`${api?.url}/v1/models/cli-model/versions/1/bundle`);

    const member = await predict(tokens.member);
    expect(member.status).toBe(200);
    const body = (await member.json()) as { scores: number[]; version: number };
    expect(body.version).toBe(1);
    expect(body.scores[0]).toBeGreaterThan(0);
    expect(body.scores[0]).toBeLessThan(1);
    expect((await predict(tokens.outsider)).status).toBe(404);
    expect((await predict()).status).toBe(404);
  });

  it('refuses a tampered bundle with its reason, locally and on the server', async () => {
    const tampered = join(work, 'tampered');
    cpSync(bundleDir, tampered, { recursive: true });
    const w = readFileSync(join(tampered, 'weights.bin'));
    w[3] = (w[3] ?? 0) ^ 0x01;
    writeFileSync(join(tampered, 'weights.bin'), w);
    const args = [tampered, '--to', api?.url ?? '', '--token', tokens.owner];

    const local = await publishModel(args);
    expect(local.code).toBe(1);
    expect(local.stderr).toMatch(/weights\.bin: sha256 [0-9a-f]{64} does not match manifest/);

    const server = await publishModel([...args, '--skip-local-check']);
    expect(server.code).toBe(1);
    expect(server.stderr).toMatch(/refused \(422 invalid_bundle\): weights\.bin: sha256 .* \[field: weights\.bin\]/);
    const versions = await fetch(`${api?.url}/v1/models/cli-model/versions`, {
      headers: { authorization: `Bearer ${tokens.owner}` },
    });
    expect(((await versions.json()) as { versions: unknown[] }).versions).toHaveLength(1);
  });

  it('says clearly when the token may not publish', async () => {
    const out = await publishModel([bundleDir, '--to', api?.url ?? '', '--token', tokens.member]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('refused (403 insufficient_scope)');
  });
});

/**
 * HTTP round trip across every runtime of the product: train a tiny model with TensorFlow.js,
 * publish it into a fresh local D1 + R2, serve it with `wrangler dev` (workerd) and check that the
 * scores over HTTP equal the in-process tfjs prediction within 1e-5.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, mlpParameterCount } from '@hepml/models/bundle';
import { publishBundle, systemPrincipal } from '@hepml/models/registry';
import {
  denseLayerSpecs,
  flattenDenseWeights,
  predictRaw,
  selectBackend,
  trainBinaryMlp,
} from '@hepml/models/training';
import { generateElectronId } from '@hepml/physics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_CONFIG,
  applyMigrations,
  freePort,
  type RunningWorker,
  startWorker,
  withPlatform,
} from '../../scripts/local-stack.ts';

const persistTo = mkdtempSync(join(tmpdir(), 'hepml-it-'));
let api: RunningWorker | undefined;

afterAll(async () => {
  await api?.stop();
  rmSync(persistTo, { recursive: true, force: true });
});

describe('train → publish → predict over HTTP', () => {
  const sample = generateElectronId({ n: 4000, seed: 99 });
  const names = ['et', 'eta', 'rhad', 'reta', 'weta2', 'eProbabilityHT'];
  let expected: Float32Array;
  let rows: Record<string, number>[];

  beforeAll(async () => {
    await selectBackend('cpu');
    const trained = await trainBinaryMlp({ sample, inputNames: names, hidden: [8], epochs: 2, seed: 3 });
    const layers = denseLayerSpecs(trained.model);
    const weights = flattenDenseWeights(trained.model);
    const bundle = await buildBundle(
      {
        format: 'hepml-bundle',
        formatVersion: 1,
        name: 'round-trip',
        task: 'electron-id',
        description: 'integration test model',
        inputs: trained.inputs,
        outputs: [{ name: 'score', kind: 'score', unit: '1' }],
        architecture: {
          kind: 'mlp',
          inputSize: names.length,
          layers,
          parameters: mlpParameterCount(names.length, layers),
        },
        weights: 'weights.bin',
        metrics: { auc: 0.5 },
        workingPoints: [],
        lineage: { datasetHash: 'it', codeVersion: 'it', seed: 3, createdAt: new Date().toISOString(), backend: 'cpu' },
      },
      new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
    );
    rows = Array.from({ length: 64 }, (_, r) =>
      Object.fromEntries(names.map((n) => [n, sample.columns[n]?.[r] as number])),
    );
    const raw = Float32Array.from(rows.flatMap((row) => names.map((n) => row[n] as number)));
    expected = predictRaw(trained.model, trained.inputs, raw);
    trained.model.dispose();

    await applyMigrations(persistTo);
    await withPlatform(persistTo, async ({ db, store }) =>
      publishBundle(db, store, bundle, { actor: await systemPrincipal(db), visibility: 'public' }),
    );
    api = await startWorker({ config: API_CONFIG, port: await freePort(), persistTo, readyPath: '/v2/health/live' });
  });

  it('lists the published model', async () => {
    const res = await fetch(`${api?.url}/v1/models`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { models: { name: string; latestVersion: number }[] };
    expect(body.models.map((m) => m.name)).toEqual(['round-trip']);
  });

  it('returns the in-process tfjs scores within 1e-5', async () => {
    const res = await fetch(`${api?.url}/v1/models/round-trip/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rows }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { scores: number[]; version: number };
    expect(body.version).toBe(1);
    expect(body.scores).toHaveLength(rows.length);
    let worst = 0;
    for (const [i, s] of body.scores.entries()) worst = Math.max(worst, Math.abs(s - (expected[i] as number)));
    expect(worst).toBeLessThan(1e-5);
    // The scores must not be constant: a broken model would pass the tolerance trivially.
    expect(Math.max(...body.scores) - Math.min(...body.scores)).toBeGreaterThan(0.05);
  });

  it('answers a missing input with 400 naming the field', async () => {
    const { eta: _dropped, ...rest } = rows[0] as Record<string, number>;
    const res = await fetch(`${api?.url}/v1/models/round-trip/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rows: [rest] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe('rows[0].eta');
  });
});

// Scale factors (contract C3: bundle `calibration.scaleFactors`, a correctionlib v2 file) in
// predictions and on their own endpoint.
import { env } from 'cloudflare:workers';
import { sha256Hex } from '@hepml/models/bundle';
import {
  ANONYMOUS,
  encodeScaleFactorTables,
  openRegistry,
  resolveVersion,
  scaleFactorsOf,
} from '@hepml/models/registry';
import {
  type CorrectionSetV2,
  evaluateCorrection,
  type ScaleFactorTable,
  scaleFactorsToCorrectionSet,
  validateCorrectionSet,
} from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { errorOf, get, post } from '../../test/api.ts';
import { mlpBundle, publish, tokenFor } from '../../test/fixtures.ts';
import { evaluateScaleFactor, scaleFactorLookups, tabulateScaleFactors } from '../lib/scale-factors.ts';

const WPS = [
  { name: 'loose', signalEfficiency: 0.95, threshold: 0.2, backgroundEfficiency: 0.3 },
  { name: 'medium', signalEfficiency: 0.85, threshold: 0.5, backgroundEfficiency: 0.1 },
  { name: 'tight', signalEfficiency: 0.7, threshold: 0.8, backgroundEfficiency: 0.02 },
];

const eff = { value: 0.9, errorLow: 0.01, errorHigh: 0.01, passed: 90, total: 100 };

function table(name: string, shift: number): ScaleFactorTable {
  const ptEdges = [10, 20, 50];
  const absEtaEdges = [0, 1.37, 2.47];
  return {
    name,
    ptEdges,
    absEtaEdges,
    values: [
      [0.95 + shift, 0.9 + shift],
      [0.99 + shift, 0.97 + shift],
    ],
    stat: [
      [0.03, 0.05],
      [0.01, 0.02],
    ],
    syst: [
      [0.04, 0.12],
      [0.0, 0.02],
    ],
    systBySource: {},
    effData: [
      [eff, eff],
      [eff, eff],
    ],
    effMc: [
      [eff, eff],
      [eff, eff],
    ],
    provenance: { data: 'toy-data', mc: 'toy-mc', method: 'tag-and-probe' },
  };
}

function correctionSet(prefix: string): CorrectionSetV2 {
  const medium = scaleFactorsToCorrectionSet(table(`${prefix}-medium`, 0), { openLastPtBin: true });
  const tight = scaleFactorsToCorrectionSet(table(`${prefix}-tight`, -0.05), { openLastPtBin: true });
  return { schema_version: 2, corrections: [...medium.corrections, ...tight.corrections] };
}

const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

async function publishWithSf(name: string, file: Uint8Array = encode(correctionSet(name))) {
  const bundle = await mlpBundle({
    name,
    workingPoints: WPS,
    extraFiles: { 'scale-factors.json': file },
    manifestExtra: { calibration: { scaleFactors: 'scale-factors.json' } },
  });
  await publish(bundle);
  return bundle;
}

interface SfAnswer {
  workingPoint?: string;
  predictions: {
    score: number;
    scaleFactor?: { workingPoint: string; value: number; uncertainty: number; up: number; down: number };
  }[];
}

describe('scale factors in predictions', () => {
  it('returns the SF and its uncertainty at the chosen working point when the row gives pt and eta', async () => {
    await publishWithSf('sf-tagger');
    const set = correctionSet('sf-tagger');
    const rows = [
      { et: 41, eta: 0.3, reta: 0.95, pt: 15 },
      { et: 30, eta: -1.9, reta: 0.9, pt: 300 },
      { et: 30, eta: -1.9, reta: 0.9 },
    ];
    const res = await post('/v1/models/sf-tagger/predict', { rows });
    expect(res.status).toBe(200);
    const body = (await res.json()) as SfAnswer;
    expect(body.workingPoint).toBe('medium');
    const [a, b, c] = body.predictions;
    expect(a?.scaleFactor).toMatchObject({ workingPoint: 'medium', value: 0.95 });
    // Uncertainty = √(stat² + syst²) of the bin: 0.03 ⊕ 0.04 = 0.05.
    expect(a?.scaleFactor?.uncertainty).toBeCloseTo(0.05, 12);
    // pt = 300 GeV falls in the open last bin, |η| = 1.9 in the second: 0.97 ± 0.02√2.
    expect(b?.scaleFactor?.value).toBe(
      evaluateCorrection(set, 'sf-tagger-medium', { syst: 'nominal', pt: 300, abseta: 1.9 }),
    );
    expect(b?.scaleFactor?.value).toBe(0.97);
    expect(b?.scaleFactor?.uncertainty).toBeCloseTo(Math.hypot(0.02, 0.02), 12);
    // No pt in the row: no scale factor, the score is still there.
    expect(c?.scaleFactor).toBeUndefined();
    expect(typeof c?.score).toBe('number');

    const tight = (await (
      await post('/v1/models/sf-tagger/predict', { rows: rows.slice(0, 1), workingPoint: 'tight' })
    ).json()) as SfAnswer;
    expect(tight.predictions[0]?.scaleFactor).toMatchObject({ workingPoint: 'tight' });
    expect(tight.predictions[0]?.scaleFactor?.value).toBeCloseTo(0.9, 12);

    const columns = { et: [41], eta: [0.3], reta: [0.95], pt: [15] };
    const byColumns = (await (await post('/v1/models/sf-tagger/predict', { columns })).json()) as SfAnswer;
    expect(byColumns.predictions[0]?.scaleFactor).toEqual(a?.scaleFactor);

    // A working point of the model without scale factors, and one it does not have, are named errors.
    const loose = await post('/v1/models/sf-tagger/predict', { rows, workingPoint: 'loose' });
    expect(loose.status).toBe(400);
    expect((await errorOf(loose)).field).toBe('workingPoint');
  });

  it('refuses pt in a row when the model has no scale factors', async () => {
    await publish(await mlpBundle({ name: 'no-sf', workingPoints: WPS }));
    const res = await post('/v1/models/no-sf/predict', { rows: [{ et: 41, eta: 0.3, reta: 0.95, pt: 15 }] });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).field).toBe('rows[0].pt');
  });

  it('serves the tables as JSON and the correctionlib file as published', async () => {
    const bundle = await publishWithSf('sf-served');
    const res = await get('/v1/models/sf-served/scale-factors');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      version: number;
      tables: { workingPoint: string; ptEdges: (number | null)[]; bins: { value: number; uncertainty: number }[] }[];
    };
    expect(body.version).toBe(1);
    expect(body.tables.map((t) => t.workingPoint)).toEqual(['medium', 'tight']);
    const medium = body.tables[0];
    expect(medium?.ptEdges).toEqual([10, 20, null]);
    expect(medium?.bins.map((b) => b.value)).toEqual([0.95, 0.9, 0.99, 0.97]);
    expect(medium?.bins[1]?.uncertainty).toBeCloseTo(0.13, 12);
    const file = await get('/v1/models/sf-served/scale-factors?format=correctionlib&version=1');
    expect(file.status).toBe(200);
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(bytes).toEqual(bundle.files.get('scale-factors.json'));
    // The served file is a valid correctionlib v2 document.
    expect(validateCorrectionSet(JSON.parse(new TextDecoder().decode(bytes))).corrections).toHaveLength(2);
    expect((await get('/v1/models/sf-served/scale-factors?format=yaml')).status).toBe(400);
  });

  it('refuses a version whose scale-factor file is malformed or altered (503, never served)', async () => {
    const broken = encode({ schema_version: 2, corrections: [{ name: 'x', version: 1 }] });
    // The registry may already refuse it at publish (naming the file); if it lets it through, the
    // edge must refuse to serve it.
    const refusedAtPublish = await publishWithSf('sf-broken', broken).then(
      () => null,
      (err: Error) => err.message,
    );
    if (refusedAtPublish !== null) expect(refusedAtPublish).toContain('scale-factors.json');
    const res = await post('/v1/models/sf-broken/predict', { rows: [{ et: 41, eta: 0.3, reta: 0.95 }] });
    expect(res.status).toBe(refusedAtPublish === null ? 503 : 404);
    if (refusedAtPublish === null) {
      expect(await errorOf(res)).toEqual({ code: 'model_unavailable', message: 'this model version is unavailable' });
    }

    // A consistent version (every hash matches) whose scale-factor file violates the schema, as if
    // written past the registry's checks: the edge validates it itself and refuses to serve it.
    await publishWithSf('sf-rewritten');
    const v = await resolveVersion(openRegistry(env.DB), 'sf-rewritten', 1);
    const bad = encode({ schema_version: 2, corrections: [{ name: 'x', version: 1 }] });
    const badSha = await sha256Hex(bad);
    const manifest = {
      ...v.manifest,
      files: v.manifest.files.map((f) =>
        f.path === 'scale-factors.json' ? { ...f, bytes: bad.byteLength, sha256: badSha } : f,
      ),
    };
    const manifestBytes = encode(manifest);
    const manifestSha = await sha256Hex(manifestBytes);
    await env.MODELS.put(v.files['scale-factors.json']?.r2Key ?? '', bad);
    await env.MODELS.put(v.files['manifest.json']?.r2Key ?? '', manifestBytes);
    await env.DB.batch([
      env.DB.prepare('update artifacts set bytes = ?, sha256 = ? where r2_key = ?').bind(
        bad.byteLength,
        badSha,
        v.files['scale-factors.json']?.r2Key ?? '',
      ),
      env.DB.prepare('update artifacts set bytes = ?, sha256 = ? where r2_key = ?').bind(
        manifestBytes.byteLength,
        manifestSha,
        v.files['manifest.json']?.r2Key ?? '',
      ),
      env.DB.prepare(
        'update model_versions set manifest_sha256 = ? where model_id = (select id from models where name = ?)',
      ).bind(manifestSha, 'sf-rewritten'),
    ]);
    const rewritten = await post('/v1/models/sf-rewritten/predict', { rows: [{ et: 41, eta: 0.3, reta: 0.95 }] });
    expect(rewritten.status).toBe(503);
    expect((await errorOf(rewritten)).code).toBe('model_unavailable');

    await publishWithSf('sf-tampered');
    const resolved = await resolveVersion(openRegistry(env.DB), 'sf-tampered', 1);
    const key = resolved.files['scale-factors.json']?.r2Key ?? '';
    const text = new TextDecoder().decode(await (await env.MODELS.get(key))?.arrayBuffer());
    await env.MODELS.put(key, text.replace('0.95', '1.95'));
    const tampered = await get('/v1/models/sf-tampered/scale-factors');
    expect(tampered.status).toBe(503);
    expect(await (await get('/v1/models/sf-tampered/scale-factors?format=correctionlib')).text()).not.toContain('1.95');
  });
});

describe('scale-factor lookups', () => {
  it('finds a working point through a wp input as well as by correction name', () => {
    const sf = (v: number) => ({
      nodetype: 'multibinning' as const,
      inputs: ['pt', 'eta'],
      edges: [
        [20, 100],
        [-2.5, 0, 2.5],
      ],
      content: [v, v + 0.01],
      flow: 'clamp' as const,
    });
    const set = validateCorrectionSet({
      schema_version: 2,
      corrections: [
        {
          name: 'btag',
          version: 1,
          inputs: [
            { name: 'working_point', type: 'string' },
            { name: 'pt', type: 'real' },
            { name: 'eta', type: 'real' },
          ],
          output: { name: 'weight', type: 'real' },
          data: {
            nodetype: 'category',
            input: 'working_point',
            content: [
              { key: 'medium', value: sf(0.93) },
              { key: 'tight', value: sf(0.88) },
            ],
          },
        },
      ],
    });
    const lookups = scaleFactorLookups(set, ['loose', 'medium', 'tight']);
    expect([...lookups.keys()]).toEqual(['medium', 'tight']);
    const tight = lookups.get('tight');
    if (!tight) throw new Error('no tight lookup');
    // Signed η: the negative half is the first bin.
    expect(evaluateScaleFactor(tight, 50, -1)).toEqual({
      workingPoint: 'tight',
      value: 0.88,
      uncertainty: 0,
      up: 0.88,
      down: 0.88,
    });
    expect(evaluateScaleFactor(tight, 50, 1).value).toBe(0.89);
    expect(tabulateScaleFactors(tight)?.bins.map((b) => b.value)).toEqual([0.88, 0.89]);
  });
});

describe('POST /v1/models/{name}/versions/{v}/scale-factors', () => {
  it('attaches scale factors as a new version whose predictions carry them; the old one stays as it was', async () => {
    const owner = 'sf-owner';
    const bundle = await mlpBundle({ name: 'sf-attach', workingPoints: WPS });
    await publish(bundle, { owner });
    const token = await tokenFor(owner, ['read', 'publish']);
    const row = { et: 41, eta: 0.3, reta: 0.95, pt: 15 };
    // Before: the model has no scale factors, so pt is refused.
    expect((await post('/v1/models/sf-attach/predict', { rows: [row] })).status).toBe(400);

    const set = correctionSet('sf-attach');
    const tables = JSON.parse(
      new TextDecoder().decode(
        encodeScaleFactorTables([
          { workingPoint: 'medium', table: table('sf-attach-medium', 0) },
          { workingPoint: 'tight', table: table('sf-attach-tight', -0.05) },
        ]),
      ),
    );
    const res = await post('/v1/models/sf-attach/versions/1/scale-factors', { correctionlib: set, tables }, token);
    expect(res.status).toBe(201);
    const created = (await res.json()) as { version: number; parentVersion: number; files: { path: string }[] };
    expect(created).toMatchObject({ version: 2, parentVersion: 1 });
    expect(created.files.map((f) => f.path)).toEqual(expect.arrayContaining(['scale-factors.json', 'weights.bin']));

    const latest = (await (await post('/v1/models/sf-attach/predict', { rows: [row] })).json()) as SfAnswer;
    expect(latest.predictions[0]?.scaleFactor).toMatchObject({ workingPoint: 'medium', value: 0.95 });
    expect(latest.predictions[0]?.scaleFactor?.uncertainty).toBeCloseTo(0.05, 12);
    // Same network: the score is the one version 1 gives.
    const v1 = await post('/v1/models/sf-attach/versions/1/predict', { rows: [{ et: 41, eta: 0.3, reta: 0.95 }] });
    expect(((await v1.json()) as SfAnswer).predictions[0]?.score).toBe(latest.predictions[0]?.score);
    // The tables went into the registry with the version (the dashboard's heatmap reads them).
    const db = openRegistry(env.DB);
    const stored = await scaleFactorsOf(db, 'sf-attach', 2, ANONYMOUS);
    expect(stored.map((t) => t.workingPoint).sort()).toEqual(['medium', 'tight']);
    // Lineage: version 2 names version 1 as its parent.
    const versions = (await (await get('/v1/models/sf-attach/versions')).json()) as {
      versions: { version: number; parentVersion: number | null }[];
    };
    expect(versions.versions.find((v) => v.version === 2)?.parentVersion).toBe(1);
  });

  it('needs the owner with the publish scope, and names the field of a bad document', async () => {
    await publish(await mlpBundle({ name: 'sf-attach-refused', workingPoints: WPS }), { owner: 'sf-owner-2' });
    const owner = await tokenFor('sf-owner-2', ['read', 'publish']);
    const reader = await tokenFor('sf-owner-2', ['read']);
    const stranger = await tokenFor('sf-stranger', ['read', 'publish']);
    const path = '/v1/models/sf-attach-refused/versions/1/scale-factors';
    const good = { correctionlib: correctionSet('sf-attach-refused') };
    expect((await post(path, good)).status).toBe(401);
    expect((await post(path, good, reader)).status).toBe(403);
    expect((await post(path, good, stranger)).status).toBe(403);

    const broken = structuredClone(good.correctionlib) as unknown as { corrections: { inputs: unknown }[] };
    (broken.corrections[0] as { inputs: unknown }).inputs = 'pt';
    const bad = await post(path, { correctionlib: broken }, owner);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).field).toMatch(/^correctionlib\.corrections\[0\]\.inputs/);
    const badTables = await post(path, { ...good, tables: { format: 'hepml-scale-factors', formatVersion: 2 } }, owner);
    expect(badTables.status).toBe(400);
    expect((await errorOf(badTables)).field).toBe('tables');
    // Scale factors of other working points, and for a model without working points, are refused.
    const foreign = {
      schema_version: 2,
      corrections: correctionSet('sf-attach-refused').corrections.map((c) => ({
        ...c,
        name: c.name.replace(/-(medium|tight)$/, '-$1-other'),
      })),
    };
    const mismatch = await post(path, { correctionlib: foreign }, owner);
    expect(mismatch.status).toBe(400);
    expect((await errorOf(mismatch)).field).toBe('correctionlib.corrections');
    await publish(
      await mlpBundle({
        name: 'sf-attach-regression',
        outputs: [{ name: 'energy', kind: 'energy', unit: 'GeV' }],
        lastActivation: 'linear',
      }),
      { owner: 'sf-owner-2' },
    );
    const regression = await post('/v1/models/sf-attach-regression/versions/1/scale-factors', good, owner);
    expect(regression.status).toBe(400);
    expect((await errorOf(regression)).code).toBe('no_working_points');
    const extra = await post(path, { ...good, note: 'x' }, owner);
    expect(extra.status).toBe(400);
    // Nothing was published by the refused requests.
    const versions = (await (await get('/v1/models/sf-attach-refused/versions')).json()) as { versions: unknown[] };
    expect(versions.versions).toHaveLength(1);
    expect((await post(path, good, owner)).status).toBe(201);
  });
});

// Storage persists across the tests of a file here, so each test publishes under its own name.
import { createRunner } from '@hepml/models/runtime';
import { describe, expect, it } from 'vitest';
import { errorOf, get, post } from '../../test/api.ts';
import { mlpBundle, publish } from '../../test/fixtures.ts';

const WPS = [
  { name: 'loose', signalEfficiency: 0.95, threshold: 0.2, backgroundEfficiency: 0.3 },
  { name: 'medium', signalEfficiency: 0.85, threshold: 0.5, backgroundEfficiency: 0.1 },
  { name: 'tight', signalEfficiency: 0.7, threshold: 0.8, backgroundEfficiency: 0.02 },
];

/** Three substructure inputs of the boosted-jet test taggers. */
const JET_INPUTS = [
  { name: 'mass', unit: 'GeV', offset: 90, scale: 40 },
  { name: 'tau21', unit: '1', offset: 0.5, scale: 0.2 },
  { name: 'tau32', unit: '1', offset: 0.6, scale: 0.2 },
];

const ROWS = [
  { et: 41.2, eta: 0.3, reta: 0.95 },
  { et: 12, eta: -2.1, reta: 0.8 },
  { et: 80, eta: 1.1, reta: 0.97 },
  { et: 25, eta: -0.4, reta: 0.91 },
];

function inProcess(bundle: Awaited<ReturnType<typeof mlpBundle>>, rows: Record<string, number>[]): Float32Array {
  const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
  const k = bundle.manifest.inputs.length;
  const x = new Float32Array(rows.length * k);
  rows.forEach((r, i) => {
    bundle.manifest.inputs.forEach((inp, j) => {
      x[i * k + j] = r[inp.name] as number;
    });
  });
  return runner.predict(x, rows.length);
}

interface Answer {
  model: string;
  version: number;
  n: number;
  scores: number[];
  outputs: Record<string, number[]>;
  predictions: { score: number; decisions: Record<string, boolean>; energy?: number }[];
}

describe('POST /v1/models/{name}[/versions/{v}]/predict', () => {
  it('answers a tagger with score and the decision at each working point, per row', async () => {
    const bundle = await mlpBundle({ name: 'wp-tagger', workingPoints: WPS });
    await publish(bundle);
    const res = await post('/v1/models/wp-tagger/predict', { rows: ROWS });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-hepml-version')).toBe('1');
    const body = (await res.json()) as Answer;
    const expected = inProcess(bundle, ROWS);
    expect(body.n).toBe(4);
    expect(body.outputs.score).toHaveLength(4);
    for (const [i, p] of body.predictions.entries()) {
      expect(p.score).toBeCloseTo(expected[i] as number, 6);
      expect(body.scores[i]).toBe(p.score);
      for (const wp of WPS) expect(p.decisions[wp.name]).toBe(p.score >= wp.threshold);
    }
    // The decisions are not all alike: the fixed weights spread the scores across the thresholds.
    const tight = body.predictions.map((p) => p.decisions.tight);
    const loose = body.predictions.map((p) => p.decisions.loose);
    expect(new Set([...tight, ...loose]).size).toBe(2);
  });

  it('gives the same answer for columns as for rows', async () => {
    const bundle = await mlpBundle({ name: 'columnar', workingPoints: WPS });
    await publish(bundle);
    const columns = { et: ROWS.map((r) => r.et), eta: ROWS.map((r) => r.eta), reta: ROWS.map((r) => r.reta) };
    const byRows = (await (await post('/v1/models/columnar/predict', { rows: ROWS })).json()) as Answer;
    const res = await post('/v1/models/columnar/predict', { columns });
    expect(res.status).toBe(200);
    const byColumns = (await res.json()) as Answer;
    expect(byColumns.predictions).toEqual(byRows.predictions);
  });

  it('resolves latest to the newest active version and serves a named version on its own path', async () => {
    await publish(await mlpBundle({ name: 'versioned', phase: 0.1 }));
    const v2 = await mlpBundle({ name: 'versioned', phase: 1.4 });
    await publish(v2);
    const latest = (await (await post('/v1/models/versioned/predict', { rows: ROWS })).json()) as Answer;
    const named = (await (await post('/v1/models/versioned/versions/latest/predict', { rows: ROWS })).json()) as Answer;
    const first = await post('/v1/models/versioned/versions/1/predict', { rows: ROWS });
    expect(first.headers.get('x-hepml-version')).toBe('1');
    const v1 = (await first.json()) as Answer;
    expect(latest.version).toBe(2);
    expect(named.version).toBe(2);
    expect(v1.version).toBe(1);
    expect(latest.scores[0]).toBeCloseTo(inProcess(v2, ROWS)[0] as number, 6);
    expect(v1.scores[0]).not.toBeCloseTo(latest.scores[0] as number, 3);
    const missing = await post('/v1/models/versioned/versions/7/predict', { rows: ROWS });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).field).toBe('version');
  });

  it('returns the energy (GeV) of a regression model', async () => {
    const bundle = await mlpBundle({
      name: 'energy-reg',
      task: 'energy-regression',
      inputs: [
        { name: 'eRaw', unit: 'GeV', offset: 50, scale: 30 },
        { name: 'eta', unit: '1', offset: 0, scale: 1.5 },
      ],
      outputs: [{ name: 'energy', kind: 'energy', unit: 'GeV' }],
      lastActivation: 'linear',
    });
    await publish(bundle);
    const rows = [
      { eRaw: 42, eta: 0.2 },
      { eRaw: 120, eta: -1.7 },
    ];
    const res = await post('/v1/models/energy-reg/predict', { rows });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Answer;
    const expected = inProcess(bundle, rows);
    expect(body.scores).toBeUndefined();
    expect(body.predictions[1]?.energy).toBeCloseTo(expected[1] as number, 5);
    expect(body.outputs.energy?.[0]).toBeCloseTo(expected[0] as number, 5);
  });

  it('takes the multi-class tagger score from the class the evaluation names', async () => {
    const bundle = await mlpBundle({
      name: 'boosted-3class',
      task: 'boosted-jet',
      inputs: JET_INPUTS,
      outputs: [
        { name: 'p_w', kind: 'class-score', unit: '1' },
        { name: 'p_top', kind: 'class-score', unit: '1' },
        { name: 'p_qcd', kind: 'class-score', unit: '1' },
      ],
      lastActivation: 'softmax',
      workingPoints: WPS,
      manifestExtra: { evaluation: { split: { train: 10, validation: 5, test: 5 }, reference: 'p_top' } },
    });
    await publish(bundle);
    const rows = [
      { mass: 80, tau21: 0.3, tau32: 0.8 },
      { mass: 172, tau21: 0.6, tau32: 0.4 },
    ];
    const res = await post('/v1/models/boosted-3class/predict', { rows });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Answer;
    const expected = inProcess(bundle, rows);
    for (let r = 0; r < 2; r++) {
      expect(body.scores[r]).toBeCloseTo(expected[r * 3 + 1] as number, 6);
      expect(body.outputs.p_top?.[r]).toBe(body.scores[r]);
      const sum = (body.outputs.p_w?.[r] ?? 0) + (body.outputs.p_top?.[r] ?? 0) + (body.outputs.p_qcd?.[r] ?? 0);
      expect(sum).toBeCloseTo(1, 6);
    }
  });

  it('serves the W-against-QCD discriminant p_w/(p_w + p_qcd) as the score, and decides on it', async () => {
    const bundle = await mlpBundle({
      name: 'boosted-wqcd',
      task: 'boosted-jet',
      inputs: JET_INPUTS,
      outputs: [
        { name: 'p_qcd', kind: 'class-score', unit: '1' },
        { name: 'p_w', kind: 'class-score', unit: '1' },
        { name: 'p_top', kind: 'class-score', unit: '1' },
        { name: 'w_vs_qcd', kind: 'score', unit: '1', discriminant: { signal: ['p_w'], background: ['p_qcd'] } },
      ],
      lastActivation: 'softmax',
      workingPoints: WPS,
      manifestExtra: { evaluation: { split: { train: 10, validation: 5, test: 5 }, reference: 'w_vs_qcd' } },
    });
    await publish(bundle);
    const rows = [
      { mass: 80, tau21: 0.3, tau32: 0.8 },
      { mass: 172, tau21: 0.6, tau32: 0.4 },
      { mass: 30, tau21: 0.9, tau32: 0.9 },
    ];
    const res = await post('/v1/models/boosted-wqcd/predict', { rows });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Answer;
    for (let r = 0; r < rows.length; r++) {
      const pw = body.outputs.p_w?.[r] as number;
      const pq = body.outputs.p_qcd?.[r] as number;
      expect(body.scores[r]).toBeCloseTo(pw / (pw + pq), 6);
      expect(body.outputs.w_vs_qcd?.[r]).toBe(body.scores[r]);
      for (const wp of WPS)
        expect(body.predictions[r]?.decisions[wp.name]).toBe((body.scores[r] as number) >= wp.threshold);
    }
    const v2 = await post('/v2/models/boosted-wqcd/infer', {
      inputs: [
        { name: 'mass', shape: [1], datatype: 'FP32', data: [80] },
        { name: 'tau21', shape: [1], datatype: 'FP32', data: [0.3] },
        { name: 'tau32', shape: [1], datatype: 'FP32', data: [0.8] },
      ],
    });
    expect(v2.status).toBe(200);
    const infer = (await v2.json()) as { outputs: { name: string; data: number[] }[] };
    expect(infer.outputs.find((o) => o.name === 'w_vs_qcd')?.data[0]).toBeCloseTo(body.scores[0] as number, 6);
  });

  it('names the field of every bad input with a 4xx', async () => {
    await publish(await mlpBundle({ name: 'strict', workingPoints: WPS }));
    const cases: [unknown, number, string][] = [
      [{ rows: [{ et: 40, eta: 0.1, reta: 0.9, foo: 1 }] }, 400, 'rows[0].foo'],
      [{ rows: [{ et: 40, eta: 0.1 }] }, 400, 'rows[0].reta'],
      [{ rows: [{ et: 40, eta: null, reta: 0.9 }] }, 400, 'rows[0].eta'],
      [{ rows: [] }, 400, 'rows'],
      [{}, 400, 'rows'],
      [{ rows: ROWS, columns: { et: [1] } }, 400, 'columns'],
      [{ columns: { et: [1, 2], eta: [1], reta: [1, 2] } }, 400, 'columns.eta'],
      [{ columns: { et: [1], eta: [1] } }, 400, 'columns.reta'],
      [{ columns: { et: [1], eta: [1], reta: [1], x: [2] } }, 400, 'columns.x'],
      [{ rows: ROWS, extra: true }, 400, 'extra'],
      [{ rows: ROWS, workingPoint: 'ultra' }, 400, 'workingPoint'],
      [{ rows: ROWS, image: { shape: [4, 2, 2, 1], data: new Array(16).fill(0) } }, 400, 'image'],
      [{ rows: 'et=40' }, 400, 'rows'],
      [[1, 2], 400, 'body'],
    ];
    for (const [body, status, field] of cases) {
      const res = await post('/v1/models/strict/predict', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const error = await errorOf(res);
      expect(error.field, JSON.stringify(body)).toBe(field);
      expect(error.message.length).toBeGreaterThan(0);
    }
    const inf = await post('/v1/models/strict/predict', '{"columns":{"et":[1e999],"eta":[0],"reta":[0.9]}}');
    expect(inf.status).toBe(400);
    expect((await errorOf(inf)).field).toBe('columns.et[0]');
  });

  it('answers 413 for a batch over MAX_BATCH_ROWS and for a body over MAX_BODY_BYTES', async () => {
    await publish(await mlpBundle({ name: 'limits' }));
    const rows = Array.from({ length: 10_001 }, () => ({ et: 40, eta: 0.1, reta: 0.9 }));
    const big = await post('/v1/models/limits/predict', { rows });
    expect(big.status).toBe(413);
    expect(await errorOf(big)).toMatchObject({ code: 'batch_too_large', field: 'rows' });
    const ok = await post('/v1/models/limits/predict', { rows: rows.slice(0, 10_000) });
    expect(ok.status).toBe(200);
    const huge = await post('/v1/models/limits/predict', `{"rows":[],"pad":"${'x'.repeat(16 * 1024 * 1024)}"}`);
    expect(huge.status).toBe(413);
    expect(await errorOf(huge)).toMatchObject({ code: 'payload_too_large', field: 'body' });
  });
});

describe('GET /v1/models/{name} and /versions/{v}', () => {
  it('describes the model: inputs with units, outputs, working points, metrics, versions', async () => {
    await publish(await mlpBundle({ name: 'described', workingPoints: WPS }));
    await publish(await mlpBundle({ name: 'described', workingPoints: WPS, phase: 2 }));
    const res = await get('/v1/models/described');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & { versions: { version: number }[] };
    expect(body).toMatchObject({
      name: 'described',
      task: 'electron-id',
      version: 2,
      latestVersion: 2,
      visibility: 'public',
      architecture: 'mlp',
      inputs: [
        { name: 'et', unit: 'GeV' },
        { name: 'eta', unit: '1' },
        { name: 'reta', unit: '1' },
      ],
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      workingPoints: WPS,
      metrics: { auc: 0.91, bkgEffAt92: 0.05 },
      scaleFactors: false,
    });
    expect(body.versions.map((v) => v.version)).toEqual([2, 1]);
    const v1 = await get('/v1/models/described/versions/1');
    expect(v1.status).toBe(200);
    expect(await v1.json()).toMatchObject({ name: 'described', version: 1, status: 'active' });
    const latest = (await (await get('/v1/models/described/versions/latest')).json()) as { version: number };
    expect(latest.version).toBe(2);
    expect((await get('/v1/models/described/versions/0')).status).toBe(400);
    expect((await get('/v1/models/described/versions/3')).status).toBe(404);
    expect((await get('/v1/models/no-such-model')).status).toBe(404);
  });

  it('filters the list by task', async () => {
    await publish(await mlpBundle({ name: 'bjet-one', task: 'bjet' }));
    const res = await get('/v1/models?task=bjet');
    const body = (await res.json()) as { models: { name: string; task: string }[] };
    expect(body.models.map((m) => m.name)).toContain('bjet-one');
    expect(body.models.every((m) => m.task === 'bjet')).toBe(true);
    expect((await get('/v1/models?task=')).status).toBe(400);
    expect((await get('/v1/models?colour=red')).status).toBe(400);
  });
});

/**
 * Test data of the browser tests, written through the registry's own publish path: taggers and
 * baselines for every task with analytic ROC curves, a regression, private models of a second user,
 * and a scale-factor table. Every figure is computed here from closed forms so tests can assert it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attachTaskFile, parseTaskJson, type TaskV1 } from '@hepml/models';
import { buildBundle, type DenseLayerV1, mlpParameterCount } from '@hepml/models/bundle';
import type { BlobStore } from '@hepml/models/registry';
import {
  createToken,
  ensureUser,
  type Principal,
  publishBundle,
  type RegistryDb,
  systemPrincipal,
} from '@hepml/models/registry';
import { ROOT } from '../../scripts/local-stack.ts';

/** Inputs of every seeded tagger: raw x enters the network as (x − offset) / scale. */
export const TAGGER_INPUTS = [
  { name: 'et', unit: 'GeV', offset: 40, scale: 10, description: 'transverse energy of the cluster' },
  { name: 'reta', unit: '1', offset: 0.9, scale: 0.05, description: 'E(3×7)/E(7×7) in the second layer' },
];

/** Weights of the one-layer taggers: kernel [w_et, w_reta], bias b. */
export const TAGGER_WEIGHTS = [0.8, 1.5, -0.2];

/** The score the seeded taggers give: σ(w·(x − offset)/scale + b). */
export function taggerScore(et: number, reta: number): number {
  const [w0, w1, b] = TAGGER_WEIGHTS as [number, number, number];
  const z = (w0 * (et - 40)) / 10 + (w1 * (reta - 0.9)) / 0.05 + b;
  return 1 / (1 + Math.exp(-z));
}

/**
 * A ROC family with closed-form figures: εB = εS^k. AUC = ∫(1 − εB) dεS = k/(k+1),
 * εB(92 %) = 0.92^k, 1/εB(50 %) = 2^k.
 */
export function powerRoc(k: number) {
  // 21 points: the registry writes a ROC in one INSERT, and D1 binds at most 100 variables per statement.
  const signalEfficiency = Array.from({ length: 21 }, (_, i) => i / 20);
  return {
    roc: { signalEfficiency, backgroundEfficiency: signalEfficiency.map((s) => s ** k) },
    metrics: { auc: k / (k + 1), bkgEffAt92: 0.92 ** k, rejectionAt50: 2 ** k },
  };
}

/** Histogram fractions of a binned Beta-like shape (sums to 1): x^a (1 − x)^b at the bin centres. */
function shape(bins: number, a: number, b: number): number[] {
  const raw = Array.from({ length: bins }, (_, i) => ((i + 0.5) / bins) ** a * (1 - (i + 0.5) / bins) ** b);
  const sum = raw.reduce((x, y) => x + y, 0);
  return raw.map((x) => Math.max(0, Math.floor((x / sum) * 1e6) / 1e6));
}

/** The evaluation block seeded on `e2e-mlp`: overtraining histograms and a feature ranking. */
export const TAGGER_EVALUATION = {
  split: { train: 6000, validation: 2000, test: 2000 },
  reference: 'score',
  overtraining: {
    signal: { statistic: 0.021, pValue: 0.48 },
    background: { statistic: 0.018, pValue: 0.63 },
    histograms: {
      edges: Array.from({ length: 21 }, (_, i) => i / 20),
      trainSignal: shape(20, 4, 1),
      testSignal: shape(20, 4.2, 1),
      trainBackground: shape(20, 1, 4),
      testBackground: shape(20, 1, 4.3),
    },
  },
  featureRanking: {
    metric: 'auc' as const,
    repeats: 5,
    entries: [
      { input: 'reta', delta: 0.112, error: 0.004 },
      { input: 'et', delta: 0.031, error: 0.002 },
    ],
  },
};

interface TaggerSpec {
  name: string;
  task: string;
  k: number;
  kind?: 'network' | 'baseline';
  visibility?: 'public' | 'private';
  owner?: 'system' | 'alice';
  extraMetrics?: Record<string, number>;
}

/** What the tests know about the seeded registry. */
export interface Seeded {
  aliceToken: string;
  taggers: TaggerSpec[];
  /** Scale factors of `e2e-mlp` v1, working point `tight`: [ptBin][absEtaBin]. */
  scaleFactors: { ptEdges: number[]; absEtaEdges: number[]; values: number[][]; stat: number[][]; syst: number[][] };
}

export const TAGGERS: TaggerSpec[] = [
  { name: 'e2e-mlp', task: 'electron-id', k: 6, extraMetrics: { latencyUs: 3.2 } },
  { name: 'e2e-deep', task: 'electron-id', k: 8 },
  { name: 'e2e-cuts', task: 'electron-id', k: 2, kind: 'baseline' },
  { name: 'e2e-likelihood', task: 'electron-id', k: 4, kind: 'baseline' },
  { name: 'e2e-private', task: 'electron-id', k: 12, visibility: 'private', owner: 'alice' },
  { name: 'e2e-draft', task: 'electron-id', k: 3, visibility: 'private', owner: 'alice' },
  { name: 'e2e-bjet', task: 'bjet', k: 5 },
  { name: 'e2e-boosted', task: 'boosted-jet', k: 7 },
];

/**
 * Taggers of user tasks (issue 18): two public ones of the example task file
 * (`packages/models/tasks/nanoaod-jet-genmatch.json`, attached as the bundles' task.json) and a
 * private one of a task only alice can see.
 */
export const USER_TASK_TAGGERS: TaggerSpec[] = [
  { name: 'e2e-jets-mlp', task: 'nanoaod-jet-genmatch', k: 5 },
  { name: 'e2e-jets-cuts', task: 'nanoaod-jet-genmatch', k: 2, kind: 'baseline' },
  { name: 'e2e-secret-mlp', task: 'e2e-secret-task', k: 4, visibility: 'private', owner: 'alice' },
];

/** The example task file, renamed for the private task. */
function userTaskFile(name: string): TaskV1 {
  const file = parseTaskJson(readFileSync(join(ROOT, 'packages/models/tasks/nanoaod-jet-genmatch.json'), 'utf8'));
  return name === file.name ? file : { ...file, name, title: 'A secret task' };
}

async function taggerBundle(spec: TaggerSpec) {
  const layers: DenseLayerV1[] = [{ type: 'dense', units: 1, activation: 'sigmoid' }];
  const parameters = mlpParameterCount(TAGGER_INPUTS.length, layers);
  const { roc, metrics } = powerRoc(spec.k);
  return buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: spec.name,
      task: spec.task,
      description: `browser-test tagger with εB = εS^${spec.k}`,
      inputs: TAGGER_INPUTS,
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: { kind: 'mlp', inputSize: TAGGER_INPUTS.length, layers, parameters },
      weights: 'weights.bin',
      metrics: { ...metrics, ...spec.extraMetrics },
      workingPoints: [
        { name: 'loose', signalEfficiency: 0.95, threshold: 0.2, backgroundEfficiency: 0.95 ** spec.k },
        { name: 'tight', signalEfficiency: 0.8, threshold: 0.7, backgroundEfficiency: 0.8 ** spec.k },
      ],
      roc,
      ...(spec.name === 'e2e-mlp' ? { evaluation: TAGGER_EVALUATION } : {}),
      lineage: {
        datasetHash: `e2e-${spec.k}`,
        codeVersion: 'e2e',
        seed: spec.k,
        createdAt: '2026-11-01T00:00:00Z',
        backend: 'none',
      },
    },
    new Map([['weights.bin', new Uint8Array(new Float32Array(TAGGER_WEIGHTS).buffer)]]),
  );
}

async function regressionBundle() {
  const layers: DenseLayerV1[] = [{ type: 'dense', units: 1, activation: 'linear' }];
  const inputs = [
    { name: 'eRaw', unit: 'GeV', offset: 50, scale: 20, description: 'raw cluster energy' },
    { name: 'eta', unit: '1', offset: 0, scale: 1.5, description: 'pseudorapidity of the cluster' },
  ];
  return buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: 'e2e-regression',
      task: 'energy-regression',
      description: 'browser-test energy regression',
      inputs,
      outputs: [{ name: 'energy', kind: 'energy', unit: 'GeV' }],
      architecture: { kind: 'mlp', inputSize: 2, layers, parameters: mlpParameterCount(2, layers) },
      weights: 'weights.bin',
      metrics: { mae: 1.234, eIqr: 0.0321, rIqr: 0.87 },
      workingPoints: [],
      lineage: {
        datasetHash: 'e2e-reg',
        codeVersion: 'e2e',
        seed: 1,
        createdAt: '2026-11-01T00:00:00Z',
        backend: 'none',
      },
    },
    new Map([['weights.bin', new Uint8Array(new Float32Array([20, 0, 50]).buffer)]]),
  );
}

/** The scale factors seeded for `e2e-mlp`: SF = 0.95 + 0.01·i − 0.02·j with stat 0.01(i+1), syst 0.005(j+1). */
export function seededScaleFactors(): Seeded['scaleFactors'] {
  const ptEdges = [20, 35, 50, 100];
  const absEtaEdges = [0, 0.8, 1.37, 2.47];
  const grid = (f: (i: number, j: number) => number) =>
    [0, 1, 2].map((i) => [0, 1, 2].map((j) => Math.round(f(i, j) * 1e4) / 1e4));
  return {
    ptEdges,
    absEtaEdges,
    values: grid((i, j) => 0.95 + 0.01 * i - 0.02 * j),
    stat: grid((i) => 0.01 * (i + 1)),
    syst: grid((_, j) => 0.005 * (j + 1)),
  };
}

/** The part of a D1 binding the seed uses (the tests carry no Workers types). */
interface D1Statement {
  bind(...values: unknown[]): D1Statement;
  first<T>(): Promise<T | null>;
}
interface D1Like {
  prepare(sql: string): D1Statement;
  batch(statements: D1Statement[]): Promise<unknown>;
}

/**
 * Writes the table through the D1 binding itself (the tests package has no drizzle of its own):
 * the same rows a calibration publish writes into `scale_factor_tables` / `scale_factor_bins`.
 */
async function insertScaleFactors(db: RegistryDb, model: string, sf: Seeded['scaleFactors']): Promise<void> {
  // drizzle keeps the binding as `$client`; RegistryDb's type does not spell it out.
  const d1 = (db as RegistryDb & { $client: D1Like }).$client;
  const version = await d1
    .prepare(
      'select v.id as id from model_versions v join models m on m.id = v.model_id where m.name = ? and v.version = 1',
    )
    .bind(model)
    .first<{ id: number }>();
  if (!version) throw new Error(`seed: ${model} v1 not found`);
  const table = await d1
    .prepare(
      'insert into scale_factor_tables (version_id, working_point, data_sample, mc_sample) values (?, ?, ?, ?) returning id',
    )
    .bind(version.id, 'tight', 'pseudo-data Z→ee', 'Z→ee MC')
    .first<{ id: number }>();
  if (!table) throw new Error('seed: scale-factor table insert returned nothing');
  const insert = d1.prepare(
    'insert into scale_factor_bins (table_id, pt_lo, pt_hi, abs_eta_lo, abs_eta_hi, value, stat, syst, eff_data, eff_mc) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const statements = sf.values.flatMap((rowValues, i) =>
    rowValues.map((value, j) => {
      const effMc = 0.9 - 0.05 * j + 0.02 * i;
      return insert.bind(
        table.id,
        sf.ptEdges[i] ?? 0,
        i === sf.values.length - 1 ? null : (sf.ptEdges[i + 1] ?? null),
        sf.absEtaEdges[j] ?? 0,
        sf.absEtaEdges[j + 1] ?? 0,
        value,
        sf.stat[i]?.[j] ?? 0,
        sf.syst[i]?.[j] ?? 0,
        effMc * value,
        effMc,
      );
    }),
  );
  await d1.batch(statements);
}

/** Seeds the registry; returns alice's publish token and the seeded specs. */
export async function seedRegistry(db: RegistryDb, store: BlobStore): Promise<Seeded> {
  const system = await systemPrincipal(db);
  const aliceId = await ensureUser(db, 'alice');
  const { token: aliceToken } = await createToken(db, { userId: aliceId, name: 'e2e', scopes: ['read', 'publish'] });
  const alice: Principal = {
    userId: aliceId,
    userName: 'alice',
    isAdmin: false,
    scopes: ['read', 'publish'],
    collaborationIds: [],
  };
  for (const spec of TAGGERS) {
    await publishBundle(db, store, await taggerBundle(spec), {
      actor: spec.owner === 'alice' ? alice : system,
      kind: spec.kind ?? 'network',
      visibility: spec.visibility ?? 'public',
    });
  }
  for (const spec of USER_TASK_TAGGERS) {
    await publishBundle(db, store, await attachTaskFile(await taggerBundle(spec), userTaskFile(spec.task)), {
      actor: spec.owner === 'alice' ? alice : system,
      kind: spec.kind ?? 'network',
      visibility: spec.visibility ?? 'public',
    });
  }
  await publishBundle(db, store, await regressionBundle(), { actor: system, visibility: 'public' });
  const scaleFactors = seededScaleFactors();
  await insertScaleFactors(db, 'e2e-mlp', scaleFactors);
  return { aliceToken, taggers: TAGGERS, scaleFactors };
}

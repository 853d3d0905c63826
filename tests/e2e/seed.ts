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
  encodeScaleFactorTables,
  ensureUser,
  type Principal,
  publishBundle,
  type RegistryDb,
  systemPrincipal,
} from '@hepml/models/registry';
import {
  type BinEfficiency,
  clopperPearsonInterval,
  type ScaleFactorTable,
  scaleFactorsToCorrectionSet,
} from '@hepml/physics';
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
    events: { trainSignal: 3000, testSignal: 1000, trainBackground: 3000, testBackground: 1000 },
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
  /** Exponents k of versions published before this one (v1, v2, …; this spec is the newest). */
  earlier?: number[];
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
  { name: 'e2e-bjet', task: 'bjet', k: 5, earlier: [4] },
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
      ...(spec.name === 'e2e-mlp'
        ? {
            evaluation: TAGGER_EVALUATION,
            calibration: { scaleFactors: 'scale-factors.json', tables: 'scale-factor-tables.json' },
          }
        : {}),
      lineage: {
        datasetHash: `e2e-${spec.k}`,
        codeVersion: 'e2e',
        seed: spec.k,
        createdAt: '2026-11-01T00:00:00Z',
        backend: 'none',
      },
    },
    new Map([
      ['weights.bin', new Uint8Array(new Float32Array(TAGGER_WEIGHTS).buffer)],
      ...(spec.name === 'e2e-mlp' ? calibrationFiles(seededScaleFactors()) : []),
    ]),
  );
}

/** Probes per bin of the seeded efficiencies: data and MC (the intervals are Clopper–Pearson of these). */
export const SEEDED_PROBES = { data: 800, mc: 4000 };

/**
 * ε_MC = 0.9 − 0.05·j + 0.02·i and ε_data = SF·ε_MC in bin [i][j], as counts of passing probes out
 * of {@link SEEDED_PROBES} with their 68.3 % Clopper–Pearson intervals.
 */
export function seededEfficiencies(sf: Seeded['scaleFactors']): { data: BinEfficiency[][]; mc: BinEfficiency[][] } {
  const bin = (e: number, total: number): BinEfficiency => {
    const passed = Math.round(e * total);
    const { efficiency, lower, upper } = clopperPearsonInterval(passed, total);
    return { value: efficiency, errorLow: efficiency - lower, errorHigh: upper - efficiency, passed, total };
  };
  const effMc = (i: number, j: number) => 0.9 - 0.05 * j + 0.02 * i;
  return {
    mc: sf.values.map((row, i) => row.map((_, j) => bin(effMc(i, j), SEEDED_PROBES.mc))),
    data: sf.values.map((row, i) => row.map((v, j) => bin(v * effMc(i, j), SEEDED_PROBES.data))),
  };
}

/** The calibration files of `e2e-mlp`: its `tight` table (hepml-scale-factors/1) and its correctionlib export. */
function calibrationFiles(sf: Seeded['scaleFactors']): [string, Uint8Array][] {
  const eff = seededEfficiencies(sf);
  const table: ScaleFactorTable = {
    name: 'e2e-mlp-tight',
    ptEdges: sf.ptEdges,
    absEtaEdges: sf.absEtaEdges,
    values: sf.values,
    stat: sf.stat,
    syst: sf.syst,
    systBySource: {},
    effData: eff.data,
    effMc: eff.mc,
    provenance: { data: 'pseudo-data Z→ee', mc: 'Z→ee MC', method: 'seeded counts, Clopper–Pearson intervals' },
  };
  const correctionlib = scaleFactorsToCorrectionSet(table, { version: 1 });
  return [
    ['scale-factor-tables.json', encodeScaleFactorTables([{ workingPoint: 'tight', table }])],
    ['scale-factors.json', new TextEncoder().encode(JSON.stringify(correctionlib))],
  ];
}

/**
 * The seeded regression's resolution in E_true bins: model eIQR = 0.12/√E, standard calibration
 * 0.15/√E (E the bin's geometric centre in GeV), 500 events per bin.
 */
export const REGRESSION_BINS = [3, 10, 25, 50, 100, 300].slice(0, -1).map((lo, i, all) => {
  const hi = all[i + 1] ?? 300;
  const e = Math.sqrt(lo * hi);
  const model = 0.12 / Math.sqrt(e);
  const standard = 0.15 / Math.sqrt(e);
  return {
    variable: 'eTrue',
    unit: 'GeV',
    lo,
    hi,
    n: 500,
    model: { mae: model * e * 0.8, eIqr: model, response: 1.0 },
    standard: { mae: standard * e * 0.8, eIqr: standard, response: 0.99 },
    rIqr: model / standard,
  };
});

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
      evaluation: {
        split: { train: 6000, validation: 2000, test: 2500 },
        regression: {
          target: 'eTrue',
          unit: 'GeV',
          overall: {
            n: 2500,
            model: { mae: 1.234, eIqr: 0.0321, response: 1 },
            standard: { mae: 1.5, eIqr: 0.0369, response: 0.99 },
            rIqr: 0.87,
          },
          bins: REGRESSION_BINS,
          response: {
            edges: [0.8, 0.9, 1, 1.1, 1.2],
            model: [0.05, 0.45, 0.45, 0.05],
            standard: [0.08, 0.47, 0.4, 0.05],
          },
        },
      },
      lineage: {
        datasetHash: 'e2e-reg',
        codeVersion: 'e2e',
        seed: 1,
        createdAt: '2026-11-01T00:00:00Z',
        backend: 'none',
        profile: 'full',
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
    for (const k of [...(spec.earlier ?? []), spec.k]) {
      await publishBundle(db, store, await taggerBundle({ ...spec, k }), {
        actor: spec.owner === 'alice' ? alice : system,
        kind: spec.kind ?? 'network',
        visibility: spec.visibility ?? 'public',
      });
    }
  }
  for (const spec of USER_TASK_TAGGERS) {
    await publishBundle(db, store, await attachTaskFile(await taggerBundle(spec), userTaskFile(spec.task)), {
      actor: spec.owner === 'alice' ? alice : system,
      kind: spec.kind ?? 'network',
      visibility: spec.visibility ?? 'public',
    });
  }
  await publishBundle(db, store, await regressionBundle(), { actor: system, visibility: 'public' });
  return { aliceToken, taggers: TAGGERS, scaleFactors: seededScaleFactors() };
}

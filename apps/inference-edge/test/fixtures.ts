import { env } from 'cloudflare:workers';
import { buildBaselineBundle, fitGbdt } from '@hepml/models/baselines';
import {
  type Bundle,
  type BundleManifestV1,
  buildBundle,
  cnnFilmParameterCount,
  mlpParameterCount,
  writeTar,
} from '@hepml/models/bundle';
import {
  addMember,
  createToken,
  ensureCollaboration,
  ensureUser,
  openRegistry,
  publishBundle,
  type Scope,
  systemPrincipal,
} from '@hepml/models/registry';

/** A tiny deterministic 3-4-1 MLP bundle (weights from a fixed formula) for route tests. */
export async function tinyBundle(name = 'tiny-tagger', phase = 0.3): Promise<Bundle> {
  const layers = [
    { type: 'dense' as const, units: 4, activation: 'relu' as const },
    { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
  ];
  const parameters = mlpParameterCount(3, layers);
  const weights = Float32Array.from({ length: parameters }, (_, i) => Math.sin(1.7 * i + phase) * 0.8);
  return buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name,
      task: 'electron-id',
      description: 'test model',
      inputs: [
        { name: 'et', unit: 'GeV', offset: 40, scale: 10 },
        { name: 'eta', unit: '1', offset: 0, scale: 1.2 },
        { name: 'reta', unit: '1', offset: 0.9, scale: 0.05 },
      ],
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: { kind: 'mlp', inputSize: 3, layers, parameters },
      weights: 'weights.bin',
      metrics: { auc: 0.9 },
      workingPoints: [],
      lineage: {
        datasetHash: 'test',
        codeVersion: 'test',
        seed: 1,
        createdAt: '2026-01-01T00:00:00Z',
        backend: 'none',
      },
    },
    new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
  );
}

/** Options of {@link mlpBundle}. */
export interface MlpBundleOptions {
  name: string;
  task?: string;
  inputs?: { name: string; unit: string; offset: number; scale: number }[];
  outputs?: BundleManifestV1['outputs'];
  hidden?: number;
  lastActivation?: 'sigmoid' | 'linear' | 'softmax';
  phase?: number;
  workingPoints?: BundleManifestV1['workingPoints'];
  /** More files (e.g. a correctionlib scale-factor file) and manifest fields (C3 extensions). */
  extraFiles?: Record<string, Uint8Array>;
  manifestExtra?: Record<string, unknown>;
}

/** A deterministic MLP bundle of any shape (weights from a fixed formula). */
export async function mlpBundle(o: MlpBundleOptions): Promise<Bundle> {
  const inputs = o.inputs ?? [
    { name: 'et', unit: 'GeV', offset: 40, scale: 10 },
    { name: 'eta', unit: '1', offset: 0, scale: 1.2 },
    { name: 'reta', unit: '1', offset: 0.9, scale: 0.05 },
  ];
  const outputs = o.outputs ?? [{ name: 'score', kind: 'score', unit: '1' }];
  const layers = [
    { type: 'dense' as const, units: o.hidden ?? 5, activation: 'tanh' as const },
    {
      type: 'dense' as const,
      units: outputs.filter((x) => x.discriminant === undefined).length,
      activation: o.lastActivation ?? ('sigmoid' as const),
    },
  ];
  const parameters = mlpParameterCount(inputs.length, layers);
  const phase = o.phase ?? 0.3;
  const weights = Float32Array.from({ length: parameters }, (_, i) => Math.sin(1.3 * i + phase) * 0.9);
  const files = new Map<string, Uint8Array>([['weights.bin', new Uint8Array(weights.buffer)]]);
  for (const [path, bytes] of Object.entries(o.extraFiles ?? {})) files.set(path, bytes);
  return buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: o.name,
      task: o.task ?? 'electron-id',
      description: `test model ${o.name}`,
      inputs,
      outputs,
      architecture: { kind: 'mlp', inputSize: inputs.length, layers, parameters },
      weights: 'weights.bin',
      metrics: { auc: 0.91, bkgEffAt92: 0.05 },
      workingPoints: o.workingPoints ?? [],
      lineage: {
        datasetHash: 'test',
        codeVersion: 'test',
        seed: 1,
        createdAt: '2026-01-01T00:00:00Z',
        backend: 'none',
      },
      ...(o.manifestExtra ?? {}),
    } as Omit<BundleManifestV1, 'files'>,
    files,
  );
}

/** Publishes a bundle into the test's D1 and R2 as the system user (public unless told). */
export async function publish(
  bundle: Bundle,
  options: { visibility?: 'private' | 'collaboration' | 'public'; owner?: string; collaboration?: string } = {},
): Promise<void> {
  const db = openRegistry(env.DB);
  let actor = await systemPrincipal(db);
  if (options.owner) {
    const userId = await ensureUser(db, options.owner);
    const collaborationIds = options.collaboration ? [await ensureCollaboration(db, options.collaboration)] : [];
    for (const id of collaborationIds) await addMember(db, id, userId);
    actor = { userId, userName: options.owner, isAdmin: false, scopes: ['read', 'publish'], collaborationIds };
  }
  await publishBundle(db, env.MODELS, bundle, {
    actor,
    visibility: options.visibility ?? 'public',
    ...(options.collaboration ? { collaboration: options.collaboration } : {}),
  });
}

/** Publishes the tiny bundle into the test's D1 and R2. */
export async function publishTiny(name?: string, phase?: number): Promise<Bundle> {
  const bundle = await tinyBundle(name, phase);
  const db = openRegistry(env.DB);
  await publishBundle(db, env.MODELS, bundle, { actor: await systemPrincipal(db), visibility: 'public' });
  return bundle;
}

/** Creates (or reuses) a user and returns a fresh token for it with the given scopes. */
export async function tokenFor(
  user: string,
  scopes: readonly Scope[],
  options: { admin?: boolean; collaboration?: string; expiresAt?: string } = {},
): Promise<string> {
  const db = openRegistry(env.DB);
  const userId = await ensureUser(db, user, { isAdmin: options.admin ?? false });
  if (options.collaboration) await addMember(db, await ensureCollaboration(db, options.collaboration), userId);
  const { token } = await createToken(db, {
    userId,
    name: `test ${user}`,
    scopes,
    ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
  });
  return token;
}

/** The bundle as the tar archive `pnpm publish-model` uploads. */
export function bundleTar(bundle: Bundle): Uint8Array<ArrayBuffer> {
  return writeTar(bundle.files);
}

/**
 * A tiny CNN+FiLM energy regression (image 4 × 4 × 1 cells in GeV, scalars eRaw and eta) with
 * `energy` and `resolution` outputs scaled by eRaw, deterministic weights.
 */
export async function cnnBundle(name: string): Promise<Bundle> {
  const shape: [number, number, number] = [4, 4, 1];
  const arch = {
    inputSize: 2,
    imageScale: 10,
    layers: [
      {
        type: 'conv2d' as const,
        filters: 2,
        kernelSize: [3, 3] as [number, number],
        strides: [1, 1] as [number, number],
        padding: 'same' as const,
        useBias: true,
        activation: 'relu' as const,
      },
      { type: 'film' as const, hidden: [{ type: 'dense' as const, units: 3, activation: 'tanh' as const }] },
      { type: 'global-avg-pool' as const },
    ],
    concatScalars: true,
    head: [{ type: 'dense' as const, units: 2, activation: 'sigmoid' as const }],
    outputScale: 'eRaw',
  };
  const parameters = cnnFilmParameterCount(shape, arch);
  const weights = Float32Array.from({ length: parameters }, (_, i) => Math.cos(0.7 * i + 0.2) * 0.6);
  return buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name,
      task: 'energy-regression',
      description: 'test CNN',
      inputs: [
        { name: 'eRaw', unit: 'GeV', offset: 50, scale: 30 },
        { name: 'eta', unit: '1', offset: 0, scale: 1.5 },
      ],
      image: { name: 'cells', shape, unit: 'GeV' },
      outputs: [
        { name: 'energy', kind: 'energy', unit: 'GeV' },
        { name: 'resolution', kind: 'resolution', unit: 'GeV' },
      ],
      architecture: { kind: 'cnn-film', ...arch, parameters },
      weights: 'weights.bin',
      metrics: { eIqr: 0.05 },
      workingPoints: [],
      lineage: {
        datasetHash: 'test',
        codeVersion: 'test',
        seed: 1,
        createdAt: '2026-01-01T00:00:00Z',
        backend: 'none',
      },
    },
    new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
  );
}

/**
 * A GBDT electron tagger on et, eta, reta (30 trees of depth ≤ 5, multiclass off) fitted on 600
 * seeded rows whose label follows reta and et: a baseline bundle, its JSON weights read by the
 * baselines' parser.
 */
export async function gbdtBundle(name: string): Promise<Bundle> {
  const n = 600;
  const features = new Float32Array(n * 3);
  const label = new Float64Array(n);
  let seed = 7;
  const uniform = () => {
    // LCG (Numerical Recipes), seeded: the fixture is the same on every run.
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = 0; i < n; i++) {
    const et = 10 + 90 * uniform();
    const eta = -2.4 + 4.8 * uniform();
    const reta = 0.8 + 0.2 * uniform();
    features.set([et, eta, reta], i * 3);
    label[i] = reta + 0.001 * et + 0.05 * (uniform() - 0.5) > 0.95 ? 1 : 0;
  }
  const params = fitGbdt({
    inputs: ['et', 'eta', 'reta'],
    features,
    n,
    target: label,
    objective: 'binary',
    trees: 30,
    maxDepth: 5,
  });
  return buildBaselineBundle({
    name,
    task: 'electron-id',
    description: `test GBDT ${name}`,
    model: { kind: 'gbdt', params },
    units: { et: 'GeV' },
    lineage: {
      datasetHash: 'test',
      codeVersion: 'test',
      seed: 7,
      createdAt: '2026-01-01T00:00:00Z',
      backend: 'none',
    },
  });
}

import { env } from 'cloudflare:workers';
import { type Bundle, buildBundle, mlpParameterCount, writeTar } from '@hepml/models/bundle';
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

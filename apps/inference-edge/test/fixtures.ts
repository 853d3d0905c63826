import { env } from 'cloudflare:workers';
import { type Bundle, buildBundle, mlpParameterCount } from '@hepml/models/bundle';
import { openRegistry, publishBundle } from '@hepml/models/registry';

/** A tiny deterministic 3-4-1 MLP bundle (weights from a fixed formula) for route tests. */
export async function tinyBundle(name = 'tiny-tagger'): Promise<Bundle> {
  const layers = [
    { type: 'dense' as const, units: 4, activation: 'relu' as const },
    { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
  ];
  const parameters = mlpParameterCount(3, layers);
  const weights = Float32Array.from({ length: parameters }, (_, i) => Math.sin(1.7 * i + 0.3) * 0.8);
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
export async function publishTiny(name?: string): Promise<Bundle> {
  const bundle = await tinyBundle(name);
  await publishBundle(openRegistry(env.DB), env.MODELS, bundle);
  return bundle;
}

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BundleError } from '../errors.ts';
import { nonNegativeInt, parseBundleJson, positiveInt, probability } from './json.ts';
import { BundleManifestV1, mlpParameterCount, parseManifest } from './manifest.ts';

function errorOf(run: () => unknown): BundleError {
  try {
    run();
  } catch (err) {
    if (err instanceof BundleError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('parseBundleJson (the one reader of bundle JSON files)', () => {
  const Params = z.strictObject({ trees: z.array(z.strictObject({ depth: positiveInt, weight: probability })) });

  it('returns the typed value', () => {
    expect(parseBundleJson(Params, { trees: [{ depth: 3, weight: 0.5 }] })).toEqual({
      trees: [{ depth: 3, weight: 0.5 }],
    });
  });

  it('throws a BundleError naming the file and the field, with the zod error as cause', () => {
    const err = errorOf(() => parseBundleJson(Params, { trees: [{ depth: 0, weight: 0.5 }] }, { file: 'model.json' }));
    expect(err.message).toBe('model.json: trees[0].depth: must be a positive integer');
    expect(err.field).toBe('trees[0].depth');
    expect(err.cause).toBeInstanceOf(z.ZodError);
    expect(errorOf(() => parseBundleJson(Params, { trees: [{ depth: 1, weight: 2 }] })).message).toBe(
      'manifest.json: trees[0].weight: must lie in [0, 1]',
    );
    expect(errorOf(() => parseBundleJson(Params, [], { file: 'model.json' })).field).toBe('(root)');
    expect(errorOf(() => parseBundleJson(nonNegativeInt, -1, { at: 'files[0].bytes' })).message).toBe(
      'manifest.json: files[0].bytes: must be a non-negative integer',
    );
  });
});

describe('BundleManifestV1 (the schema writer, reader and dashboard share)', () => {
  const layers = [{ type: 'dense' as const, units: 1, activation: 'sigmoid' as const }];
  const manifest: BundleManifestV1 = {
    format: 'hepml-bundle',
    formatVersion: 1,
    name: 'tiny',
    task: 'electron-id',
    description: 'one neuron',
    inputs: [{ name: 'et', unit: 'GeV', offset: 40, scale: 10 }],
    outputs: [{ name: 'score', kind: 'score', unit: '1' }],
    architecture: { kind: 'mlp', inputSize: 1, layers, parameters: mlpParameterCount(1, layers) },
    weights: 'weights.bin',
    metrics: {},
    workingPoints: [],
    lineage: { datasetHash: 'x', codeVersion: 'y', seed: 1, createdAt: '2026-01-01T00:00:00Z', backend: 'cpu' },
    files: [{ path: 'weights.bin', bytes: 8, sha256: 'b'.repeat(64) }],
  };

  it('validates on its own as parseManifest does, cross-field rules included', () => {
    expect(BundleManifestV1.safeParse(manifest).success).toBe(true);
    expect(parseManifest(manifest)).toEqual(manifest);
    const wrongSize = { ...manifest, files: [{ path: 'weights.bin', bytes: 12, sha256: 'b'.repeat(64) }] };
    const result = BundleManifestV1.safeParse(wrongSize);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['files']);
    expect(errorOf(() => parseManifest(wrongSize)).message).toBe(
      'manifest.json: files: weights file "weights.bin" has 12 bytes, expected 8',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { parseManifest } from '../bundle/manifest.ts';
import { BundleError } from '../errors.ts';
import { energyFromCorrection } from './energy.ts';

const inputs = [
  { name: 'eRaw', unit: 'GeV', offset: 0, scale: 1 },
  { name: 'eCalStandard', unit: 'GeV', offset: 0, scale: 1 },
  { name: 'eta', unit: '1', offset: 0, scale: 1 },
];

describe('energyFromCorrection', () => {
  it('finds the correction output and the input it multiplies', () => {
    const outputs = [{ name: 'correction', kind: 'correction' as const, unit: '1', energyBase: 'eRaw' }];
    expect(energyFromCorrection({ task: 'energy-regression', inputs, outputs })).toEqual({ output: 0, input: 0 });
    expect(energyFromCorrection({ task: 'other', inputs, outputs })).toEqual({ output: 0, input: 0 });
  });

  it('takes eCalStandard for energy-regression bundles written before energyBase', () => {
    const outputs = [{ name: 'correction', kind: 'correction' as const, unit: '1' }];
    expect(energyFromCorrection({ task: 'energy-regression', inputs, outputs })).toEqual({ output: 0, input: 1 });
    // Elsewhere the base is unknown, so no energy is derived.
    expect(energyFromCorrection({ task: 'jet-response', inputs, outputs })).toBeUndefined();
  });

  it('derives nothing for a model that outputs its energy or has no correction', () => {
    const energy = [
      { name: 'energy', kind: 'energy' as const, unit: 'GeV' },
      { name: 'correction', kind: 'correction' as const, unit: '1', energyBase: 'eRaw' },
    ];
    expect(energyFromCorrection({ task: 'energy-regression', inputs, outputs: energy })).toBeUndefined();
    const score = [{ name: 'score', kind: 'score' as const, unit: '1' }];
    expect(energyFromCorrection({ task: 'energy-regression', inputs, outputs: score })).toBeUndefined();
  });
});

describe('manifest energyBase', () => {
  const manifest = (output: Record<string, unknown>) => ({
    format: 'hepml-bundle',
    formatVersion: 1,
    name: 'm',
    task: 'energy-regression',
    description: 'test',
    inputs,
    outputs: [output],
    architecture: {
      kind: 'mlp',
      inputSize: 3,
      layers: [{ type: 'dense', units: 1, activation: 'linear' }],
      parameters: 4,
    },
    weights: 'weights.bin',
    metrics: {},
    workingPoints: [],
    lineage: { datasetHash: 'x', codeVersion: 'y', seed: 1, createdAt: '2026-01-01T00:00:00Z', backend: 'cpu' },
    files: [{ path: 'weights.bin', bytes: 16, sha256: 'a'.repeat(64) }],
  });
  const fieldOf = (value: unknown) => {
    try {
      parseManifest(value);
    } catch (err) {
      if (err instanceof BundleError) return err.field;
      throw err;
    }
    return undefined;
  };

  it('is kept on a correction output and must name an input', () => {
    const ok = parseManifest(manifest({ name: 'c', kind: 'correction', unit: '1', energyBase: 'eRaw' }));
    expect(ok.outputs[0]?.energyBase).toBe('eRaw');
    expect(fieldOf(manifest({ name: 'c', kind: 'correction', unit: '1', energyBase: 'eTrue' }))).toBe(
      'outputs[0].energyBase',
    );
    expect(fieldOf(manifest({ name: 's', kind: 'score', unit: '1', energyBase: 'eRaw' }))).toBe(
      'outputs[0].energyBase',
    );
  });
});

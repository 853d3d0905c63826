// Issue 7: what `pnpm export-model` writes per architecture kind, and the kinds it refuses by name.
import { describe, expect, it } from 'vitest';
import { buildBundle } from '../bundle/build.ts';
import { cnnFilmParameterCount } from '../bundle/cnn-film.ts';
import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { BundleError } from '../errors.ts';
import { exportBundleFiles } from './bundle-export.ts';

const BASE = {
  format: 'hepml-bundle' as const,
  formatVersion: 1 as const,
  task: 'test',
  description: 'export files test',
  inputs: [
    { name: 'e_raw', unit: 'GeV', offset: 50, scale: 20 },
    { name: 'eta', unit: '1', offset: 0, scale: 1.5 },
  ],
  weights: 'weights.bin',
  metrics: {},
  workingPoints: [],
  lineage: { datasetHash: 'x', codeVersion: 'abc123', seed: 1, createdAt: '2026-01-01T00:00:00Z', backend: 'cpu' },
};

async function bundleOf(m: Omit<BundleManifestV1, 'files'>, bytes: Uint8Array) {
  const b = await buildBundle(m, new Map([[m.weights, bytes]]));
  return { manifest: b.manifest, files: Object.fromEntries(b.files) };
}

describe('exportBundleFiles', () => {
  it('mlp: ONNX, variable spec and an lwtnn network, named after the model', async () => {
    const layers = [{ type: 'dense' as const, units: 1, activation: 'sigmoid' as const }];
    const { manifest, files } = await bundleOf(
      {
        ...BASE,
        name: 'tiny-mlp',
        outputs: [{ name: 'score', kind: 'score', unit: '1' }],
        architecture: { kind: 'mlp', inputSize: 2, layers, parameters: 3 },
      },
      new Uint8Array(Float32Array.from([0.5, -0.25, 0.1]).buffer),
    );
    const out = exportBundleFiles(manifest, files, { weightsSha256: 'abc' });
    expect(out.files.map((f) => f.path)).toEqual(['tiny-mlp.onnx', 'tiny-mlp.variables.json', 'tiny-mlp.lwtnn.json']);
    expect(out.notes).toEqual([]);
    const spec = JSON.parse(new TextDecoder().decode(out.files[1]?.bytes));
    expect(spec.inputs[0].variables.map((v: { name: string }) => v.name)).toEqual(['e_raw', 'eta']);
    expect(spec.miscellaneous).toEqual({ model: 'tiny-mlp', weightsSha256: 'abc' });
    const lwtnn = JSON.parse(new TextDecoder().decode(out.files[2]?.bytes));
    expect(lwtnn.layers[0]).toEqual({
      architecture: 'dense',
      activation: 'sigmoid',
      weights: [0.5, -0.25],
      bias: [0.10000000149011612],
    });
    // The ONNX bytes carry the metadata given (protobuf strings are stored verbatim).
    expect(new TextDecoder().decode(out.files[0]?.bytes)).toContain('hepml.weightsSha256');
  });

  it('cnn-film: ONNX and variable spec, and a note that lwtnn cannot express it', async () => {
    const arch = {
      inputSize: 2,
      imageScale: 1,
      layers: [
        {
          type: 'conv2d' as const,
          filters: 2,
          kernelSize: [2, 2] as [number, number],
          strides: [1, 1] as [number, number],
          padding: 'valid' as const,
          useBias: true,
          activation: 'relu' as const,
        },
        { type: 'global-avg-pool' as const },
      ],
      concatScalars: true,
      head: [{ type: 'dense' as const, units: 1, activation: 'linear' as const }],
    };
    const parameters = cnnFilmParameterCount([3, 3, 1], arch);
    const { manifest, files } = await bundleOf(
      {
        ...BASE,
        name: 'tiny-cnn',
        image: { name: 'cells', shape: [3, 3, 1], unit: 'GeV' },
        outputs: [{ name: 'energy', kind: 'energy', unit: 'GeV' }],
        architecture: { kind: 'cnn-film', ...arch, parameters },
      },
      new Uint8Array(new Float32Array(parameters).fill(0.1).buffer),
    );
    const out = exportBundleFiles(manifest, files);
    expect(out.files.map((f) => f.path)).toEqual(['tiny-cnn.onnx', 'tiny-cnn.variables.json']);
    expect(out.files[0]?.description).toContain('image [N, 3, 3, 1] NHWC in GeV');
    expect(out.notes).toHaveLength(1);
    expect(out.notes[0]).toMatch(/no lwtnn network for kind "cnn-film"/);
  });

  it('refuses a kind it does not know by name', () => {
    const manifest = {
      ...BASE,
      name: 'tiny-unknown',
      outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      architecture: { kind: 'xgboost', parameters: 1, format: 'xgboost/1' },
      files: [],
    } as unknown as BundleManifestV1;
    const run = () => exportBundleFiles(manifest, { 'weights.bin': new Uint8Array() });
    expect(run).toThrow(BundleError);
    expect(run).toThrow(/architecture.kind "xgboost" cannot be exported/);
  });
});

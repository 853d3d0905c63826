import {
  BOOSTED_JET_VARIABLES,
  CALO_SHOWER_VARIABLES,
  defaultStandardCalibration,
  ELECTRON_ID_VARIABLES,
  generateBoostedJets,
  generateCaloShowers,
  generateElectronId,
} from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { type Bundle, readBundle } from '../bundle/build.ts';
import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { BundleError } from '../errors.ts';
import { type BaselineModel, evaluateBaseline, loadBaselineFromManifest } from '../runtime/baselines/dispatch.ts';
import { ELECTRON_ABS_ETA_EDGES, ELECTRON_ET_EDGES } from './binning.ts';
import { buildBaselineBundle } from './bundle.ts';
import { fitCuts } from './cuts.ts';
import { fitGbdt } from './gbdt.ts';
import { fitLikelihood } from './likelihood.ts';
import { sampleMatrix } from './matrix.ts';
import { standardCalibrationFromPhysics } from './standard-calibration.ts';

const lineage = {
  datasetHash: 'test',
  codeVersion: 'test',
  seed: 1,
  createdAt: '2026-11-23T00:00:00Z',
  backend: 'cpu',
};
const electronInputs = Object.keys(ELECTRON_ID_VARIABLES);
const electrons = generateElectronId({ n: 4000, seed: 31 });
const eMatrix = sampleMatrix(electrons, electronInputs);
const binning = {
  etInput: 'et',
  etaInput: 'eta',
  etEdges: [...ELECTRON_ET_EDGES],
  absEtaEdges: [...ELECTRON_ABS_ETA_EDGES],
};
const common = { inputs: electronInputs, features: eMatrix.features, n: eMatrix.n, labels: electrons.label };
const jetInputs = Object.keys(BOOSTED_JET_VARIABLES);
const jets = generateBoostedJets({ n: 3000, seed: 32 });
const jMatrix = sampleMatrix(jets, jetInputs);
const caloInputs = Object.keys(CALO_SHOWER_VARIABLES);
const calo = generateCaloShowers({ n: 2000, seed: 33, images: false });
const cMatrix = sampleMatrix(calo, caloInputs);

const models: [string, BaselineModel, Float32Array, number, Record<string, string>][] = [
  [
    'electron-id-cuts',
    { kind: 'cuts', params: fitCuts({ ...common, binning, minSignalPerBin: 50 }) },
    eMatrix.features,
    eMatrix.n,
    electrons.units,
  ],
  [
    'electron-id-lh',
    { kind: 'likelihood', params: fitLikelihood({ ...common, binning }) },
    eMatrix.features,
    eMatrix.n,
    electrons.units,
  ],
  [
    'electron-id-gbdt',
    { kind: 'gbdt', params: fitGbdt({ ...common, target: electrons.label, objective: 'binary', trees: 10 }) },
    eMatrix.features,
    eMatrix.n,
    electrons.units,
  ],
  [
    'boosted-jet-gbdt',
    {
      kind: 'gbdt',
      params: fitGbdt({
        inputs: jetInputs,
        features: jMatrix.features,
        n: jMatrix.n,
        target: jets.label,
        objective: 'multiclass',
        trees: 5,
      }),
    },
    jMatrix.features,
    jMatrix.n,
    jets.units,
  ],
  [
    'energy-regression-standard',
    { kind: 'standard-calibration', params: standardCalibrationFromPhysics(defaultStandardCalibration(), caloInputs) },
    cMatrix.features,
    cMatrix.n,
    calo.units,
  ],
];

async function build(name: string, model: BaselineModel, units: Record<string, string>): Promise<Bundle> {
  return buildBaselineBundle({
    name,
    task: name.split('-').slice(0, -1).join('-'),
    description: `${model.kind} baseline`,
    model,
    units,
    lineage,
  });
}

function catchError(f: () => unknown): BundleError {
  try {
    f();
  } catch (e) {
    if (e instanceof BundleError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('baseline bundles', () => {
  it.each(models)(
    '%s: built, read back with hashes checked, evaluated by the runtime loader as by the model',
    async (name, model, x, n, units) => {
      const bundle = await build(name, model, units);
      const back = await readBundle(bundle.files);
      const arch = back.manifest.architecture;
      expect(arch).toMatchObject({ kind: model.kind, format: `hepml-${model.kind}/1` });
      expect(arch.parameters).toBeGreaterThan(0);
      expect(back.manifest.inputs.every((i) => i.offset === 0 && i.scale === 1)).toBe(true);
      expect(back.manifest.inputs.find((i) => i.name === back.manifest.inputs[0]?.name)?.unit).toBe(
        units[back.manifest.inputs[0]?.name as string],
      );
      const bytes = back.files.get(back.manifest.weights);
      if (!bytes) throw new Error('no weights file');
      const evaluator = loadBaselineFromManifest(back.manifest, bytes);
      expect(evaluator.outputSize).toBe(back.manifest.outputs.length);
      expect(evaluator.evaluate(x, n)).toEqual(evaluateBaseline(model, x, n));
    },
  );

  it('names default outputs by task kind', async () => {
    const [, cuts, , , u1] = models[0] as (typeof models)[number];
    const [, multi, , , u2] = models[3] as (typeof models)[number];
    const [, std, , , u3] = models[4] as (typeof models)[number];
    expect((await build('a-cuts', cuts, u1)).manifest.outputs).toEqual([{ name: 'score', kind: 'score', unit: '1' }]);
    expect((await build('b-gbdt', multi, u2)).manifest.outputs.map((o) => `${o.name}:${o.kind}`)).toEqual([
      'p_0:class-score',
      'p_1:class-score',
      'p_2:class-score',
    ]);
    expect((await build('c-std', std, u3)).manifest.outputs).toEqual([{ name: 'energy', kind: 'energy', unit: 'GeV' }]);
    await expect(
      buildBaselineBundle({
        name: 'd',
        task: 't',
        description: '',
        model: multi,
        lineage,
        outputs: [{ name: 'score', kind: 'score', unit: '1' }],
      }),
    ).rejects.toThrow(/outputs/);
  });

  it('refuses parameter files that do not fit their manifest, naming the field', async () => {
    const [name, model, , , units] = models[2] as (typeof models)[number];
    const bundle = await build(name, model, units);
    const m = bundle.manifest;
    const bytes = bundle.files.get(m.weights) as Uint8Array;
    const json = JSON.parse(new TextDecoder().decode(bytes));
    const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
    const variant = (f: (c: BundleManifestV1) => void): BundleManifestV1 => {
      const c = structuredClone(m);
      f(c);
      return c;
    };
    expect(catchError(() => loadBaselineFromManifest(m, bytes.subarray(0, 100))).field).toBe('gbdt.json');
    json.trees[0].left[0] = 0;
    expect(catchError(() => loadBaselineFromManifest(m, enc(json))).field).toBe('gbdt.json: trees[0].left[0]');
    const wrongFormat = variant((c) => Object.assign(c.architecture, { format: 'hepml-gbdt/2' }));
    expect(catchError(() => loadBaselineFromManifest(wrongFormat, bytes)).field).toBe('architecture.format');
    const scaled = variant((c) => Object.assign(c.inputs[3] ?? {}, { scale: 2 }));
    expect(catchError(() => loadBaselineFromManifest(scaled, bytes)).field).toBe('inputs[3].scale');
    const renamed = variant((c) => Object.assign(c.inputs[0] ?? {}, { name: 'pt' }));
    expect(catchError(() => loadBaselineFromManifest(renamed, bytes)).field).toBe('inputs');
    const twoOutputs = variant((c) => c.outputs.push({ name: 'other', kind: 'score', unit: '1' }));
    expect(catchError(() => loadBaselineFromManifest(twoOutputs, bytes)).field).toBe('outputs');
    const mlp = variant((c) => Object.assign(c.architecture, { kind: 'mlp' }));
    expect(catchError(() => loadBaselineFromManifest(mlp, bytes)).field).toBe('architecture.kind');
  });
});

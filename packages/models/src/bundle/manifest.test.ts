import { describe, expect, it } from 'vitest';
import { BundleError } from '../errors.ts';
import { type CnnFilmArchitectureV1, cnnFilmParameterCount, windowGeometry } from './cnn-film.ts';
import { modelOutputs, parseManifest } from './manifest.ts';

type Json = Record<string, unknown>;

const HASH = 'a'.repeat(64);
const CNN: Omit<CnnFilmArchitectureV1, 'parameters' | 'kind'> = {
  inputSize: 2,
  imageScale: 10,
  layers: [
    {
      type: 'conv2d',
      filters: 4,
      kernelSize: [3, 3],
      strides: [1, 1],
      padding: 'same',
      useBias: true,
      activation: 'linear',
    },
    { type: 'batch-norm', epsilon: 0.001 },
    { type: 'activation', activation: 'relu' },
    { type: 'film', hidden: [{ type: 'dense', units: 8, activation: 'relu' }] },
    { type: 'max-pool', poolSize: [2, 2], strides: [2, 2], padding: 'valid' },
    { type: 'global-avg-pool' },
  ],
  concatScalars: true,
  head: [
    { type: 'dense', units: 6, activation: 'relu' },
    { type: 'dense', units: 2, activation: 'linear' },
  ],
  outputScale: 'e_raw',
};
// conv 3·3·2·4+4 = 76, bn 16, film (2·8+8) + 2·(8·4+4) = 96, head (4+2)·6+6 = 42 and 6·2+2 = 14.
const CNN_PARAMETERS = 76 + 16 + 96 + 42 + 14;

function base(): Json {
  return {
    format: 'hepml-bundle',
    formatVersion: 1,
    name: 'calo-cnn',
    task: 'energy-regression',
    description: 'test',
    inputs: [
      { name: 'e_raw', unit: 'GeV', offset: 50, scale: 20 },
      { name: 'eta', unit: '1', offset: 0, scale: 1.5 },
    ],
    image: { name: 'cells', shape: [7, 7, 2], unit: 'GeV' },
    outputs: [
      { name: 'energy', kind: 'energy', unit: 'GeV' },
      { name: 'sigma', kind: 'resolution', unit: 'GeV' },
    ],
    architecture: { kind: 'cnn-film', ...CNN, parameters: CNN_PARAMETERS },
    weights: 'weights.bin',
    metrics: { mae: 1.2 },
    workingPoints: [],
    lineage: { datasetHash: 'x', codeVersion: 'y', seed: 1, createdAt: '2026-01-01T00:00:00Z', backend: 'cpu' },
    files: [{ path: 'weights.bin', bytes: CNN_PARAMETERS * 4, sha256: HASH }],
  };
}

function fieldOf(value: Json): string | undefined {
  try {
    parseManifest(value);
  } catch (err) {
    if (err instanceof BundleError) return err.field;
    throw err;
  }
  return undefined;
}

function withArch(patch: Json): Json {
  const m = base();
  m.architecture = { ...(m.architecture as Json), ...patch };
  return m;
}

describe('cnn-film schema', () => {
  it('computes window geometry like TensorFlow', () => {
    expect(windowGeometry(7, 3, 1, 'same')).toEqual({ out: 7, padBefore: 1 });
    expect(windowGeometry(7, 2, 2, 'same')).toEqual({ out: 4, padBefore: 0 });
    expect(windowGeometry(8, 3, 2, 'same')).toEqual({ out: 4, padBefore: 0 });
    expect(windowGeometry(7, 3, 2, 'valid')).toEqual({ out: 3, padBefore: 0 });
    expect(windowGeometry(2, 3, 1, 'valid').out).toBe(0);
  });

  it('counts parameters per layer', () => {
    expect(cnnFilmParameterCount([7, 7, 2], CNN)).toBe(CNN_PARAMETERS);
    expect(cnnFilmParameterCount([7, 7, 2], { ...CNN, concatScalars: false })).toBe(CNN_PARAMETERS - 12);
  });

  it('accepts a valid cnn-film manifest and keeps every field', () => {
    const m = parseManifest(base());
    expect(m.architecture).toEqual({ kind: 'cnn-film', ...CNN, parameters: CNN_PARAMETERS });
    expect(m.image).toEqual({ name: 'cells', shape: [7, 7, 2], unit: 'GeV' });
    expect(m.outputs.map((o) => o.kind)).toEqual(['energy', 'resolution']);
  });

  it('names the field of each violation', () => {
    expect(fieldOf(withArch({ parameters: CNN_PARAMETERS + 1 }))).toBe('architecture.parameters');
    expect(fieldOf(withArch({ outputScale: 'nope' }))).toBe('architecture.outputScale');
    expect(fieldOf(withArch({ imageScale: 0 }))).toBe('architecture.imageScale');
    const badLayer = withArch({ layers: [{ ...CNN.layers[0], dilation: 2 }, ...CNN.layers.slice(1)] });
    expect(fieldOf(badLayer)).toBe('architecture.layers[0].dilation');
    const noEnd = withArch({ layers: CNN.layers.slice(0, 3) });
    expect(fieldOf(noEnd)).toBe('architecture.layers');
    const tooBig = withArch({
      layers: [{ type: 'max-pool', poolSize: [9, 9], strides: [1, 1], padding: 'valid' }, { type: 'flatten' }],
    });
    expect(fieldOf(tooBig)).toBe('architecture.layers[0]');
    const afterFlatten = withArch({ layers: [{ type: 'flatten' }, { type: 'global-avg-pool' }] });
    expect(fieldOf(afterFlatten)).toBe('architecture.layers[1]');
    expect(fieldOf(withArch({ head: [{ type: 'dense', units: 3, activation: 'linear' }] }))).toBe('outputs');
    const noImage = base();
    delete noImage.image;
    expect(fieldOf(noImage)).toBe('image');
    const badShape = base();
    badShape.image = { name: 'cells', shape: [7, 7], unit: 'GeV' };
    expect(fieldOf(badShape)).toBe('image.shape');
    const badBytes = base();
    badBytes.files = [{ path: 'weights.bin', bytes: 12, sha256: HASH }];
    expect(fieldOf(badBytes)).toBe('files');
  });
});

describe('manifest extensions', () => {
  it('accepts the baseline kinds with a format and a JSON file of any size', () => {
    const m = base();
    delete m.image;
    m.outputs = [{ name: 'score', kind: 'score', unit: '1' }];
    m.architecture = { kind: 'gbdt', parameters: 1234, format: 'hepml-gbdt/1' };
    m.weights = 'model.json';
    m.files = [{ path: 'model.json', bytes: 99, sha256: HASH }];
    expect(parseManifest(m).architecture).toEqual({ kind: 'gbdt', parameters: 1234, format: 'hepml-gbdt/1' });
    expect(fieldOf({ ...m, architecture: { kind: 'gbdt', parameters: 3, format: 'gbdt' } })).toBe(
      'architecture.format',
    );
    expect(fieldOf({ ...m, architecture: { kind: 'forest', parameters: 3, format: 'x/1' } })).toBe('architecture.kind');
    expect(fieldOf({ ...m, architecture: { kind: 'cuts', parameters: 3, format: 'x/1', layers: [] } })).toBe(
      'architecture.layers',
    );
    expect(fieldOf({ ...m, image: { name: 'c', shape: [1, 1, 1], unit: 'GeV' } })).toBe('image');
  });

  it('checks output kinds and their units', () => {
    const m = base();
    m.outputs = [
      { name: 'energy', kind: 'energy', unit: 'MeV' },
      { name: 'sigma', kind: 'resolution', unit: 'GeV' },
    ];
    expect(fieldOf(m)).toBe('outputs[0].unit');
    m.outputs = [
      { name: 'p', kind: 'probability', unit: '1' },
      { name: 'q', kind: 'score', unit: '1' },
    ];
    expect(fieldOf(m)).toBe('outputs[0].kind');
    m.outputs = [
      { name: 'p', kind: 'class-score', unit: '1' },
      { name: 'p', kind: 'class-score', unit: '1' },
    ];
    expect(fieldOf(m)).toBe('outputs[1].name');
  });

  it('accepts discriminant outputs after the model outputs and names the field of each fault', () => {
    const m = base();
    const p = (name: string) => ({ name, kind: 'class-score', unit: '1' });
    const d = (signal: unknown, background: unknown, extra: Json = {}) => ({
      name: 'w_vs_qcd',
      kind: 'score',
      unit: '1',
      discriminant: { signal, background },
      ...extra,
    });
    // Two class scores from the network (the CNN head has 2 units) and one derived discriminant.
    m.outputs = [p('p_qcd'), p('p_w'), d(['p_w'], ['p_qcd'])];
    const parsed = parseManifest(m);
    expect(parsed.outputs[2]?.discriminant).toEqual({ signal: ['p_w'], background: ['p_qcd'] });
    expect(modelOutputs(parsed.outputs).map((o) => o.name)).toEqual(['p_qcd', 'p_w']);

    m.outputs = [p('p_qcd'), d(['p_w'], ['p_qcd']), p('p_w')];
    expect(fieldOf(m)).toBe('outputs[2]');
    m.outputs = [p('p_qcd'), p('p_w'), d(['p_top'], ['p_qcd'])];
    expect(fieldOf(m)).toBe('outputs[2].discriminant.signal[0]');
    m.outputs = [p('p_qcd'), p('p_w'), d(['p_w'], ['p_w'])];
    expect(fieldOf(m)).toBe('outputs[2].discriminant');
    m.outputs = [p('p_qcd'), p('p_w'), d(['p_w'], [])];
    expect(fieldOf(m)).toBe('outputs[2].discriminant.background');
    m.outputs = [p('p_qcd'), p('p_w'), d(['p_w', 'p_w'], ['p_qcd'])];
    expect(fieldOf(m)).toBe('outputs[2].discriminant.signal');
    m.outputs = [p('p_qcd'), p('p_w'), d(['p_w'], ['p_qcd'], { kind: 'class-score' })];
    expect(fieldOf(m)).toBe('outputs[2].kind');
    m.outputs = [
      p('p_qcd'),
      p('p_w'),
      { ...d(['p_w'], ['p_qcd']), discriminant: { signal: ['p_w'], background: ['p_qcd'], x: 1 } },
    ];
    expect(fieldOf(m)).toBe('outputs[2].discriminant.x');
    // A discriminant does not count as a network output: three class scores do not fit 2 units.
    m.outputs = [p('p_qcd'), p('p_w'), p('p_top'), d(['p_w'], ['p_qcd'])];
    expect(fieldOf(m)).toBe('outputs');
  });

  it('requires the scale-factor file of calibration to be listed', () => {
    const m = base();
    m.calibration = { scaleFactors: 'sf.json' };
    expect(fieldOf(m)).toBe('calibration.scaleFactors');
    m.files = [...(m.files as Json[]), { path: 'sf.json', bytes: 10, sha256: HASH }];
    expect(parseManifest(m).calibration).toEqual({ scaleFactors: 'sf.json' });
    expect(fieldOf({ ...m, calibration: { scaleFactors: 'sf.json', extra: 1 } })).toBe('calibration.extra');
  });

  it('delegates evaluation to parseEvaluation with the field path', () => {
    const m = base();
    m.evaluation = { split: { train: 10, validation: 5, test: 5 } };
    expect(parseManifest(m).evaluation?.split.test).toBe(5);
    m.evaluation = { split: { train: 10, validation: 5, test: -1 } };
    expect(fieldOf(m)).toBe('evaluation.split.test');
  });

  it('rejects duplicate file paths', () => {
    const m = base();
    m.files = [...(m.files as Json[]), { path: 'weights.bin', bytes: 1, sha256: HASH }];
    expect(fieldOf(m)).toBe('files[1].path');
  });
});

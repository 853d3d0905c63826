import { ELECTRON_ID_VARIABLES, generateElectronId } from '@hepml/physics';
import { type Bundle, buildBundle } from '../bundle/build.ts';
import { sha256Hex } from '../bundle/hash.ts';
import { mlpParameterCount } from '../bundle/manifest.ts';
import { evaluateBinaryClassifier } from '../evaluation/classifier.ts';
import { createMlpRunner } from '../runtime/mlp.ts';
import { denseLayerSpecs, flattenDenseWeights, standardisedMatrix, trainBinaryMlp } from './train-mlp.ts';

/** Options of {@link trainElectronIdMlp}. */
export interface ElectronIdTrainingOptions {
  name?: string;
  /** Events generated (signal + background). */
  n: number;
  epochs: number;
  seed: number;
  hidden?: number[];
  backend: string;
  codeVersion?: string;
  onEpoch?: (epoch: number, loss: number, valLoss: number) => void;
}

/**
 * Trains the default electron-identification MLP on the simulated sample and returns its bundle,
 * with the figures of merit measured on the held-out test split by the bundle's own runtime (so
 * the published numbers are those the edge will reproduce).
 */
export async function trainElectronIdMlp(options: ElectronIdTrainingOptions): Promise<Bundle> {
  const sample = generateElectronId({ n: options.n, seed: options.seed });
  const inputNames = Object.keys(ELECTRON_ID_VARIABLES);
  const trained = await trainBinaryMlp({
    sample,
    inputNames,
    hidden: options.hidden ?? [32, 16],
    epochs: options.epochs,
    seed: options.seed,
    ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
  });
  const layers = denseLayerSpecs(trained.model);
  const weights = flattenDenseWeights(trained.model);
  trained.model.dispose();
  const parameters = mlpParameterCount(inputNames.length, layers);
  const datasetHash = await sha256Hex(
    new TextEncoder().encode(`electron-id:generateElectronId:n=${options.n}:seed=${options.seed}`),
  );
  const draft = {
    format: 'hepml-bundle' as const,
    formatVersion: 1 as const,
    name: options.name ?? 'electron-id-mlp',
    task: 'electron-id',
    description: `MLP ${[inputNames.length, ...layers.map((l) => l.units)].join('-')} on simulated electron candidates`,
    inputs: trained.inputs,
    outputs: [{ name: 'score', kind: 'score' as const, unit: '1' }],
    architecture: { kind: 'mlp' as const, inputSize: inputNames.length, layers, parameters },
    weights: 'weights.bin',
    metrics: {},
    workingPoints: [],
    lineage: {
      datasetHash,
      codeVersion: options.codeVersion ?? 'unknown',
      seed: options.seed,
      createdAt: new Date().toISOString(),
      backend: options.backend,
    },
  };
  // Evaluate with the runtime the edge uses, on the raw test rows.
  const runner = createMlpRunner({ ...draft, files: [] }, weights);
  const test = trained.split.test;
  const identity = trained.inputs.map((i) => ({ ...i, offset: 0, scale: 1 }));
  const raw = standardisedMatrix(sample, identity, test);
  const scores = runner.predict(raw, test.length);
  const labels = Uint8Array.from(test, (r) => sample.label[r] as number);
  const evaluation = evaluateBinaryClassifier(scores, labels);
  const bytes = new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength);
  return buildBundle(
    { ...draft, metrics: evaluation.metrics, workingPoints: evaluation.workingPoints, roc: evaluation.roc },
    new Map([['weights.bin', bytes]]),
  );
}

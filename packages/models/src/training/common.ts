import type { ColumnarSample } from '@hepml/physics';
import { at, concatArrays } from '@hepml/physics';
import type * as tf from '@tensorflow/tfjs';
import { type Bundle, buildBundle } from '../bundle/build.ts';
import { sha256Hex } from '../bundle/hash.ts';
import {
  type BundleInputV1,
  type BundleManifestV1,
  type DenseLayerV1,
  mlpParameterCount,
  type TrainingProfileName,
  transformInput,
} from '../bundle/manifest.ts';
import { createRunner, type ModelRunner } from '../runtime/runner.ts';

/** Options every network trainer of the default suite takes. */
export interface CommonTrainingOptions {
  /** Bundle name (lowercase, `[a-z0-9._-]`). */
  name?: string;
  epochs: number;
  seed: number;
  /** Backend name written into the lineage (what `selectBackend` took, plus any fallback). */
  backend: string;
  codeVersion?: string;
  /** Training profile written into the lineage (`pnpm train --profile`); none when absent. */
  profile?: TrainingProfileName;
  batchSize?: number;
  learningRate?: number;
  /** Called after each epoch with the training and validation losses. */
  onEpoch?: (epoch: number, loss: number, valLoss: number) => void;
}

/**
 * sha256 of a sample's content: every column (sorted by name), labels, weights and, when given,
 * the images, as little-endian bytes. Identifies the data a bundle was trained on.
 */
export async function sampleHash(sample: ColumnarSample, image?: Float32Array): Promise<string> {
  const parts: Uint8Array[] = [];
  const add = (v: ArrayBufferView) => parts.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  for (const k of Object.keys(sample.columns).sort()) add(sample.columns[k] as Float32Array);
  add(sample.label);
  add(sample.weight);
  if (image) add(image);
  return sha256Hex(concatArrays(parts, (n) => new Uint8Array(n)));
}

/** Row-major raw (unstandardised) matrix of the chosen rows and columns. */
export function rawMatrix(sample: ColumnarSample, names: readonly string[], rows: Uint32Array): Float32Array {
  const k = names.length;
  const out = new Float32Array(rows.length * k);
  names.forEach((name, j) => {
    const col = sample.columns[name];
    if (!col) throw new RangeError(`sample has no column "${name}"`);
    for (let r = 0; r < rows.length; r++) out[r * k + j] = col[at(rows, r)] as number;
  });
  return out;
}

/**
 * Standardises a raw row-major matrix in place with the bundle inputs' transforms, offsets and
 * scales: (t(x) − offset)/scale, as the runtimes do.
 */
export function standardiseInPlace(raw: Float32Array, inputs: readonly BundleInputV1[]): Float32Array {
  const k = inputs.length;
  for (let i = 0; i < raw.length; i++) {
    const input = at(inputs, i % k);
    raw[i] = (transformInput(at(raw, i), input.transform) - input.offset) / input.scale;
  }
  return raw;
}

/** Rows of an image array (n × size) picked in order. */
export function pickImages(image: Float32Array, size: number, rows: Uint32Array): Float32Array {
  const out = new Float32Array(rows.length * size);
  for (let r = 0; r < rows.length; r++) {
    const i = at(rows, r);
    out.set(image.subarray(i * size, (i + 1) * size), r * size);
  }
  return out;
}

/** Dense layer specs of a tfjs Sequential in the bundle's terms. */
export function denseSpecs(model: tf.LayersModel): DenseLayerV1[] {
  return model.layers.map((layer) => {
    const config = layer.getConfig() as { units: number; activation: string };
    return { type: 'dense', units: config.units, activation: config.activation as DenseLayerV1['activation'] };
  });
}

/** The float32 weights as bytes (little-endian on every platform Node and browsers run on). */
export function weightBytes(weights: Float32Array): Uint8Array {
  return new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength);
}

/**
 * Builds a bundle twice: first without figures to get the runtime the edge will use, then with
 * the figures `evaluate` measures with that runtime, so the published numbers are the ones the
 * edge reproduces.
 */
export async function bundleWithFigures(
  draft: Omit<BundleManifestV1, 'files'>,
  files: ReadonlyMap<string, Uint8Array>,
  evaluate: (
    runner: ModelRunner,
  ) => Pick<BundleManifestV1, 'metrics' | 'workingPoints'> & Partial<Pick<BundleManifestV1, 'roc' | 'evaluation'>>,
): Promise<Bundle> {
  const first = await buildBundle(draft, files);
  const runner = createRunner(first.manifest, Object.fromEntries(files));
  const figures = evaluate(runner);
  return buildBundle({ ...draft, ...figures }, files);
}

/** What an MLP bundle's manifest says beyond its architecture and weights. */
export type MlpBundleMeta = Pick<BundleManifestV1, 'name' | 'task' | 'description' | 'inputs' | 'outputs' | 'lineage'>;

/**
 * The bundle of a trained dense network: the `mlp` architecture of `layers` over the inputs,
 * `weights` as `weights.bin`, and the figures `evaluate` measures on its runtime
 * ({@link bundleWithFigures}).
 */
export function mlpBundle(
  meta: MlpBundleMeta,
  layers: DenseLayerV1[],
  weights: Float32Array,
  evaluate: Parameters<typeof bundleWithFigures>[2],
): Promise<Bundle> {
  const k = meta.inputs.length;
  const draft = {
    format: 'hepml-bundle' as const,
    formatVersion: 1 as const,
    name: meta.name,
    task: meta.task,
    description: meta.description,
    inputs: meta.inputs,
    outputs: meta.outputs,
    architecture: { kind: 'mlp' as const, inputSize: k, layers, parameters: mlpParameterCount(k, layers) },
    weights: 'weights.bin',
    metrics: {},
    workingPoints: [],
    lineage: meta.lineage,
  };
  return bundleWithFigures(draft, new Map([['weights.bin', weightBytes(weights)]]), evaluate);
}

/** Predicts in chunks so very large test sets do not allocate one huge output at once. */
export function predictRows(
  runner: ModelRunner,
  features: Float32Array,
  n: number,
  image?: Float32Array,
): Float32Array {
  const chunk = 8192;
  const out = new Float32Array(n * runner.outputSize);
  for (let s = 0; s < n; s += chunk) {
    const m = Math.min(chunk, n - s);
    const f = features.subarray(s * runner.inputSize, (s + m) * runner.inputSize);
    const img =
      image && runner.imageSize > 0 ? image.subarray(s * runner.imageSize, (s + m) * runner.imageSize) : undefined;
    out.set(runner.predict(f, m, img), s * runner.outputSize);
  }
  return out;
}

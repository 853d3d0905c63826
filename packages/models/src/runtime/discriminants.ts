import { at } from '@hepml/physics';
import { type BundleManifestV1, modelOutputs } from '../bundle/manifest.ts';
import { BundleError } from '../errors.ts';
import type { ModelRunner } from './model-runner.ts';

/** One derived discriminant: columns of the model's outputs summed in its numerator and denominator. */
interface DiscriminantColumns {
  signal: number[];
  background: number[];
}

/**
 * Wraps a runner of the model's own outputs so that it also returns the manifest's discriminant
 * outputs (`outputs[i].discriminant`): D = Σ p(signal) / (Σ p(signal) + Σ p(background)), summed
 * in float64, 0 when both sums are 0. A manifest without discriminants returns `runner` as it is.
 */
export function withDiscriminants(manifest: BundleManifestV1, runner: ModelRunner): ModelRunner {
  const own = modelOutputs(manifest.outputs);
  if (own.length === manifest.outputs.length) return runner;
  if (runner.outputSize !== own.length) {
    throw new BundleError(`outputs: the model gives ${runner.outputSize} values, the manifest lists ${own.length}`, {
      field: 'outputs',
    });
  }
  const columnOf = (name: string) => own.findIndex((o) => o.name === name);
  const derived: DiscriminantColumns[] = manifest.outputs.flatMap((o) =>
    o.discriminant
      ? [{ signal: o.discriminant.signal.map(columnOf), background: o.discriminant.background.map(columnOf) }]
      : [],
  );
  const k = own.length;
  const width = k + derived.length;
  return {
    inputSize: runner.inputSize,
    imageSize: runner.imageSize,
    outputSize: width,
    predict(features, n, image) {
      const base = runner.predict(features, n, image);
      const out = new Float32Array(n * width);
      for (let r = 0; r < n; r++) {
        const row = r * k;
        out.set(base.subarray(row, row + k), r * width);
        for (let d = 0; d < derived.length; d++) {
          const { signal, background } = at(derived, d);
          let s = 0;
          let b = 0;
          for (const c of signal) s += at(base, row + c);
          for (const c of background) b += at(base, row + c);
          out[r * width + k + d] = s + b > 0 ? s / (s + b) : 0;
        }
      }
      return out;
    },
  };
}

/**
 * Index of a tagger's score among the outputs: the output the evaluation names as its reference
 * (multi-class: the discriminant of the first signal class, or its probability), else the first
 * `score`, else the first `class-score`; -1 when the model has none (a regression).
 */
export function scoreOutputIndex(manifest: Pick<BundleManifestV1, 'outputs' | 'evaluation'>): number {
  const outputs = manifest.outputs;
  const reference = manifest.evaluation?.reference;
  const byReference = reference === undefined ? -1 : outputs.findIndex((o) => o.name === reference);
  if (byReference >= 0) return byReference;
  const score = outputs.findIndex((o) => o.kind === 'score');
  return score >= 0 ? score : outputs.findIndex((o) => o.kind === 'class-score');
}

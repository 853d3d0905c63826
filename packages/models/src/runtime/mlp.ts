import type { BundleManifestV1, DenseLayerV1 } from '../bundle/manifest.ts';
import { BundleError } from '../errors.ts';

/** A compiled MLP: standardisation and dense layers over Float32Array, no tfjs, no Node APIs. */
export interface MlpRunner {
  readonly inputSize: number;
  readonly outputSize: number;
  /**
   * Evaluates `n` rows given row-major as raw (unstandardised) inputs of length n × inputSize;
   * returns row-major outputs of length n × outputSize.
   */
  predict(raw: Float32Array, n: number): Float32Array;
}

interface CompiledLayer {
  fanIn: number;
  units: number;
  kernel: Float32Array;
  bias: Float32Array;
  activation: DenseLayerV1['activation'];
}

/**
 * Builds a runner from a validated manifest and its weights (per layer: kernel row-major
 * [fanIn × units], then bias [units]). Standardisation (x − offset)/scale is folded into the first
 * layer at build time: W'ij = Wij / scale_i, b'j = bj − Σi offset_i·Wij / scale_i, so a call does
 * no extra pass over the inputs.
 */
export function createMlpRunner(manifest: BundleManifestV1, weights: Float32Array): MlpRunner {
  const arch = manifest.architecture;
  if (arch.kind !== 'mlp') {
    throw new BundleError(`architecture.kind "${arch.kind}" is not an mlp`, { field: 'architecture.kind' });
  }
  if (weights.length !== arch.parameters) {
    throw new BundleError(`weights: ${weights.length} values, architecture needs ${arch.parameters}`, {
      field: 'weights',
    });
  }
  const layers: CompiledLayer[] = [];
  let offset = 0;
  let fanIn = arch.inputSize;
  for (const spec of arch.layers) {
    const kernel = weights.slice(offset, offset + fanIn * spec.units);
    offset += fanIn * spec.units;
    const bias = weights.slice(offset, offset + spec.units);
    offset += spec.units;
    layers.push({ fanIn, units: spec.units, kernel, bias, activation: spec.activation });
    fanIn = spec.units;
  }
  const first = layers[0];
  if (first) {
    // Fold standardisation in float64, then round once to float32.
    const bias = Float64Array.from(first.bias);
    for (let i = 0; i < first.fanIn; i++) {
      const input = manifest.inputs[i];
      if (!input) throw new BundleError(`inputs[${i}] missing`, { field: `inputs[${i}]` });
      for (let j = 0; j < first.units; j++) {
        const w = (first.kernel[i * first.units + j] as number) / input.scale;
        first.kernel[i * first.units + j] = w;
        bias[j] = (bias[j] as number) - input.offset * w;
      }
    }
    first.bias = Float32Array.from(bias);
  }
  const widest = Math.max(...layers.map((l) => l.units));
  let scratchA = new Float32Array(0);
  let scratchB = new Float32Array(0);

  return {
    inputSize: arch.inputSize,
    outputSize: layers[layers.length - 1]?.units ?? 0,
    predict(raw: Float32Array, n: number): Float32Array {
      if (raw.length !== n * arch.inputSize) {
        throw new BundleError(`predict: ${raw.length} values for ${n} rows of ${arch.inputSize} inputs`);
      }
      if (scratchA.length < n * widest) {
        scratchA = new Float32Array(n * widest);
        scratchB = new Float32Array(n * widest);
      }
      let src = raw;
      let dst = scratchA;
      for (let li = 0; li < layers.length; li++) {
        const l = layers[li] as CompiledLayer;
        denseForward(src, dst, n, l);
        src = dst;
        dst = dst === scratchA ? scratchB : scratchA;
      }
      const outSize = layers[layers.length - 1]?.units ?? 0;
      return src.slice(0, n * outSize);
    },
  };
}

function denseForward(src: Float32Array, dst: Float32Array, n: number, l: CompiledLayer): void {
  const { fanIn, units, kernel, bias } = l;
  for (let r = 0; r < n; r++) {
    const xo = r * fanIn;
    const yo = r * units;
    for (let j = 0; j < units; j++) dst[yo + j] = bias[j] as number;
    for (let i = 0; i < fanIn; i++) {
      const x = src[xo + i] as number;
      if (x === 0) continue;
      const ko = i * units;
      for (let j = 0; j < units; j++) dst[yo + j] = (dst[yo + j] as number) + x * (kernel[ko + j] as number);
    }
    applyActivation(dst, yo, units, l.activation);
  }
}

function applyActivation(y: Float32Array, o: number, units: number, act: DenseLayerV1['activation']): void {
  switch (act) {
    case 'linear':
      return;
    case 'relu':
      for (let j = o; j < o + units; j++) if ((y[j] as number) < 0) y[j] = 0;
      return;
    case 'sigmoid':
      for (let j = o; j < o + units; j++) y[j] = 1 / (1 + Math.exp(-(y[j] as number)));
      return;
    case 'tanh':
      for (let j = o; j < o + units; j++) y[j] = Math.tanh(y[j] as number);
      return;
    case 'elu':
      for (let j = o; j < o + units; j++) {
        const v = y[j] as number;
        if (v < 0) y[j] = Math.expm1(v);
      }
      return;
    case 'softmax': {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = o; j < o + units; j++) max = Math.max(max, y[j] as number);
      let sum = 0;
      for (let j = o; j < o + units; j++) {
        const e = Math.exp((y[j] as number) - max);
        y[j] = e;
        sum += e;
      }
      for (let j = o; j < o + units; j++) y[j] = (y[j] as number) / sum;
      return;
    }
  }
}

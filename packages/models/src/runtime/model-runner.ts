import { BundleError, ModelInputError } from '../errors.ts';

/**
 * A compiled model of any architecture kind. Inputs are RAW (units as in the manifest);
 * standardisation happens inside.
 */
export interface ModelRunner {
  /** Scalar floats per row, in `manifest.inputs` order. */
  readonly inputSize: number;
  /** Image floats per row (height × width × channels, HWC), 0 when the model takes no image. */
  readonly imageSize: number;
  /** Floats per output row, in `manifest.outputs` order. */
  readonly outputSize: number;
  /**
   * Evaluates `n` rows: `features` row-major n × inputSize, `image` row-major n × imageSize (only
   * for models with an image). Returns a new Float32Array of n × outputSize. Wrong lengths are a
   * {@link ModelInputError}.
   */
  predict(features: Float32Array, n: number, image?: Float32Array): Float32Array;
}

/** Throws a ModelInputError unless `n` is a non-negative integer and `length` equals n × size. */
export function checkRows(what: string, length: number, n: number, size: number): void {
  if (!Number.isInteger(n) || n < 0)
    throw new ModelInputError(`n must be a non-negative integer, got ${n}`, { field: 'n' });
  if (length !== n * size) {
    throw new ModelInputError(`${what}: ${length} values for ${n} rows of ${size}`, { field: what });
  }
}

/** Throws a BundleError naming `weights` unless the bundle's weights hold the architecture's `parameters`. */
export function checkParameterCount(weights: Float32Array, parameters: number): void {
  if (weights.length !== parameters) {
    throw new BundleError(`weights: ${weights.length} values, architecture needs ${parameters}`, { field: 'weights' });
  }
}

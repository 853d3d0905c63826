/** Named errors of `@hepml/models`; each carries an optional `cause`. */

/** A bundle (manifest or weights) that is malformed, inconsistent or whose hashes do not match. */
export class BundleError extends Error {
  override name = 'BundleError';
  /** Path of the offending field, e.g. `inputs[2].scale`, or the file name. */
  readonly field: string | undefined;
  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.field = options.field;
  }
}

/** Input rows given to a model that do not match its manifest. */
export class ModelInputError extends Error {
  override name = 'ModelInputError';
  readonly field: string | undefined;
  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.field = options.field;
  }
}

/** Registry conflicts and lookups that fail. */
export class RegistryError extends Error {
  override name = 'RegistryError';
  readonly code: 'not_found' | 'conflict' | 'invalid' | 'forbidden';
  constructor(message: string, options: { code: 'not_found' | 'conflict' | 'invalid' | 'forbidden'; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
}

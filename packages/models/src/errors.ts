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

/** What went wrong in the registry; each code has one HTTP status ({@link RegistryError.status}). */
export type RegistryErrorCode = 'not_found' | 'conflict' | 'invalid' | 'forbidden';

/**
 * The HTTP status of each registry error code: the one table the edge API and the dashboard's
 * forms answer with (unknown or invisible is 404, never 403, so private names do not leak).
 */
const REGISTRY_ERROR_STATUS = { not_found: 404, forbidden: 403, invalid: 400, conflict: 409 } as const;

/** Registry conflicts and lookups that fail, with the HTTP status they answer with. */
export class RegistryError extends Error {
  override name = 'RegistryError';
  readonly code: RegistryErrorCode;
  /** The input at fault (`name`, `version`), when one can be named. */
  readonly field: string | undefined;
  constructor(message: string, options: { code: RegistryErrorCode; field?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.field = options.field;
  }

  /** The HTTP status of this error's code. */
  get status(): (typeof REGISTRY_ERROR_STATUS)[RegistryErrorCode] {
    return REGISTRY_ERROR_STATUS[this.code];
  }
}

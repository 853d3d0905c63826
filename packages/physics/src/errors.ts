/** Named errors of `@hepml/physics`; each carries an optional `cause`. */

/**
 * An error that names the argument or field at fault (`inputs[2].scale`, `ptEdges`): the base of
 * every such error in hepml-edge (physics' {@link PhysicsInputError}, the models' bundle, input and
 * registry errors), so the API turns each into the `field` of its error envelope the same way.
 */
export class FieldError extends Error {
  override name = 'FieldError';
  /** The argument or field at fault, when one can be named. */
  readonly field: string | undefined;
  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.field = options.field;
  }
}

/** Bad input to a physics function: a value out of its domain, mismatched lengths, bad edges. */
export class PhysicsInputError extends FieldError {
  override name = 'PhysicsInputError';
}

/** A fit or a numerical method that did not converge; never a silent wrong answer. */
export class FitError extends Error {
  override name = 'FitError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
  }
}

/** A file (CSV, ROOT, Parquet, correctionlib JSON) that does not have the expected form. */
export class DataFormatError extends Error {
  override name = 'DataFormatError';
  readonly file: string | undefined;
  readonly row: number | undefined;
  readonly column: string | undefined;
  constructor(message: string, options: { file?: string; row?: number; column?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.file = options.file;
    this.row = options.row;
    this.column = options.column;
  }
}

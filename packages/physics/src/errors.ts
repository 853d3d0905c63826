/** Named errors of `@hepml/physics`; each carries an optional `cause`. */
export class PhysicsInputError extends Error {
  override name = 'PhysicsInputError';
  /** The argument or field at fault, when one can be named. */
  readonly field: string | undefined;
  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.field = options.field;
  }
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

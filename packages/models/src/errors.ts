/** Named errors of `@hepml/models`; each carries an optional `cause` and names its `field` ({@link FieldError}). */
import { FieldError } from '@hepml/physics';

/** A bundle (manifest or weights) that is malformed, inconsistent or whose hashes do not match; `field` is the path of the offending field, e.g. `inputs[2].scale`, or the file name. */
export class BundleError extends FieldError {
  override name = 'BundleError';
}

/** A task file (`TaskV1`) that is malformed; `field` is the JSON path of the fault (`inputs[2].unit`). */
export class TaskFileError extends FieldError {
  override name = 'TaskFileError';
}

/** Input rows given to a model that do not match its manifest. */
export class ModelInputError extends FieldError {
  override name = 'ModelInputError';
}

/** What went wrong in the registry; each code has one HTTP status ({@link RegistryError.status}). */
export type RegistryErrorCode = 'not_found' | 'conflict' | 'invalid' | 'forbidden';

/**
 * The HTTP status of each registry error code: the one table the edge API and the dashboard's
 * forms answer with (unknown or invisible is 404, never 403, so private names do not leak).
 */
const REGISTRY_ERROR_STATUS = { not_found: 404, forbidden: 403, invalid: 400, conflict: 409 } as const;

/** Registry conflicts and lookups that fail, with the HTTP status they answer with. */
export class RegistryError extends FieldError {
  override name = 'RegistryError';
  readonly code: RegistryErrorCode;
  /** `field`: the input at fault (`name`, `version`), when one can be named. */
  constructor(message: string, options: { code: RegistryErrorCode; field?: string; cause?: unknown }) {
    super(message, options);
    this.code = options.code;
  }

  /** The HTTP status of this error's code. */
  get status(): (typeof REGISTRY_ERROR_STATUS)[RegistryErrorCode] {
    return REGISTRY_ERROR_STATUS[this.code];
  }
}

/**
 * An ONNX file that cannot be imported: truncated or malformed protobuf bytes, or a graph that is
 * inconsistent (a value used before it is produced, shapes that do not agree). `field` is the path
 * of the offending part, e.g. `graph.node[3].attribute[0]` or `graph.initializer["fc.weight"].raw_data`.
 */
export class OnnxImportError extends FieldError {
  override name = 'OnnxImportError';
}

/**
 * An ONNX graph that uses what the importer does not implement: an operator, an attribute value or
 * a dynamic shape. `op` is the operator (`Loop`, `Conv`), `node` the node's name and the message
 * says what is missing; `field` is the node's path (`graph.node[3]`).
 */
export class OnnxUnsupportedError extends OnnxImportError {
  override name = 'OnnxUnsupportedError';
  readonly op: string;
  readonly node: string;
  constructor(message: string, options: { op: string; node: string; field?: string; cause?: unknown }) {
    super(message, options);
    this.op = options.op;
    this.node = options.node;
  }
}

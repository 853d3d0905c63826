import { DataFormatError } from '../errors.ts';
import { parseFormat } from '../io/format.ts';
import { CorrectionSetV2 } from './schema-v2.ts';

/** Options of {@link validateCorrectionSet}. */
export interface ValidateCorrectionSetOptions {
  /** File name to put in error messages. */
  file?: string;
}

/**
 * Strictly validates a parsed JSON document against the correctionlib schema v2 subset (the zod
 * schema {@link CorrectionSetV2} of `schema-v2.ts`, which lists its rules) and returns it typed,
 * without the `null` descriptions and defaults correctionlib may write. Unknown keys are errors,
 * not ignored.
 *
 * Throws {@link DataFormatError} whose message starts with the file and the JSON path of the
 * offending value, e.g. `sf.json: corrections[0].data.content[1].value.edges[0][2]: …`; `column`
 * is that path (`$` for the document itself).
 */
export function validateCorrectionSet(doc: unknown, options: ValidateCorrectionSetOptions = {}): CorrectionSetV2 {
  const file = options.file;
  const result = parseFormat(CorrectionSetV2, doc, { root: '$' });
  if (result.success) return result.data;
  const { field, message } = result.issue;
  throw new DataFormatError(`${file ? `${file}: ` : ''}${field}: ${message}`, {
    file,
    column: field,
    cause: result.error,
  });
}

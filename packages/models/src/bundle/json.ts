import { parseFormat } from '@hepml/physics';
import { z } from 'zod';
import { BundleError } from '../errors.ts';

/**
 * The one way to read a JSON file of a bundle (manifest, evaluation block, baseline parameters,
 * scale-factor tables) against its zod schema, and the number types those schemas share. Every
 * failure is a {@link BundleError} whose message starts with the file and whose `field` is the
 * JSON path (`architecture.layers[2].filters`); the wording is `parseFormat`'s (`@hepml/physics`).
 */

/** Options of {@link parseBundleJson}. */
export interface ParseBundleJsonOptions {
  /** File name at the start of error messages (default `manifest.json`). */
  file?: string;
  /** Path of the value inside the file (e.g. `evaluation`), put in front of every field. */
  at?: string;
  /** `field` of a fault of the document itself (default `(root)`; the baseline files say `''`). */
  root?: string;
}

/**
 * Parses `value` with `schema`; on failure throws the BundleError `"<file>: <field>: <message>"`
 * for the first issue, with `field` set and zod's error as `cause`.
 */
export function parseBundleJson<T>(schema: z.ZodType<T>, value: unknown, options: ParseBundleJsonOptions = {}): T {
  const result = parseFormat(schema, value, {
    ...(options.at === undefined ? {} : { at: options.at }),
    ...(options.root === undefined ? {} : { root: options.root }),
  });
  if (result.success) return result.data;
  const { field, message } = result.issue;
  throw new BundleError(`${options.file ?? 'manifest.json'}: ${field}: ${message}`, { field, cause: result.error });
}

/** An integer ≥ 1. */
export const positiveInt = z
  .number()
  .int({ error: 'must be a positive integer' })
  .positive({ error: 'must be a positive integer' });

/** An integer ≥ 0 (a count, a size in bytes). */
export const nonNegativeInt = z
  .number()
  .int({ error: 'must be a non-negative integer' })
  .nonnegative({ error: 'must be a non-negative integer' });

/** A number in [0, 1] (a probability, an efficiency, a p-value). */
export const probability = z.number().min(0, { error: 'must lie in [0, 1]' }).max(1, { error: 'must lie in [0, 1]' });

/** A number > 0. */
export const positive = z.number().positive({ error: 'must be positive' });

import { fieldPath } from '@hepml/physics';
import type { z } from 'zod';

/** Where a zod issue points and what it says, for errors that name the field at fault. */
export interface IssueAt {
  /** JSON path of the value at fault (`rows[3].et`); an unknown key is named itself. Empty at the root. */
  field: string;
  message: string;
  /** Whether the issue is a key the schema does not know (the message is zod's). */
  unknownKey: boolean;
}

/**
 * The first issue of a failed API input parse as a field path (physics' {@link fieldPath}, as for
 * files) and zod's message, for the `field` of API errors (`['rows', 3, 'et']` → `rows[3].et`).
 */
export function firstIssue(error: z.ZodError): IssueAt {
  const issue = error.issues[0];
  if (!issue) return { field: '', message: 'invalid input', unknownKey: false };
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) {
    return { field: fieldPath([...issue.path, issue.keys[0]]), message: issue.message, unknownKey: true };
  }
  return { field: fieldPath(issue.path), message: issue.message, unknownKey: false };
}

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
 * The first issue of a failed parse as a field path and message: the one translation of zod's
 * issue paths into the `field` of API errors and file errors (`['rows', 3, 'et']` → `rows[3].et`).
 */
export function firstIssue(error: z.ZodError): IssueAt {
  const issue = error.issues[0];
  if (!issue) return { field: '', message: 'invalid input', unknownKey: false };
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) {
    return { field: fieldPath([...issue.path, issue.keys[0]]), message: issue.message, unknownKey: true };
  }
  return { field: fieldPath(issue.path), message: issue.message, unknownKey: false };
}

/** `['rows', 3, 'et']` → `rows[3].et`, after `prefix` when one is given. */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

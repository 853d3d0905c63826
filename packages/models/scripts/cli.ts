/** What the model scripts share on the command line: one-line failures and checked numeric flags. */

/** `fail(message)` prints `<program>: message` on stderr and exits with status 2 (bad input). */
export function cliFailure(program: string): (message: string) => never {
  return (message) => {
    process.stderr.write(`${program}: ${message}\n`);
    process.exit(2);
  };
}

/** A positive integer flag (`--name`), undefined when absent; anything else fails with a line naming it. */
export function positiveIntFlag(
  fail: (message: string) => never,
): (value: string | undefined, name: string) => number | undefined {
  return (value, name) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a positive integer, got "${value}"`);
    return n;
  };
}

#!/usr/bin/env node
/**
 * Test-suite bookkeeping for `npm test`: `--reset` clears the per-suite vitest JSON reports, and a
 * plain call adds them up and prints one closing line, "tests: N passed, N failed, N skipped".
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', '.hepml', 'test-results');
if (process.argv.includes('--reset')) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.exit(0);
}
let passed = 0;
let failed = 0;
let skipped = 0;
const suites = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
for (const file of suites) {
  const r = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
if (suites.length === 0 || passed === 0) {
  process.stderr.write('test-summary: no test results found: the suite ran no test\n');
  process.exit(1);
}
process.stdout.write(`\n${suites.length} suites (${suites.map((f) => f.replace('.json', '')).join(', ')})\n`);
process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 ? 1 : 0);

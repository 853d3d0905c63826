/**
 * `pnpm onnx-conformance CASE_DIR…`: runs ONNX backend-test cases through the importer and the
 * runtime (see `src/import/onnx/conformance.ts`). A CASE_DIR holds `model.onnx` and
 * `test_data_set_*` folders of `input_N.pb` and `output_N.pb`. Prints one line per case —
 * `PASS name`, `FAIL name: max |Δ| …` or `UNSUPPORTED name: <op> (…)` — then
 * `onnx: N passed, N failed, N unsupported`.
 *
 * Exit status: 0 when every case passed; 1 when any case failed (a wrong answer or an import
 * error); 3 when none failed but some are unsupported (an op, attribute or shape the importer
 * refuses: a known gap, not a wrong answer); 2 for bad usage or a case folder that is not one
 * (missing `model.onnx` or data sets), named in one line.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  formatOnnxCaseResult,
  formatOnnxSummary,
  type OnnxCaseFiles,
  type OnnxCaseResult,
  runOnnxCase,
} from '../src/import/onnx/conformance.ts';
import { cliFailure } from './cli.ts';

const fail = cliFailure('onnx-conformance');

/** `prefix_N.pb` files of a data set, in N order (0, 1, … without gaps). */
function numbered(dir: string, prefix: 'input' | 'output'): Uint8Array[] {
  const files = readdirSync(dir).filter((f) => new RegExp(`^${prefix}_\\d+\\.pb$`).test(f));
  const out: Uint8Array[] = [];
  for (let i = 0; i < files.length; i++) {
    const path = join(dir, `${prefix}_${i}.pb`);
    if (!existsSync(path)) fail(`${path}: missing (the ${prefix}s must be numbered 0 … ${files.length - 1})`);
    out.push(readFileSync(path));
  }
  return out;
}

function readCase(dir: string): OnnxCaseFiles {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) fail(`${dir}: not a folder`);
  const modelPath = join(dir, 'model.onnx');
  if (!existsSync(modelPath)) fail(`${modelPath}: missing (a case folder holds model.onnx and test_data_set_*/)`);
  const sets = readdirSync(dir)
    .filter((f) => /^test_data_set_\d+$/.test(f))
    .sort((a, b) => Number(a.slice(14)) - Number(b.slice(14)));
  if (!sets.length) fail(`${dir}: no test_data_set_* folder`);
  const dataSets = sets.map((s) => {
    const inputs = numbered(join(dir, s), 'input');
    const outputs = numbered(join(dir, s), 'output');
    if (!outputs.length) fail(`${join(dir, s)}: no output_0.pb`);
    return { inputs, outputs };
  });
  return { name: basename(dir.replace(/\/+$/, '')), model: readFileSync(modelPath), dataSets };
}

const dirs = process.argv.slice(2);
if (!dirs.length || dirs.includes('--help')) {
  process.stderr.write('usage: onnx-conformance CASE_DIR… (each with model.onnx and test_data_set_*/)\n');
  process.exit(2);
}
const cases = dirs.map(readCase);
const results: OnnxCaseResult[] = [];
for (const c of cases) {
  const r = await runOnnxCase(c);
  results.push(r);
  process.stdout.write(`${formatOnnxCaseResult(r)}\n`);
}
process.stdout.write(`${formatOnnxSummary(results)}\n`);
process.exit(results.some((r) => r.status === 'fail') ? 1 : results.some((r) => r.status === 'unsupported') ? 3 : 0);

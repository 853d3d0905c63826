/**
 * `pnpm export-model <bundle-dir> [--out <dir>]`: writes a bundle's model for the experiments' own
 * software (Athena and CMSSW run ONNX Runtime; lwtnn for dense networks in C++), after checking the
 * bundle's hashes:
 * every kind (`mlp`, `cnn-film`, `gbdt`, `cuts`, `likelihood`, `standard-calibration`) →
 * `<name>.onnx` and `<name>.variables.json` (input names, offsets, scales, output labels, image
 * layout); `mlp` also `<name>.lwtnn.json`, the others print a note that lwtnn cannot express them.
 * Exit codes: 0 written, 1 bundle refused (hashes, manifest, a kind this exporter does not know), 2 usage.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BundleError } from '../src/errors.ts';
import { exportBundleFiles } from '../src/export/index.ts';
import { readBundleDir } from '../src/node/bundle-dir.ts';

const usage = 'usage: pnpm export-model <bundle-dir> [--out <dir>]\n';
function parseCli() {
  try {
    return parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
  } catch (err) {
    process.stderr.write(`export-model: ${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
}
const { values, positionals } = parseCli();
const cwd = process.env.INIT_CWD ?? process.cwd();
const [dirArg] = positionals;
if (!dirArg || positionals.length > 1) {
  process.stderr.write(usage);
  process.exit(2);
}
try {
  const bundle = await readBundleDir(resolve(cwd, dirArg));
  const m = bundle.manifest;
  const sha = m.files.find((f) => f.path === m.weights)?.sha256 ?? '';
  const result = exportBundleFiles(m, Object.fromEntries(bundle.files), {
    model: m.name,
    weightsSha256: sha,
    codeVersion: m.lineage.codeVersion,
  });
  const out = resolve(cwd, values.out ?? dirArg);
  await mkdir(out, { recursive: true });
  process.stdout.write(`${m.name} (${m.architecture.kind}, task ${m.task}):\n`);
  for (const file of result.files) {
    const path = join(out, file.path);
    await writeFile(path, file.bytes);
    process.stdout.write(`  wrote ${path} (${file.bytes.byteLength} bytes)\n    ${file.description}\n`);
  }
  for (const note of result.notes) process.stdout.write(`  note: ${note}\n`);
} catch (err) {
  if (!(err instanceof BundleError)) throw err;
  process.stderr.write(`export-model: ${err.message}\n`);
  process.exit(1);
}

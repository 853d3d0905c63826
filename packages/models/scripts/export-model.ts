/**
 * `pnpm export-model <bundle-dir> [--out <dir>]`: writes a dense network of a bundle as
 * `<name>.onnx` (ONNX Runtime, as in Athena and CMSSW) and `<name>.lwtnn.json` (input names,
 * offsets and scales, for lwtnn's C++ reader), after checking the bundle's hashes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { weightsFromBytes } from '../src/bundle/verify.ts';
import { BundleError } from '../src/errors.ts';
import { denseChainOf, exportLwtnn, exportOnnx } from '../src/export/index.ts';
import { readBundleDir } from './bundle-io.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
const cwd = process.env.INIT_CWD ?? process.cwd();
const [dirArg] = positionals;
if (!dirArg) {
  process.stderr.write('usage: pnpm export-model <bundle-dir> [--out <dir>]\n');
  process.exit(2);
}
try {
  const bundle = await readBundleDir(resolve(cwd, dirArg));
  const m = bundle.manifest;
  const weights = weightsFromBytes(bundle.files.get(m.weights) ?? new Uint8Array());
  const chain = denseChainOf(m, weights);
  const sha = m.files.find((f) => f.path === m.weights)?.sha256 ?? '';
  const out = resolve(cwd, values.out ?? dirArg);
  await mkdir(out, { recursive: true });
  const onnxPath = join(out, `${m.name}.onnx`);
  const lwtnnPath = join(out, `${m.name}.lwtnn.json`);
  await writeFile(onnxPath, exportOnnx(chain, { name: m.name, metadata: { 'hepml.weights.sha256': sha } }));
  await writeFile(lwtnnPath, `${JSON.stringify(exportLwtnn(chain, { model: m.name, weightsSha256: sha }), null, 1)}\n`);
  process.stdout.write(`wrote ${onnxPath}\nwrote ${lwtnnPath}\n`);
} catch (err) {
  if (!(err instanceof BundleError)) throw err;
  process.stderr.write(`export-model: ${err.message}\n`);
  process.exit(1);
}

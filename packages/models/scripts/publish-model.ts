/**
 * `pnpm publish-model <bundle-dir> --to <url> --token <t> [--visibility private|collaboration|public]
 *  [--collaboration <name>] [--parent-version N] [--skip-local-check]`
 *
 * Publishes a bundle directory through the inference API (never the database directly): the
 * directory is checked locally (manifest and every sha256), packed as a tar and uploaded as
 * multipart/form-data to `POST <url>/v1/models`. The server checks everything again. Prints the
 * version published and where to see it; a refusal prints the server's reason and exits 1.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readBundle } from '../src/bundle/build.ts';
import { writeTar } from '../src/bundle/tar.ts';
import { BundleError } from '../src/errors.ts';

const USAGE =
  'usage: pnpm publish-model <bundle-dir> --to <url> --token <token> [--visibility private|collaboration|public] [--collaboration <name>] [--parent-version N] [--skip-local-check]';

function die(message: string, code = 1): never {
  process.stderr.write(`publish-model: ${message}\n`);
  process.exit(code);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    to: { type: 'string' },
    token: { type: 'string' },
    visibility: { type: 'string' },
    collaboration: { type: 'string' },
    'parent-version': { type: 'string' },
    'skip-local-check': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const [dirArg] = positionals;
if (!dirArg || positionals.length > 1) die(`give exactly one bundle directory\n${USAGE}`, 2);
if (!values.to) die(`--to <url> is required (e.g. http://127.0.0.1:8787)\n${USAGE}`, 2);
if (!values.token) die(`--token is required (npm start prints a local admin token)\n${USAGE}`, 2);
if (values.visibility && !['private', 'collaboration', 'public'].includes(values.visibility)) {
  die('--visibility must be private, collaboration or public', 2);
}
let base: URL;
try {
  base = new URL(values.to);
} catch {
  die(`--to: "${values.to}" is not a URL`, 2);
}

// pnpm runs scripts from the package root; resolve the directory against where the user typed.
const dir = resolve(process.env.INIT_CWD ?? process.cwd(), dirArg);
if (!(await stat(dir).catch(() => null))?.isDirectory()) die(`${dir}: not a directory`);
const files = new Map<string, Uint8Array>();
for (const entry of await readdir(dir, { withFileTypes: true })) {
  if (entry.isFile()) files.set(entry.name, new Uint8Array(await readFile(join(dir, entry.name))));
}

let name = '(unknown)';
try {
  const bundle = await readBundle(files);
  name = bundle.manifest.name;
} catch (err) {
  if (!(err instanceof BundleError)) throw err;
  if (!values['skip-local-check']) die(`${dir}: ${err.message}`);
  process.stderr.write(`publish-model: local check failed (${err.message}); sending anyway\n`);
}

const form = new FormData();
form.set('bundle', new Blob([writeTar(files)], { type: 'application/x-tar' }), `${name}.tar`);
if (values.visibility) form.set('visibility', values.visibility);
if (values.collaboration) form.set('collaboration', values.collaboration);
if (values['parent-version']) form.set('parentVersion', values['parent-version']);

let res: Response;
try {
  res = await fetch(new URL('/v1/models', base), {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${values.token}` },
  });
} catch (err) {
  die(`cannot reach ${base.origin}: ${(err as Error).message}`);
}
const text = await res.text();
let body: unknown;
try {
  body = JSON.parse(text);
} catch {
  die(`${res.status} from ${base.origin}, not JSON: ${text.slice(0, 200)}`);
}
if (!res.ok) {
  const e = (body as { error?: { code?: string; message?: string; field?: string } }).error ?? {};
  die(`refused (${res.status} ${e.code ?? ''}): ${e.message ?? text}${e.field ? ` [field: ${e.field}]` : ''}`);
}
const published = body as {
  name: string;
  version: number;
  task: string;
  files: { path: string; bytes: number; sha256: string }[];
  links: { version: string; bundle: string; predict: string };
};
const url = (p: string) => new URL(p, base).toString();
process.stdout.write(
  [
    `published ${published.name} v${published.version} (task ${published.task})`,
    ...published.files.map((f) => `  ${f.path.padEnd(24)} ${String(f.bytes).padStart(9)} B  sha256 ${f.sha256}`),
    `  version   ${url(published.links.version)}`,
    `  download  ${url(published.links.bundle)}`,
    `  predict   POST ${url(published.links.predict)}`,
    '',
  ].join('\n'),
);

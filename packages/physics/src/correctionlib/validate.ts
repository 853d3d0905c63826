import { DataFormatError } from '../errors.ts';
import type {
  BinningV2,
  CategoryItemV2,
  CategoryV2,
  ContentV2,
  CorrectionSetV2,
  CorrectionV2,
  EdgeV2,
  FlowV2,
  MultiBinningV2,
  VariableV2,
} from './schema-v2.ts';

type Json = Record<string, unknown>;

/** Options of {@link validateCorrectionSet}. */
export interface ValidateCorrectionSetOptions {
  /** File name to put in error messages. */
  file?: string;
}

/**
 * Strictly validates a parsed JSON document against the correctionlib schema v2 subset of
 * `schema-v2.ts` and returns it typed. Beyond the JSON schema it checks what the correctionlib
 * evaluator would reject later: unique correction names, unique and homogeneous category keys,
 * nodes referring only to declared inputs of the right type (category: string/int, binning:
 * int/real), edges strictly increasing (±"inf" only at the ends), content lengths equal to the
 * number of bins, output type "real". Unknown keys are errors, not ignored.
 *
 * Throws {@link DataFormatError} whose message starts with the file and the JSON path of the
 * offending value, e.g. `sf.json: corrections[0].data.content[1].value.edges[0][2]: …`.
 */
export function validateCorrectionSet(doc: unknown, options: ValidateCorrectionSetOptions = {}): CorrectionSetV2 {
  const file = options.file;
  const fail = (path: string, message: string): never => {
    throw new DataFormatError(`${file ? `${file}: ` : ''}${path}: ${message}`, { file, column: path });
  };
  const root = object(doc, '$', fail);
  allowKeys(root, ['schema_version', 'description', 'corrections'], '$', fail);
  if (root.schema_version !== 2) fail('schema_version', `must be 2, found ${JSON.stringify(root.schema_version)}`);
  const description = optionalString(root, 'description', '$', fail);
  const list = root.corrections;
  if (!Array.isArray(list)) return fail('corrections', 'must be an array');
  const names = new Set<string>();
  const corrections = list.map((c, i) => {
    const correction = validateCorrection(c, `corrections[${i}]`, fail);
    if (names.has(correction.name)) fail(`corrections[${i}].name`, `duplicate correction name "${correction.name}"`);
    names.add(correction.name);
    return correction;
  });
  return description === undefined
    ? { schema_version: 2, corrections }
    : { schema_version: 2, description, corrections };
}

type Fail = (path: string, message: string) => never;

function object(value: unknown, path: string, fail: Fail): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(path, 'must be an object');
  return value as Json;
}

function allowKeys(o: Json, allowed: readonly string[], path: string, fail: Fail): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) fail(join(path, key), `unknown or unsupported key (allowed: ${allowed.join(', ')})`);
  }
}

function join(path: string, key: string): string {
  return path === '$' ? key : `${path}.${key}`;
}

function requiredString(o: Json, key: string, path: string, fail: Fail): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) return fail(join(path, key), 'must be a non-empty string');
  return v;
}

function optionalString(o: Json, key: string, path: string, fail: Fail): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return fail(join(path, key), 'must be a string');
  return v;
}

function validateVariable(value: unknown, path: string, fail: Fail): VariableV2 {
  const o = object(value, path, fail);
  allowKeys(o, ['name', 'type', 'description'], path, fail);
  const name = requiredString(o, 'name', path, fail);
  const type = o.type;
  if (type !== 'string' && type !== 'int' && type !== 'real') {
    return fail(join(path, 'type'), `must be "string", "int" or "real", found ${JSON.stringify(type)}`);
  }
  const description = optionalString(o, 'description', path, fail);
  return description === undefined ? { name, type } : { name, type, description };
}

function validateCorrection(value: unknown, path: string, fail: Fail): CorrectionV2 {
  const o = object(value, path, fail);
  allowKeys(o, ['name', 'description', 'version', 'inputs', 'output', 'data'], path, fail);
  const name = requiredString(o, 'name', path, fail);
  const description = optionalString(o, 'description', path, fail);
  const version = o.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) fail(join(path, 'version'), 'must be an integer');
  if (!Array.isArray(o.inputs)) return fail(join(path, 'inputs'), 'must be an array');
  const inputs = o.inputs.map((v, i) => validateVariable(v, `${path}.inputs[${i}]`, fail));
  const inputTypes = new Map<string, VariableV2['type']>();
  inputs.forEach((v, i) => {
    if (inputTypes.has(v.name)) fail(`${path}.inputs[${i}].name`, `duplicate input "${v.name}"`);
    inputTypes.set(v.name, v.type);
  });
  const output = validateVariable(o.output, join(path, 'output'), fail);
  if (output.type !== 'real') fail(`${path}.output.type`, 'must be "real" (correctionlib supports real outputs only)');
  if (!('data' in o)) fail(join(path, 'data'), 'is missing');
  const data = validateContent(o.data, join(path, 'data'), inputTypes, fail);
  const correction: CorrectionV2 = { name, version: version as number, inputs, output, data };
  if (description !== undefined) correction.description = description;
  return correction;
}

function validateContent(
  value: unknown,
  path: string,
  inputs: ReadonlyMap<string, VariableV2['type']>,
  fail: Fail,
): ContentV2 {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(path, 'must be a finite number');
    return value;
  }
  const o = object(value, path, fail);
  switch (o.nodetype) {
    case 'category':
      return validateCategory(o, path, inputs, fail);
    case 'binning':
      return validateBinning(o, path, inputs, fail);
    case 'multibinning':
      return validateMultiBinning(o, path, inputs, fail);
    default:
      return fail(
        join(path, 'nodetype'),
        `unsupported node type ${JSON.stringify(o.nodetype)} (this subset: category, binning, multibinning, number)`,
      );
  }
}

function validateCategory(
  o: Json,
  path: string,
  inputs: ReadonlyMap<string, VariableV2['type']>,
  fail: Fail,
): CategoryV2 {
  allowKeys(o, ['nodetype', 'input', 'content', 'default'], path, fail);
  const input = requiredString(o, 'input', path, fail);
  const type = inputs.get(input);
  if (type === undefined) fail(join(path, 'input'), `"${input}" is not an input of the correction`);
  if (type === 'real') fail(join(path, 'input'), `category input "${input}" must be of type string or int`);
  if (!Array.isArray(o.content)) return fail(join(path, 'content'), 'must be an array');
  const keys = new Set<string | number>();
  const content: CategoryItemV2[] = o.content.map((item, i) => {
    const itemPath = `${path}.content[${i}]`;
    const io = object(item, itemPath, fail);
    allowKeys(io, ['key', 'value'], itemPath, fail);
    const key = io.key;
    const keyOk = type === 'string' ? typeof key === 'string' : typeof key === 'number' && Number.isInteger(key);
    if (!keyOk)
      fail(`${itemPath}.key`, `must be ${type === 'string' ? 'a string' : 'an integer'} to match input "${input}"`);
    const k = key as string | number;
    if (keys.has(k)) fail(`${itemPath}.key`, `duplicate key ${JSON.stringify(k)}`);
    keys.add(k);
    return { key: k, value: validateContent(io.value, `${itemPath}.value`, inputs, fail) };
  });
  const node: CategoryV2 = { nodetype: 'category', input, content };
  if (o.default !== undefined && o.default !== null) {
    node.default = validateContent(o.default, join(path, 'default'), inputs, fail);
  }
  return node;
}

function validateEdges(value: unknown, path: string, fail: Fail): EdgeV2[] {
  if (!Array.isArray(value)) {
    return fail(path, 'must be an array of edges (uniform binnings are outside the supported subset)');
  }
  if (value.length < 2) fail(path, 'needs at least two edges');
  let previous = Number.NEGATIVE_INFINITY;
  return value.map((e, i) => {
    const p = `${path}[${i}]`;
    let x: number;
    if (e === 'inf') {
      if (i !== value.length - 1) fail(p, '"inf" is allowed only as the last edge');
      x = Number.POSITIVE_INFINITY;
    } else if (e === '-inf') {
      if (i !== 0) fail(p, '"-inf" is allowed only as the first edge');
      x = Number.NEGATIVE_INFINITY;
    } else if (typeof e === 'number' && Number.isFinite(e)) {
      x = e;
    } else {
      return fail(p, `must be a finite number, "inf" or "-inf", found ${JSON.stringify(e)}`);
    }
    if (i > 0 && !(x > previous)) fail(p, `edges must be strictly increasing (${JSON.stringify(e)} after ${previous})`);
    previous = x;
    return e as EdgeV2;
  });
}

function validateFlow(
  value: unknown,
  path: string,
  inputs: ReadonlyMap<string, VariableV2['type']>,
  fail: Fail,
): FlowV2 {
  if (value === 'clamp' || value === 'error') return value;
  if (value === undefined) return fail(path, 'is missing (state "clamp", "error" or a content node)');
  if (typeof value === 'string') return fail(path, `must be "clamp", "error" or a content node, found "${value}"`);
  return validateContent(value, path, inputs, fail);
}

function checkBinnedInput(
  input: string,
  path: string,
  inputs: ReadonlyMap<string, VariableV2['type']>,
  fail: Fail,
): void {
  const type = inputs.get(input);
  if (type === undefined) fail(path, `"${input}" is not an input of the correction`);
  if (type === 'string') fail(path, `binned input "${input}" must be of type real or int`);
}

function validateBinning(
  o: Json,
  path: string,
  inputs: ReadonlyMap<string, VariableV2['type']>,
  fail: Fail,
): BinningV2 {
  allowKeys(o, ['nodetype', 'input', 'edges', 'content', 'flow'], path, fail);
  const input = requiredString(o, 'input', path, fail);
  checkBinnedInput(input, join(path, 'input'), inputs, fail);
  const edges = validateEdges(o.edges, join(path, 'edges'), fail);
  if (!Array.isArray(o.content)) return fail(join(path, 'content'), 'must be an array');
  if (o.content.length !== edges.length - 1) {
    fail(join(path, 'content'), `has ${o.content.length} entries for ${edges.length - 1} bins`);
  }
  const content = o.content.map((c, i) => validateContent(c, `${path}.content[${i}]`, inputs, fail));
  const flow = validateFlow(o.flow, join(path, 'flow'), inputs, fail);
  return { nodetype: 'binning', input, edges, content, flow };
}

function validateMultiBinning(
  o: Json,
  path: string,
  inputs: ReadonlyMap<string, VariableV2['type']>,
  fail: Fail,
): MultiBinningV2 {
  allowKeys(o, ['nodetype', 'inputs', 'edges', 'content', 'flow'], path, fail);
  if (!Array.isArray(o.inputs) || o.inputs.length === 0) return fail(join(path, 'inputs'), 'must be a non-empty array');
  const names = o.inputs.map((name, i) => {
    if (typeof name !== 'string') return fail(`${path}.inputs[${i}]`, 'must be a string');
    checkBinnedInput(name, `${path}.inputs[${i}]`, inputs, fail);
    return name;
  });
  if (!Array.isArray(o.edges) || o.edges.length !== names.length) {
    return fail(join(path, 'edges'), `must be an array of ${names.length} edge arrays, one per input`);
  }
  const edges = o.edges.map((e, i) => validateEdges(e, `${path}.edges[${i}]`, fail));
  const bins = edges.reduce((n, e) => n * (e.length - 1), 1);
  if (!Array.isArray(o.content)) return fail(join(path, 'content'), 'must be an array');
  if (o.content.length !== bins) {
    fail(join(path, 'content'), `has ${o.content.length} entries, the product of the axis sizes is ${bins}`);
  }
  const content = o.content.map((c, i) => validateContent(c, `${path}.content[${i}]`, inputs, fail));
  const flow = validateFlow(o.flow, join(path, 'flow'), inputs, fail);
  return { nodetype: 'multibinning', inputs: names, edges, content, flow };
}

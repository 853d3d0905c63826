/**
 * ONNX backend-test cases (a `model.onnx` and `test_data_set_*` folders of `input_N.pb` and
 * `output_N.pb` TensorProtos) run through the importer and the runtime: the model becomes a bundle
 * ({@link onnxToBundle}), the bundle a runner (`createRunner`, as the Worker builds it), the
 * inputs rows, and the runner's outputs are compared with the reference outputs to ONNX's
 * backend-test tolerances |Δ| ≤ atol + rtol·|reference|, rtol 1e-3, atol 1e-7
 * (onnx/backend/test/runner). No file system here: the caller hands over the bytes.
 */
import { parseManifest } from '../../bundle/manifest.ts';
import { OnnxImportError, OnnxUnsupportedError } from '../../errors.ts';
import { compileOnnxGraph, runOnnx } from '../../runtime/onnx-graph/compile.ts';
import { createRunner } from '../../runtime/runner.ts';
import { onnxToBundle } from './bundle.ts';
import { decodeOnnxModel, decodeOnnxTensor } from './decode.ts';
import type { OnnxModel, OnnxTensor } from './model.ts';

/** ONNX's backend-test tolerances. */
export const ONNX_RTOL = 1e-3;
export const ONNX_ATOL = 1e-7;

/** The bytes of one case. */
export interface OnnxCaseFiles {
  name: string;
  model: Uint8Array;
  /** Per test data set: `input_N.pb` and `output_N.pb` in N order. */
  dataSets: { inputs: Uint8Array[]; outputs: Uint8Array[] }[];
}

/** The verdict on one case. */
export type OnnxCaseResult =
  | { name: string; status: 'pass'; maxDiff: number; architecture: string }
  | { name: string; status: 'fail'; maxDiff?: number; message: string; architecture?: string }
  | { name: string; status: 'unsupported'; op: string; message: string };

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function numbers(t: OnnxTensor): Float64Array {
  if (t.type === 'string') throw new OnnxImportError(`ONNX: tensor "${t.name}" holds strings`, { field: t.name });
  const d = t.data as ArrayLike<number | bigint>;
  return Float64Array.from({ length: d.length }, (_, i) => Number(d[i]));
}

/** Values of `got` outside the tolerances around `expected`, and the largest |Δ|. */
function compare(expected: ArrayLike<number>, got: ArrayLike<number>): { bad: number; maxDiff: number } {
  let bad = 0;
  let maxDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const g = got[i] as number;
    const d = Math.abs(g - e);
    if (!(d <= ONNX_ATOL + ONNX_RTOL * Math.abs(e)) && !(Number.isNaN(e) && Number.isNaN(g))) bad++;
    if (d > maxDiff) maxDiff = d;
  }
  return { bad, maxDiff };
}

/**
 * A graph with inputs or outputs other than float32 (the runner's interface is Float32Array):
 * evaluated by the interpreter on the exact tensors, in their own types.
 */
function runOnInterpreter(name: string, model: OnnxModel, files: OnnxCaseFiles): OnnxCaseResult {
  const architecture = 'interpreter (non-float32 tensors)';
  const graph = compileOnnxGraph(model);
  let maxDiff = 0;
  for (const [s, set] of files.dataSets.entries()) {
    const feeds = new Map(
      graph.inputs.map((v, i) => {
        const bytes = set.inputs[i];
        if (!bytes)
          throw new OnnxImportError(`test_data_set_${s}: input_${i}.pb missing for "${v.name}"`, {
            field: `input_${i}.pb`,
          });
        return [v.name, decodeOnnxTensor(bytes, `test_data_set_${s}/input_${i}.pb`)] as const;
      }),
    );
    const out = runOnnx(graph, feeds);
    for (const [k, bytes] of set.outputs.entries()) {
      const ref = decodeOnnxTensor(bytes, `test_data_set_${s}/output_${k}.pb`);
      const got = out.get(graph.outputs[k]?.name ?? '');
      if (!got || got.dims.join() !== ref.dims.join())
        return {
          name,
          status: 'fail',
          message: `output ${k}: dims [${got?.dims.join(', ')}], reference [${ref.dims.join(', ')}]`,
          architecture,
        };
      const c = compare(numbers(ref), numbers(got));
      maxDiff = Math.max(maxDiff, c.maxDiff);
      if (c.bad)
        return {
          name,
          status: 'fail',
          maxDiff,
          message: `${c.bad} values of output ${k} outside the tolerances`,
          architecture,
        };
    }
  }
  return { name, status: 'pass', maxDiff, architecture };
}

/**
 * Runs one case: import, runner, every data set (graphs with non-float32 inputs or outputs on
 * the interpreter directly, since the runner's rows are float32). An op, attribute or shape the importer refuses
 * is `unsupported` (op named); any other error or an output outside the tolerances is `fail` with
 * the largest |Δ| where outputs were compared.
 */
export async function runOnnxCase(files: OnnxCaseFiles): Promise<OnnxCaseResult> {
  const { name } = files;
  let architecture: string | undefined;
  try {
    const model = decodeOnnxModel(files.model);
    if ([...model.graph.inputs, ...model.graph.outputs].some((v) => v.type !== 'float'))
      return runOnInterpreter(name, model, files);
    const bundle = await onnxToBundle(model, files.model, { name: 'onnx-case', createdAt: '1970-01-01T00:00:00Z' });
    const manifest = parseManifest(JSON.parse(new TextDecoder().decode(bundle.files.get('manifest.json'))));
    const arch = manifest.architecture;
    architecture = arch.kind === 'onnx-graph' ? `onnx-graph (batch ${arch.batch})` : arch.kind;
    const runner = createRunner(manifest, Object.fromEntries(bundle.files));
    const batched = arch.kind !== 'onnx-graph' || arch.batch !== 'none';
    let maxDiff = 0;
    for (const [s, set] of files.dataSets.entries()) {
      const inputs = set.inputs.map((b, i) => decodeOnnxTensor(b, `test_data_set_${s}/input_${i}.pb`));
      const refs = set.outputs.map((b, i) => decodeOnnxTensor(b, `test_data_set_${s}/output_${i}.pb`));
      const n = batched ? (inputs[0]?.dims[0] ?? 1) : 1;
      const per = inputs.map((t) => product(batched ? t.dims.slice(1) : t.dims));
      const rowSize = per.reduce((a, b) => a + b, 0);
      if (rowSize !== runner.inputSize)
        return {
          name,
          status: 'fail',
          message: `inputs hold ${rowSize} values per row, the model takes ${runner.inputSize}`,
          architecture,
        };
      const features = new Float32Array(n * rowSize);
      let column = 0;
      inputs.forEach((t, k) => {
        const values = numbers(t);
        const p = per[k] as number;
        for (let r = 0; r < n; r++)
          for (let j = 0; j < p; j++) features[r * rowSize + column + j] = values[r * p + j] as number;
        column += p;
      });
      const out = runner.predict(features, n);
      let at = 0;
      for (const [k, ref] of refs.entries()) {
        const p = product(batched ? ref.dims.slice(1) : ref.dims);
        const expected = numbers(ref);
        if (expected.length !== n * p || at + p > runner.outputSize)
          return {
            name,
            status: 'fail',
            message: `output ${k} has dims [${ref.dims.join(', ')}], the model gives ${runner.outputSize} values per row`,
            architecture,
          };
        const got = new Float64Array(n * p);
        for (let r = 0; r < n; r++)
          for (let j = 0; j < p; j++) got[r * p + j] = out[r * runner.outputSize + at + j] as number;
        const { bad, maxDiff: d } = compare(expected, got);
        maxDiff = Math.max(maxDiff, d);
        if (bad)
          return {
            name,
            status: 'fail',
            maxDiff,
            message: `${bad} values of output ${k} outside the tolerances`,
            architecture,
          };
        at += p;
      }
      if (at !== runner.outputSize)
        return {
          name,
          status: 'fail',
          message: `the model gives ${runner.outputSize} values per row, the references ${at}`,
          architecture,
        };
    }
    return { name, status: 'pass', maxDiff, architecture: architecture ?? '' };
  } catch (e) {
    if (e instanceof OnnxUnsupportedError) return { name, status: 'unsupported', op: e.op, message: e.message };
    return { name, status: 'fail', message: (e as Error).message, ...(architecture ? { architecture } : {}) };
  }
}

/** The line the conformance CLI prints: `PASS name`, `FAIL name: max |Δ| …` or `UNSUPPORTED name: <op>`. */
export function formatOnnxCaseResult(r: OnnxCaseResult): string {
  if (r.status === 'pass') return `PASS ${r.name}`;
  if (r.status === 'unsupported') return `UNSUPPORTED ${r.name}: ${r.op} (${r.message})`;
  const delta = r.maxDiff === undefined ? '' : `max |Δ| ${r.maxDiff.toExponential(3)}; `;
  return `FAIL ${r.name}: ${delta}${r.message}`;
}

/** The last line: `onnx: N passed, N failed, N unsupported`. */
export function formatOnnxSummary(results: readonly OnnxCaseResult[]): string {
  const count = (s: OnnxCaseResult['status']) => results.filter((r) => r.status === s).length;
  return `onnx: ${count('pass')} passed, ${count('fail')} failed, ${count('unsupported')} unsupported`;
}

/**
 * The runner of an `onnx-graph` bundle: the ONNX file of the bundle decoded and compiled once
 * (constant folding, shape inference), then rows standardised, split into the graph's inputs,
 * evaluated in runs of the graph's batch and their outputs laid out row by row.
 */
import { type BundleManifestV1, transformInput } from '../../bundle/manifest.ts';
import type { OnnxGraphArchitectureV1 } from '../../bundle/onnx-graph.ts';
import { onnxGraphRowSize } from '../../bundle/onnx-graph.ts';
import { BundleError, ModelInputError, OnnxImportError } from '../../errors.ts';
import { decodeOnnxModel } from '../../import/onnx/decode.ts';
import { checkRows, type ModelRunner } from '../model-runner.ts';
import { type CompiledOnnxGraph, compileOnnxGraph } from './compile.ts';
import { sizeOf, type Tensor } from './tensor.ts';

/** Rows per run of a graph with a dynamic batch axis: bounds the memory of intermediate tensors. */
const DYNAMIC_BLOCK = 1024;

/**
 * Checks the compiled graph against the architecture: the same inputs and outputs, in order, of
 * float or double type, whose shapes (batch axis aside) are those declared. Returns the element
 * type of each input.
 */
function checkGraph(graph: CompiledOnnxGraph, arch: OnnxGraphArchitectureV1, file: string): void {
  const fail = (field: string, message: string): never => {
    throw new BundleError(`${file}: ${message}`, { field });
  };
  const batched = arch.batch !== 'none';
  const list = (
    what: 'inputs' | 'outputs',
    actual: readonly { name: string; type: string; shape: readonly (number | string | null)[] }[],
  ) => {
    const declared = arch[what];
    if (actual.length !== declared.length)
      fail(`architecture.${what}`, `the graph has ${actual.length} ${what}, the manifest declares ${declared.length}`);
    declared.forEach((d, i) => {
      const a = actual[i] as (typeof actual)[number];
      const where = `architecture.${what}[${i}]`;
      if (a.name !== d.name) fail(where, `graph ${what} ${i} is "${a.name}", the manifest says "${d.name}"`);
      if (a.type !== 'float' && a.type !== 'double')
        fail(where, `graph ${what} "${a.name}" is ${a.type}, not float or double`);
      const rest = batched ? a.shape.slice(1) : a.shape;
      const same = rest.length === d.shape.length && rest.every((x, k) => x === d.shape[k]);
      if (!same)
        fail(
          where,
          `graph ${what} "${a.name}" has shape [${a.shape.join(', ')}], the manifest says [${d.shape.join(', ')}] per row`,
        );
    });
  };
  list('inputs', graph.inputs);
  list('outputs', graph.outputs);
}

/**
 * Compiles an `onnx-graph` bundle (manifest validated, `bytes` the ONNX file `manifest.weights`
 * whose hash the caller checked) into a {@link ModelRunner}. Inputs are RAW: each column is
 * standardised (x − offset)/scale before it is fed. `kernels: 'ts'` keeps MatMul/Gemm off the wasm kernels. An ONNX file the interpreter cannot run, or
 * whose inputs and outputs differ from the manifest's, is a BundleError naming the file.
 */
export function createOnnxGraphRunner(
  manifest: BundleManifestV1,
  bytes: Uint8Array,
  options: { kernels?: 'auto' | 'ts' } = {},
): ModelRunner {
  const kind = manifest.architecture.kind;
  if (manifest.architecture.kind !== 'onnx-graph')
    throw new BundleError(`architecture.kind "${kind}" is not onnx-graph`, { field: 'architecture.kind' });
  const arch: OnnxGraphArchitectureV1 = manifest.architecture;
  const file = manifest.weights;
  let graph: CompiledOnnxGraph;
  try {
    const kernels = options.kernels ?? 'auto';
    graph = compileOnnxGraph(
      decodeOnnxModel(bytes),
      typeof arch.batch === 'number' ? { kernels } : { probeBatch: 1, kernels },
    );
  } catch (cause) {
    if (cause instanceof OnnxImportError) throw new BundleError(`${file}: ${cause.message}`, { field: file, cause });
    throw cause;
  }
  checkGraph(graph, arch, file);
  const inputSize = onnxGraphRowSize(arch.inputs);
  const outputSize = onnxGraphRowSize(arch.outputs);
  const offset = Float64Array.from(manifest.inputs, (i) => i.offset);
  const scale = Float64Array.from(manifest.inputs, (i) => i.scale);
  const transforms = manifest.inputs.map((i) => i.transform);
  const inputTypes = graph.inputs.map((v) => v.type as 'float' | 'double');
  const outputNames = graph.outputs.map((v) => v.name);

  /** Rows [start, start + rows) as one run of `runRows` (≥ rows; the extra rows are zero). */
  function runBlock(features: Float32Array, start: number, rows: number, runRows: number, out: Float32Array): void {
    const feeds = new Map<string, Tensor>();
    let column = 0;
    arch.inputs.forEach((input, k) => {
      const per = sizeOf(input.shape);
      const type = inputTypes[k] as 'float' | 'double';
      const data = type === 'float' ? new Float32Array(runRows * per) : new Float64Array(runRows * per);
      for (let r = 0; r < rows; r++) {
        const src = (start + r) * inputSize + column;
        for (let j = 0; j < per; j++) {
          const c = column + j;
          const x = transformInput(features[src + j] as number, transforms[c]);
          data[r * per + j] = (x - (offset[c] as number)) / (scale[c] as number);
        }
      }
      const dims = arch.batch === 'none' ? [...input.shape] : [runRows, ...input.shape];
      feeds.set(input.name, { type, dims, data });
      column += per;
    });
    const results = graph.run(feeds);
    let at = 0;
    arch.outputs.forEach((output, k) => {
      const per = sizeOf(output.shape);
      const t = results.get(outputNames[k] as string) as Tensor;
      for (let r = 0; r < rows; r++) {
        const dst = (start + r) * outputSize + at;
        for (let j = 0; j < per; j++) out[dst + j] = t.data[r * per + j] as number;
      }
      at += per;
    });
  }

  return {
    inputSize,
    imageSize: 0,
    outputSize,
    predict(features, n, image) {
      checkRows('features', features.length, n, inputSize);
      if (image !== undefined && image.length > 0) {
        throw new ModelInputError('image: this model takes no image', { field: 'image' });
      }
      const out = new Float32Array(n * outputSize);
      const block = arch.batch === 'none' ? 1 : arch.batch === 'dynamic' ? DYNAMIC_BLOCK : arch.batch;
      for (let start = 0; start < n; start += block) {
        const rows = Math.min(block, n - start);
        runBlock(features, start, rows, arch.batch === 'dynamic' ? rows : block, out);
      }
      return out;
    },
  };
}

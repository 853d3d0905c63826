/**
 * ONNX models as hepml bundles: a tree ensemble (`ai.onnx.ml`) becomes a `gbdt` bundle, a pure
 * dense chain (MatMul/Gemm, bias Add, one activation per layer, after an optional per-feature
 * affine standardisation) is fused into a native `mlp` bundle that runs on the WebAssembly dense
 * kernels, and any other graph the interpreter runs becomes an `onnx-graph` bundle carrying the
 * ONNX file. Constant sub-graphs are folded first (`compileOnnxGraph`), so a `Transpose` of a
 * weight or a `Constant` bias is seen as the tensor it yields.
 */
import { type Bundle, buildBundle } from '../../bundle/build.ts';
import { sha256Hex } from '../../bundle/hash.ts';
import type { ActivationV1, BundleInputV1, BundleManifestV1 } from '../../bundle/manifest.ts';
import { mlpParameterCount } from '../../bundle/manifest.ts';
import type { OnnxGraphArchitectureV1 } from '../../bundle/onnx-graph.ts';
import { OnnxImportError } from '../../errors.ts';
import { type CompiledOnnxGraph, compileOnnxGraph } from '../../runtime/onnx-graph/compile.ts';
import { sizeOf, type Tensor, toOnnxTensor } from '../../runtime/onnx-graph/tensor.ts';
import { type ImportOptions, onnxTreeEnsembleBundle } from '../gbdt-bundle.ts';
import { decodeOnnxModel } from './decode.ts';
import { encodeOnnxModel } from './encode.ts';
import type { OnnxModel, OnnxNode } from './model.ts';

/** What an ONNX file does not say about its inputs. */
export interface OnnxImportOptions extends ImportOptions {
  /**
   * The manifest's inputs, one per value of a row (graph inputs concatenated in order, row-major):
   * names, units and the standardisation (x − offset)/scale applied BEFORE the graph (for a model
   * trained on standardised inputs). Default: names `<graph input>_<k>` (or the graph input's name
   * for a single value), unit from `units` or "1", offset 0, scale 1.
   */
  inputs?: BundleInputV1[];
  /** `auto` (default): fuse a dense chain into `mlp`; `onnx-graph`: always the interpreter. */
  architecture?: 'auto' | 'onnx-graph';
}

/** A dense layer of a fused chain: kernel row-major [fanIn × units]. */
export interface OnnxDenseLayer {
  units: number;
  activation: ActivationV1;
  kernel: Float32Array;
  bias: Float32Array;
}

/** A graph fused into a dense chain: x' = a ⊙ x + b per feature, then the layers. */
export interface OnnxDenseChain {
  inputSize: number;
  /** Per-feature multiplier of the leading affine nodes (1 without). */
  a: Float64Array;
  /** Per-feature offset of the leading affine nodes (0 without). */
  b: Float64Array;
  layers: OnnxDenseLayer[];
}

/** A constant's values broadcast to a vector of `n` (from dims [], [1], [n] or [1, n]), else undefined. */
function vectorOf(t: Tensor | undefined, n: number): Float64Array | undefined {
  if (!t || (t.type !== 'float' && t.type !== 'double')) return undefined;
  const d = t.dims;
  const ok =
    d.length === 0 ||
    (d.length === 1 && (d[0] === 1 || d[0] === n)) ||
    (d.length === 2 && d[0] === 1 && (d[1] === 1 || d[1] === n));
  if (!ok) return undefined;
  return t.data.length === 1 ? new Float64Array(n).fill(t.data[0] as number) : Float64Array.from(t.data);
}

const ACTIVATION_OPS: Readonly<Record<string, ActivationV1>> = {
  Relu: 'relu',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Elu: 'elu',
  Softmax: 'softmax',
};

/**
 * The graph as a dense chain when it is one: one float input [N, F] and one output, each node
 * taking the previous node's result as its only non-constant input, in the order: affine
 * standardisation (Sub, Add, Mul, Div by per-feature constants), then per layer MatMul by a
 * constant [fanIn × units] or Gemm (transA = 0) with constant B and C, an optional bias Add, and
 * at most one activation (Relu, Sigmoid — also as our exporter's Neg, Exp, Add 1, Reciprocal —,
 * Tanh, Elu with α = 1, Softmax over the last axis); Identity and Dropout are skipped. Undefined
 * for any other graph.
 */
export function onnxDenseChain(graph: CompiledOnnxGraph): OnnxDenseChain | undefined {
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) return undefined;
  const input = graph.inputs[0] as CompiledOnnxGraph['inputs'][number];
  if (input.type !== 'float' || input.shape.length !== 2 || typeof input.shape[1] !== 'number') return undefined;
  const inputSize = input.shape[1];
  const a = new Float64Array(inputSize).fill(1);
  const b = new Float64Array(inputSize);
  const layers: OnnxDenseLayer[] = [];
  type State = 'pre' | 'linear' | 'activated';
  let state: State = 'pre';
  let cur = input.name;
  let width = inputSize;
  const nodes = graph.nodes;
  const constant = (name: string | undefined) => (name === undefined ? undefined : graph.constants.get(name));
  /** The constant operand of a binary node whose other operand is `cur`. */
  const operand = (n: OnnxNode): Tensor | undefined => {
    if (n.inputs.length !== 2) return undefined;
    if (n.inputs[0] === cur) return constant(n.inputs[1]);
    if (n.inputs[1] === cur && (n.opType === 'Add' || n.opType === 'Mul')) return constant(n.inputs[0]);
    return undefined;
  };
  const int = (n: OnnxNode, name: string, fallback: number) => {
    const v = n.attributes.get(name);
    return v?.kind === 'int' ? v.value : fallback;
  };
  const float = (n: OnnxNode, name: string, fallback: number) => {
    const v = n.attributes.get(name);
    return v?.kind === 'float' ? v.value : fallback;
  };
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as OnnxNode;
    if (n.inputs[0] !== cur && n.inputs[1] !== cur) return undefined;
    const out = n.outputs[0];
    if (!out || n.outputs.slice(1).some(Boolean)) return undefined;
    const last = layers.at(-1);
    const op = n.opType;
    if (op === 'Identity' || op === 'Dropout') {
      if (n.inputs[0] !== cur) return undefined;
    } else if (state === 'pre' && (op === 'Sub' || op === 'Add' || op === 'Mul' || op === 'Div')) {
      const c = vectorOf(operand(n), width);
      if (!c || (op === 'Sub' && n.inputs[0] !== cur)) return undefined;
      for (let k = 0; k < width; k++) {
        const v = c[k] as number;
        if (op === 'Sub') b[k] = (b[k] as number) - v;
        else if (op === 'Add') b[k] = (b[k] as number) + v;
        else {
          const f = op === 'Mul' ? v : 1 / v;
          a[k] = (a[k] as number) * f;
          b[k] = (b[k] as number) * f;
        }
      }
    } else if (op === 'MatMul' || op === 'Gemm') {
      if (n.inputs[0] !== cur) return undefined;
      const w = constant(n.inputs[1]);
      if (w?.dims.length !== 2 || (w.type !== 'float' && w.type !== 'double')) return undefined;
      const transB = op === 'Gemm' && int(n, 'transB', 0) === 1;
      if (op === 'Gemm' && int(n, 'transA', 0) !== 0) return undefined;
      const [r0, r1] = w.dims as [number, number];
      const fanIn = transB ? r1 : r0;
      const units = transB ? r0 : r1;
      if (fanIn !== width) return undefined;
      const alpha = op === 'Gemm' ? float(n, 'alpha', 1) : 1;
      const kernel = new Float32Array(fanIn * units);
      for (let p = 0; p < fanIn; p++)
        for (let q = 0; q < units; q++)
          kernel[p * units + q] = alpha * (w.data[transB ? q * fanIn + p : p * units + q] as number);
      let bias = new Float32Array(units);
      if (op === 'Gemm' && n.inputs[2]) {
        const c = vectorOf(constant(n.inputs[2]), units);
        if (!c) return undefined;
        const beta = float(n, 'beta', 1);
        bias = Float32Array.from(c, (v) => beta * v);
      }
      layers.push({ units, activation: 'linear', kernel, bias });
      width = units;
      state = 'linear';
    } else if (state === 'linear' && op === 'Add') {
      const c = vectorOf(operand(n), width);
      if (!c || !last) return undefined;
      for (let k = 0; k < width; k++) last.bias[k] = (last.bias[k] as number) + (c[k] as number);
    } else if (state === 'linear' && last && ACTIVATION_OPS[op]) {
      if (n.inputs[0] !== cur) return undefined;
      if (op === 'Elu' && float(n, 'alpha', 1) !== 1) return undefined;
      if (op === 'Softmax') {
        const axis = int(n, 'axis', -1);
        if (axis !== 1 && axis !== -1) return undefined;
      }
      last.activation = ACTIVATION_OPS[op] as ActivationV1;
      state = 'activated';
    } else if (state === 'linear' && last && op === 'Neg') {
      // σ(x) written as 1 / (1 + e^(−x)): Neg, Exp, Add 1, Reciprocal.
      const [exp, add, rec] = [nodes[i + 1], nodes[i + 2], nodes[i + 3]];
      if (exp?.opType !== 'Exp' || exp.inputs[0] !== out) return undefined;
      const e = exp.outputs[0] as string;
      const other = add?.inputs[0] === e ? add.inputs[1] : add?.inputs[1] === e ? add.inputs[0] : undefined;
      const one = vectorOf(constant(other), width);
      if (add?.opType !== 'Add' || !one || one.some((v) => v !== 1)) return undefined;
      if (rec?.opType !== 'Reciprocal' || rec.inputs[0] !== add.outputs[0]) return undefined;
      last.activation = 'sigmoid';
      state = 'activated';
      cur = rec.outputs[0] as string;
      i += 3;
      continue;
    } else return undefined;
    cur = out;
  }
  if (!layers.length || cur !== graph.outputs[0]?.name) return undefined;
  return { inputSize, a, b, layers };
}

/** Default outputs: score (one sigmoid value), class_k (softmax), else y / y_k as dimensionless corrections. */
function defaultOutputs(count: number, lastOp: string | undefined): BundleManifestV1['outputs'] {
  if (count === 1 && lastOp === 'sigmoid') return [{ name: 'score', kind: 'score', unit: '1' }];
  if (lastOp === 'softmax')
    return Array.from({ length: count }, (_, k) => ({ name: `class_${k}`, kind: 'class-score' as const, unit: '1' }));
  if (count === 1) return [{ name: 'y', kind: 'correction', unit: '1' }];
  return Array.from({ length: count }, (_, k) => ({ name: `y_${k}`, kind: 'correction' as const, unit: '1' }));
}

/** How rows map onto the graph's first axis (see {@link OnnxGraphArchitectureV1}). */
function batchOf(model: OnnxModel): OnnxGraphArchitectureV1['batch'] {
  const first = model.graph.inputs.map((v) => v.shape[0]);
  if (first.length && first.every((d) => d !== undefined && typeof d !== 'number')) return 'dynamic';
  const b = first[0];
  if (typeof b === 'number' && b > 0 && first.every((d) => d === b)) {
    // The outputs must keep that axis too (checked on the compiled shapes by the caller).
    return b;
  }
  return 'none';
}

/**
 * The model after constant folding: the nodes that run per call, the constants they read (folded
 * results included) as initializers, everything else dropped; inputs, outputs, opsets and
 * metadata as they were.
 */
export function foldedOnnxModel(model: OnnxModel, graph: CompiledOnnxGraph): OnnxModel {
  const read = new Set([...graph.nodes.flatMap((n) => n.inputs), ...model.graph.outputs.map((o) => o.name)]);
  const initializers = new Map<string, ReturnType<typeof toOnnxTensor>>();
  for (const [name, t] of graph.constants) if (read.has(name)) initializers.set(name, toOnnxTensor(t, name));
  return {
    ...model,
    graph: {
      name: model.graph.name,
      nodes: [...graph.nodes],
      initializers,
      inputs: model.graph.inputs,
      outputs: model.graph.outputs,
    },
  };
}

function valuesOf(model: OnnxModel): number {
  let n = 0;
  for (const t of model.graph.initializers.values()) if (t.type === 'float' || t.type === 'double') n += t.data.length;
  for (const node of model.graph.nodes) {
    const v = node.attributes.get('value');
    if (node.opType === 'Constant' && v?.kind === 'tensor' && (v.value.type === 'float' || v.value.type === 'double'))
      n += v.value.data.length;
  }
  return n;
}

/**
 * The bundle of a decoded ONNX model (`source`: the file's bytes, hashed into the lineage with the
 * producer): `gbdt` for an `ai.onnx.ml` tree ensemble, `mlp` for a dense chain
 * ({@link onnxDenseChain}; the leading affine nodes and `options.inputs`' standardisation folded
 * into the manifest's offsets and scales), else `onnx-graph` whose weights file `model.onnx` is
 * the graph after constant folding ({@link foldedOnnxModel}), re-encoded.
 * Refusals (an op, attribute or dynamic shape the interpreter does not run) are
 * OnnxUnsupportedErrors naming node and op; inconsistent graphs OnnxImportErrors.
 */
export async function onnxToBundle(model: OnnxModel, source: Uint8Array, options: OnnxImportOptions): Promise<Bundle> {
  if (model.graph.nodes.some((n) => n.domain === 'ai.onnx.ml' && n.opType.startsWith('TreeEnsemble'))) {
    const inputNames = options.inputs?.map((i) => i.name);
    return onnxTreeEnsembleBundle(model, source, inputNames ? { ...options, inputNames } : options);
  }
  const batch = batchOf(model);
  const graph = compileOnnxGraph(model, { probeBatch: 2 });
  const batched = batch !== 'none';
  for (const [i, o] of graph.outputs.entries()) {
    const expected = batch === 'dynamic' ? 2 : batch;
    if (batched && o.shape[0] !== expected)
      throw new OnnxImportError(
        `ONNX: graph.output[${i}] "${o.name}" has shape [${o.shape.join(', ')}]: its first axis is not the inputs' batch axis (${batch === 'dynamic' ? 'symbolic' : batch})`,
        { field: `graph.output[${i}]` },
      );
  }
  const perRow = (shape: readonly (number | string | null)[]) =>
    (batched ? shape.slice(1) : shape).map((d) => (typeof d === 'number' ? d : 1));
  const archInputs = graph.inputs.map((v) => ({ name: v.name, shape: perRow(v.shape) }));
  const archOutputs = graph.outputs.map((v) => ({ name: v.name, shape: perRow(v.shape) }));
  const inputCount = archInputs.reduce((s, t) => s + sizeOf(t.shape), 0);
  const outputCount = archOutputs.reduce((s, t) => s + sizeOf(t.shape), 0);
  const inputs =
    options.inputs ??
    archInputs.flatMap((t) => {
      const n = sizeOf(t.shape);
      const names = n === 1 && archInputs.length > 1 ? [t.name] : Array.from({ length: n }, (_, k) => `${t.name}_${k}`);
      return names.map((name) => ({ name, unit: options.units?.[name] ?? '1', offset: 0, scale: 1 }));
    });
  if (inputs.length !== inputCount)
    throw new OnnxImportError(
      `ONNX: options.inputs lists ${inputs.length} inputs, the graph takes ${inputCount} values per row`,
      {
        field: 'inputs',
      },
    );
  const chain = options.architecture === 'onnx-graph' ? undefined : onnxDenseChain(graph);
  const lastOp = chain
    ? chain.layers.at(-1)?.activation
    : ({ Sigmoid: 'sigmoid', Softmax: 'softmax' } as Record<string, string>)[graph.nodes.at(-1)?.opType ?? ''];
  const outputs = options.outputs ?? defaultOutputs(outputCount, lastOp);
  const producer = `onnx:${model.producerName || 'unknown'}${model.producerVersion ? ` ${model.producerVersion}` : ''}`;
  const lineage = {
    datasetHash: `import:${await sha256Hex(source)}`,
    codeVersion: producer,
    seed: 0,
    createdAt: options.createdAt ?? new Date().toISOString(),
    backend: 'onnx',
  };
  const common = {
    format: 'hepml-bundle' as const,
    formatVersion: 1 as const,
    name: options.name,
    task: options.task ?? 'imported',
    outputs,
    metrics: {},
    workingPoints: [],
    lineage,
  };
  if (chain) {
    // Raw x → (x − o)/s (options) → a·x' + b (graph) = (x − (o − b·s/a)) / (s/a).
    const fused = inputs.map((input, k) => {
      const a = chain.a[k] as number;
      const b = chain.b[k] as number;
      if (a === 0) throw new OnnxImportError(`ONNX: the graph multiplies input ${k} by 0`, { field: 'graph.node' });
      return { ...input, offset: input.offset - (b * input.scale) / a, scale: input.scale / a };
    });
    const layers = chain.layers.map((l) => ({ type: 'dense' as const, units: l.units, activation: l.activation }));
    const parameters = mlpParameterCount(chain.inputSize, layers);
    const weights = new Float32Array(parameters);
    let o = 0;
    for (const l of chain.layers) {
      weights.set(l.kernel, o);
      weights.set(l.bias, o + l.kernel.length);
      o += l.kernel.length + l.bias.length;
    }
    return buildBundle(
      {
        ...common,
        description:
          options.description ??
          `ONNX dense network from ${producer.slice(5)}, fused (${chain.inputSize} → ${chain.layers.map((l) => `${l.units} ${l.activation}`).join(' → ')})`,
        inputs: fused,
        architecture: { kind: 'mlp', inputSize: chain.inputSize, layers, parameters },
        weights: 'weights.bin',
      },
      new Map([['weights.bin', new Uint8Array(weights.buffer)]]),
    );
  }
  const ops = [...new Set(model.graph.nodes.map((n) => n.opType))];
  const folded = foldedOnnxModel(model, graph);
  return buildBundle(
    {
      ...common,
      description: options.description ?? `ONNX graph from ${producer.slice(5)} (${ops.join(', ')})`,
      inputs,
      architecture: {
        kind: 'onnx-graph',
        format: 'onnx',
        opset: model.opsets.get('') ?? 1,
        parameters: valuesOf(folded),
        batch,
        inputs: archInputs,
        outputs: archOutputs,
      },
      weights: 'model.onnx',
    },
    new Map([['model.onnx', encodeOnnxModel(folded)]]),
  );
}

/** Decodes an ONNX file and imports it with {@link onnxToBundle}. */
export async function importOnnx(bytes: Uint8Array, options: OnnxImportOptions): Promise<Bundle> {
  return onnxToBundle(decodeOnnxModel(bytes), bytes, options);
}

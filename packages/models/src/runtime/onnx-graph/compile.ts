/**
 * Compiles a decoded ONNX graph for the interpreter: every node checked against the operator set
 * (op, domain, attributes), put in topological order, constant sub-graphs folded, and the shapes
 * inferred by one evaluation on zeros (the batch dimension of a symbolic first axis set to a probe
 * size). Workers-safe: no `node:*`, no onnxruntime.
 */
import { OnnxImportError, OnnxUnsupportedError } from '../../errors.ts';
import type { OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from '../../import/onnx/model.ts';
import { packedDenseOp } from './dense.ts';
import { ONNX_OPS, type OpContext, type OpSpec } from './ops.ts';
import { fromOnnxTensor, type Tensor, toOnnxTensor, zeros } from './tensor.ts';

/** The batch size shape inference runs with when the first dimension of an input is symbolic. */
const PROBE_BATCH = 2;

/** One node of the plan with its operator and context. */
interface Step {
  node: OnnxNode;
  op: OpSpec;
  ctx: OpContext;
}

/** A compiled graph: run it on feeds (one tensor per graph input), get every graph output. */
export interface CompiledOnnxGraph {
  /** Graph inputs the caller feeds, in graph order. */
  readonly inputs: readonly OnnxValueInfo[];
  /** Graph outputs, in graph order, with the shapes inference found (batch probe in dim 0 where symbolic). */
  readonly outputs: readonly OnnxValueInfo[];
  /** Nodes that run per call (after constant folding). */
  readonly nodes: readonly OnnxNode[];
  /** Values known at compile time: initializers and folded results, by name. */
  readonly constants: ReadonlyMap<string, Tensor>;
  /**
   * Whether dimension 0 of every input is the batch (symbolic, or fixed): the first dimension of
   * each input; `null` where that input has a fixed first dimension.
   */
  readonly batch: 'symbolic' | number;
  /** Evaluates the graph; feeds by input name (interpreter tensors). */
  run(feeds: ReadonlyMap<string, Tensor>): Map<string, Tensor>;
}

function nodeWhere(node: OnnxNode, i: number): string {
  return node.name ? `graph.node[${i}] "${node.name}"` : `graph.node[${i}]`;
}

function contextOf(node: OnnxNode, i: number, opset: number): OpContext {
  const where = nodeWhere(node, i);
  return {
    node,
    opset,
    fail(message: string): never {
      throw new OnnxImportError(`ONNX: ${where} (${node.opType}): ${message}`, { field: `graph.node[${i}]` });
    },
    unsupported(message: string): never {
      throw new OnnxUnsupportedError(`ONNX: ${where} (${node.opType}): ${message} is not supported`, {
        op: node.opType,
        node: node.name,
        field: `graph.node[${i}]`,
      });
    },
  };
}

/** Checks op, domain and attributes of every node; returns the steps in file order. */
function stepsOf(model: OnnxModel): Step[] {
  const opset = model.opsets.get('') ?? 1;
  return model.graph.nodes.map((node, i) => {
    const ctx = contextOf(node, i, opset);
    const where = nodeWhere(node, i);
    if (node.domain !== '') {
      throw new OnnxUnsupportedError(
        `ONNX: ${where}: operator ${node.opType} of domain ${node.domain} is not supported by the graph interpreter${node.domain === 'ai.onnx.ml' ? ' (tree ensembles import as GBDT bundles on their own)' : ''}`,
        { op: node.opType, node: node.name, field: `graph.node[${i}]` },
      );
    }
    const op = Object.hasOwn(ONNX_OPS, node.opType) ? ONNX_OPS[node.opType] : undefined;
    if (!op) {
      throw new OnnxUnsupportedError(`ONNX: ${where}: operator ${node.opType} is not supported`, {
        op: node.opType,
        node: node.name,
        field: `graph.node[${i}]`,
      });
    }
    for (const name of node.attributes.keys()) {
      if (!op.attributes.includes(name)) ctx.unsupported(`attribute "${name}"`);
    }
    return { node, op, ctx };
  });
}

/** Steps in an order where every input is produced before use; throws naming the first node that cannot run. */
function topological(steps: Step[], known: Set<string>): Step[] {
  const available = new Set(known);
  available.add('');
  const order: Step[] = [];
  let pending = steps;
  while (pending.length) {
    const next: Step[] = [];
    for (const s of pending) {
      if (s.node.inputs.every((v) => available.has(v))) {
        order.push(s);
        for (const o of s.node.outputs) if (o) available.add(o);
      } else next.push(s);
    }
    if (next.length === pending.length) {
      const s = next[0] as Step;
      const missing = s.node.inputs.find((v) => !available.has(v));
      s.ctx.fail(
        `input "${missing}" is neither a graph input, an initializer nor an output of another node (or the graph has a cycle)`,
      );
    }
    pending = next;
  }
  return order;
}

function evaluate(step: Step, values: Map<string, Tensor>): void {
  const inputs = step.node.inputs.map((v) => (v === '' ? undefined : values.get(v)));
  let outputs: Tensor[];
  try {
    outputs = step.op.run(step.ctx, inputs);
  } catch (e) {
    if (e instanceof OnnxImportError) throw e;
    // Errors of the op's own arithmetic (RangeError on a huge allocation …) still name the node.
    step.ctx.fail((e as Error).message);
  }
  step.node.outputs.forEach((name, k) => {
    if (!name) return;
    const t = outputs[k];
    if (!t) step.ctx.unsupported(`output ${k} ("${name}")`);
    values.set(name, t);
  });
}

/** Options of {@link compileOnnxGraph}. */
export interface CompileOnnxOptions {
  /** Batch size that replaces a symbolic first dimension during shape inference (default 2). */
  probeBatch?: number;
  /** `auto` (default): MatMul/Gemm by constant weights on the wasm dense kernels when available; `ts`: the interpreter's loops. */
  kernels?: 'auto' | 'ts';
}

/**
 * Compiles a decoded model into a {@link CompiledOnnxGraph}. Refuses, with an
 * {@link OnnxUnsupportedError} naming node, op and what is missing: an op outside the set, an
 * attribute the op does not read, an attribute value it does not implement, a node of another
 * domain; and an input whose dimensions other than the first are symbolic or unknown (a dynamic
 * shape the interpreter cannot resolve; op `(dynamic shape)`). Inconsistent graphs (a value never
 * produced, shapes that do not agree) are {@link OnnxImportError}s naming the node.
 */
export function compileOnnxGraph(model: OnnxModel, options: CompileOnnxOptions = {}): CompiledOnnxGraph {
  const probe = options.probeBatch ?? PROBE_BATCH;
  const steps = stepsOf(model);
  const constants = new Map<string, Tensor>();
  for (const [name, t] of model.graph.initializers)
    constants.set(name, fromOnnxTensor(t, `graph.initializer["${name}"]`));
  const inputs = model.graph.inputs;
  let batch: 'symbolic' | number = 'symbolic';
  inputs.forEach((v, i) => {
    if (v.container) {
      throw new OnnxUnsupportedError(`ONNX: graph.input[${i}] "${v.name}": ${v.container} inputs are not supported`, {
        op: '(input type)',
        node: v.name,
        field: `graph.input[${i}]`,
      });
    }
    if (v.type === 'string') {
      throw new OnnxUnsupportedError(`ONNX: graph.input[${i}] "${v.name}": string inputs are not supported`, {
        op: '(input type)',
        node: v.name,
        field: `graph.input[${i}]`,
      });
    }
    v.shape.forEach((d, k) => {
      if (typeof d === 'number') {
        if (k === 0) batch = batch === 'symbolic' || batch === d ? d : batch;
        return;
      }
      if (k === 0) return;
      throw new OnnxUnsupportedError(
        `ONNX: graph.input[${i}] "${v.name}": dimension ${k} is ${d === null ? 'unknown' : `symbolic ("${d}")`}; only the first (batch) dimension may be dynamic`,
        { op: '(dynamic shape)', node: v.name, field: `graph.input[${i}].shape[${k}]` },
      );
    });
  });
  const order = topological(steps, new Set([...constants.keys(), ...inputs.map((v) => v.name)]));
  // Constant folding: a node whose inputs are all known at compile time runs once, now.
  const dynamic: Step[] = [];
  for (const s of order) {
    if (s.node.inputs.every((v) => v === '' || constants.has(v))) evaluate(s, constants);
    else dynamic.push(s);
  }
  // MatMul/Gemm by a constant weight: on the wasm dense kernels where they fit (dense.ts).
  if (options.kernels !== 'ts') {
    for (const s of dynamic) {
      if (s.node.opType !== 'MatMul' && s.node.opType !== 'Gemm') continue;
      const [, b, c] = s.node.inputs;
      const packed = packedDenseOp(s.node, b ? constants.get(b) : undefined, c ? constants.get(c) : undefined, s.op);
      if (packed) s.op = packed;
    }
  }
  for (const [i, o] of model.graph.outputs.entries()) {
    const produced =
      o.name &&
      (constants.has(o.name) ||
        inputs.some((v) => v.name === o.name) ||
        dynamic.some((s) => s.node.outputs.includes(o.name)));
    if (!produced)
      throw new OnnxImportError(`ONNX: graph.output[${i}] "${o.name}" is produced by no node`, {
        field: `graph.output[${i}]`,
      });
  }
  const run = (feeds: ReadonlyMap<string, Tensor>): Map<string, Tensor> => {
    const values = new Map(constants);
    for (const v of inputs) {
      const t = feeds.get(v.name);
      if (!t) throw new OnnxImportError(`ONNX: input "${v.name}" was not fed`, { field: v.name });
      values.set(v.name, t);
    }
    for (const s of dynamic) evaluate(s, values);
    return new Map(model.graph.outputs.map((o) => [o.name, values.get(o.name) as Tensor]));
  };
  // Shape inference: one run on zeros of the declared shapes.
  const feeds = new Map(
    inputs.map((v) => [
      v.name,
      zeros(
        v.type as Tensor['type'],
        v.shape.map((d) => (typeof d === 'number' ? d : probe)),
      ),
    ]),
  );
  const probed = run(feeds);
  const outputs = model.graph.outputs.map((o) => {
    const t = probed.get(o.name) as Tensor;
    return { name: o.name, type: t.type, shape: [...t.dims] };
  });
  return { inputs, outputs, nodes: dynamic.map((s) => s.node), constants, batch, run };
}

/**
 * Evaluates a decoded model on `feeds` (one decoded tensor per graph input, by name) and returns
 * every graph output by name: the evaluation entry of the conformance runner and of tests.
 * Compiles first (see {@link compileOnnxGraph}, whose errors it throws).
 */
export function evaluateOnnx(model: OnnxModel, feeds: ReadonlyMap<string, OnnxTensor>): Map<string, OnnxTensor> {
  const graph = compileOnnxGraph(model);
  return runOnnx(graph, feeds);
}

/** Runs a compiled graph on decoded tensors (types checked against the graph's inputs). */
export function runOnnx(graph: CompiledOnnxGraph, feeds: ReadonlyMap<string, OnnxTensor>): Map<string, OnnxTensor> {
  const values = new Map<string, Tensor>();
  for (const v of graph.inputs) {
    const t = feeds.get(v.name);
    if (!t) throw new OnnxImportError(`ONNX: input "${v.name}" was not fed`, { field: v.name });
    if (t.type !== v.type)
      throw new OnnxImportError(`ONNX: input "${v.name}" must be ${v.type}, is ${t.type}`, { field: v.name });
    const rank = v.shape.length;
    const fixed = v.shape.every((d, k) => typeof d !== 'number' || d === t.dims[k]);
    if (t.dims.length !== rank || !fixed)
      throw new OnnxImportError(
        `ONNX: input "${v.name}" has dims [${t.dims.join(', ')}], the graph declares [${v.shape.join(', ')}]`,
        {
          field: v.name,
        },
      );
    values.set(v.name, fromOnnxTensor(t, `input "${v.name}"`));
  }
  const out = graph.run(values);
  return new Map([...out].map(([name, t]) => [name, toOnnxTensor(t, name)]));
}

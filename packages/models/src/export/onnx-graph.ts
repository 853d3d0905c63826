import { at } from '@hepml/physics';
import { ProtoWriter } from './protobuf.ts';

/** ONNX TensorProto.DataType values used here. */
const FLOAT = 1;
const INT64 = 7;
const DOUBLE = 11;
/** ONNX AttributeProto.AttributeType values used here. */
const ATTR = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;
/** IR version 8: read by ONNX Runtime ≥ 1.10, the versions CMSSW and Athena ship. */
const IR_VERSION = 8;

/** A node attribute: one of float, int, string or a list of them. */
export type OnnxAttribute =
  | { float: number }
  | { int: number }
  | { string: string }
  | { floats: readonly number[] }
  | { ints: readonly number[] }
  | { strings: readonly string[] }
  /** A 1-D float64 tensor attribute (e.g. the `*_as_tensor` attributes of ai.onnx.ml tree ensembles). */
  | { doubles: readonly number[] };

/** A graph input or output: name, element type and shape (a string is a symbolic dimension). */
export interface OnnxValueInfo {
  name: string;
  type: 'float' | 'int64';
  shape: (number | string)[];
}

interface NodeSpec {
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array | Float64Array | BigInt64Array;
}

/**
 * Builds an ONNX graph node by node and encodes it as a ModelProto (protobuf bytes). Field numbers
 * from onnx/onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto), IR version 8.
 * Names of intermediate values are made unique by {@link fresh}; initializers are float32 or int64
 * written as little-endian `raw_data`.
 */
export class OnnxGraph {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly opsets = new Map<string, number>();
  private readonly used = new Set<string>();

  /** `opset` of the default domain `ai.onnx`; add others with {@link useOpset}. */
  constructor(opset: number) {
    this.opsets.set('', opset);
  }

  /** Declares an operator set (e.g. `ai.onnx.ml`, 3) that nodes of that domain need. */
  useOpset(domain: string, version: number): this {
    this.opsets.set(domain, version);
    return this;
  }

  /** A value name not used yet, derived from `base`. */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  input(info: OnnxValueInfo): string {
    this.used.add(info.name);
    this.inputs.push(info);
    return info.name;
  }

  output(info: OnnxValueInfo): void {
    this.outputs.push(info);
  }

  /** A float32 constant tensor; returns its (fresh) name. */
  floats(base: string, dims: number[], data: ArrayLike<number>): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims, data: Float32Array.from(data) });
    return name;
  }

  /** A float64 constant tensor (exact comparisons against edges stored as doubles); returns its name. */
  doubles(base: string, dims: number[], data: ArrayLike<number>): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims, data: Float64Array.from(data) });
    return name;
  }

  /** An int64 constant tensor (shapes, axes, indices); returns its (fresh) name. */
  int64s(base: string, dims: number[], data: readonly number[]): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims, data: BigInt64Array.from(data, (v) => BigInt(v)) });
    return name;
  }

  /**
   * Appends a node and returns the name of its first output. `output` fixes that name (a graph
   * output), else a fresh one is derived from the op type.
   */
  node(
    op: string,
    inputs: string[],
    options: { output?: string; attributes?: Record<string, OnnxAttribute>; domain?: string; outputs?: string[] } = {},
  ): string {
    const outputs = options.outputs ?? [options.output ?? this.fresh(op.toLowerCase())];
    for (const o of outputs) this.used.add(o);
    this.nodes.push({ op, domain: options.domain ?? '', inputs, outputs, attributes: options.attributes ?? {} });
    return at(outputs, 0);
  }

  /** Encodes the model: graph `name`, producer `hepml-edge`, `metadata_props` from `metadata`. */
  encode(name: string, metadata: Record<string, string> = {}): Uint8Array {
    const model = new ProtoWriter();
    model.int(1, IR_VERSION);
    model.string(2, 'hepml-edge');
    model.message(7, (graph) => {
      for (const [i, n] of this.nodes.entries()) {
        graph.message(1, (node) => {
          for (const input of n.inputs) node.string(1, input);
          for (const output of n.outputs) node.string(2, output);
          node.string(3, `${n.op.toLowerCase()}_${i}`);
          node.string(4, n.op);
          for (const [key, a] of Object.entries(n.attributes)) node.message(5, (w) => writeAttribute(w, key, a));
          if (n.domain) node.string(7, n.domain);
        });
      }
      graph.string(2, name);
      for (const init of this.initializers) {
        graph.message(5, (t) => {
          for (const d of init.dims) t.int(1, d);
          t.int(2, init.data instanceof Float32Array ? FLOAT : init.data instanceof Float64Array ? DOUBLE : INT64);
          t.string(8, init.name);
          // raw_data is little-endian, which typed arrays are on every platform this runs on.
          t.bytes(9, new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength));
        });
      }
      for (const v of this.inputs) graph.message(11, (w) => writeValueInfo(w, v));
      for (const v of this.outputs) graph.message(12, (w) => writeValueInfo(w, v));
    });
    for (const [domain, version] of this.opsets) model.message(8, (o) => o.string(1, domain).int(2, version));
    for (const [key, value] of Object.entries(metadata)) model.message(14, (kv) => kv.string(1, key).string(2, value));
    return model.finish();
  }
}

function writeAttribute(w: ProtoWriter, name: string, a: OnnxAttribute): void {
  w.string(1, name);
  if ('float' in a) w.float(2, a.float).int(20, ATTR.float);
  else if ('int' in a) w.int(3, a.int).int(20, ATTR.int);
  else if ('string' in a) w.string(4, a.string).int(20, ATTR.string);
  else if ('doubles' in a) {
    const data = Float64Array.from(a.doubles);
    w.message(5, (t) => {
      t.int(1, data.length);
      t.int(2, DOUBLE);
      t.bytes(9, new Uint8Array(data.buffer));
    });
    w.int(20, ATTR.tensor);
  } else if ('floats' in a) {
    for (const v of a.floats) w.float(7, v);
    w.int(20, ATTR.floats);
  } else if ('ints' in a) {
    for (const v of a.ints) w.int(8, v);
    w.int(20, ATTR.ints);
  } else {
    for (const v of a.strings) w.string(9, v);
    w.int(20, ATTR.strings);
  }
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.type === 'float' ? FLOAT : INT64);
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

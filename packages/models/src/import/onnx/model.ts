/**
 * A decoded ONNX ModelProto, as the importer works on it (field meanings from onnx/onnx.proto).
 * Tensors are decoded into typed arrays; shapes keep symbolic dimensions as strings.
 */

/** ONNX TensorProto element types the importer reads. */
export type OnnxElementType = 'float' | 'double' | 'int64' | 'int32' | 'bool' | 'uint8' | 'int8' | 'string';

/** A decoded TensorProto (an initializer, a Constant's value or a tensor attribute). */
export interface OnnxTensor {
  name: string;
  type: OnnxElementType;
  dims: number[];
  /** float/double as Float32Array/Float64Array, int64 as BigInt64Array, int32/bool/uint8/int8 as Int32Array, string as string[]. */
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | string[];
}

/** A decoded AttributeProto. Lists keep their order; ints are JavaScript numbers (exact below 2^53). */
export type OnnxAttributeValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: OnnxTensor }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] }
  | { kind: 'strings'; value: string[] }
  | { kind: 'tensors'; value: OnnxTensor[] };

/** A decoded NodeProto. `domain` is '' for the default `ai.onnx` domain. */
export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttributeValue>;
}

/**
 * A graph input or output: a dimension is a number, a symbolic name (string) or null when unknown.
 * For a value that is not a plain tensor (ZipMap's `seq(map(int64, tensor(float)))`), `container`
 * spells its type and `type` is the element type of the innermost tensor (or map value), `shape` [].
 */
export interface OnnxValueInfo {
  name: string;
  type: OnnxElementType;
  shape: (number | string | null)[];
  /** Set only for non-tensor values: e.g. `seq(map(int64,tensor(float)))`. */
  container?: string;
}

export interface OnnxModel {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** Operator set version per domain ('' is ai.onnx). */
  opsets: Map<string, number>;
  graph: {
    name: string;
    nodes: OnnxNode[];
    initializers: Map<string, OnnxTensor>;
    /** Graph inputs that are not initializers. */
    inputs: OnnxValueInfo[];
    outputs: OnnxValueInfo[];
    /** Types of intermediate values (`value_info`), where the producer wrote them. */
    valueInfo?: OnnxValueInfo[];
  };
  /** `metadata_props` (key → value), where the producer wrote any. */
  metadata?: Map<string, string>;
}

/**
 * The inverse of `decode.ts`: an {@link OnnxModel} back to ModelProto bytes (field numbers of
 * onnx/onnx.proto, through the exporter's `ProtoWriter`). Used to store an imported graph after
 * constant folding, and to re-declare old files for tools that dropped their opsets.
 * Workers-safe: no `node:*`.
 */
import { ProtoWriter } from '../../export/protobuf.ts';
import type { OnnxAttributeValue, OnnxElementType, OnnxModel, OnnxTensor, OnnxValueInfo } from './model.ts';

/** OnnxElementType → TensorProto.DataType. */
const DATA_TYPE: Readonly<Record<OnnxElementType, number>> = {
  float: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  double: 11,
};

/** AttributeProto.AttributeType by kind. */
const ATTRIBUTE_TYPE: Readonly<Record<OnnxAttributeValue['kind'], number>> = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  floats: 6,
  ints: 7,
  strings: 8,
  tensors: 9,
};

function writeTensor(t: OnnxTensor, w: ProtoWriter): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, DATA_TYPE[t.type]);
  if (t.name) w.string(8, t.name);
  const data = t.data;
  if (Array.isArray(data)) {
    for (const s of data) w.string(6, s);
    return;
  }
  let raw: Uint8Array;
  if (t.type === 'bool' || t.type === 'uint8' || t.type === 'int8')
    raw = Uint8Array.from(data as Int32Array, (v) => v & 0xff);
  else {
    // Little-endian raw_data, whatever the host's byte order.
    const typed = data as Float32Array | Float64Array | BigInt64Array | Int32Array;
    raw = new Uint8Array(typed.length * typed.BYTES_PER_ELEMENT);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < typed.length; i++) {
      if (typed instanceof Float32Array) view.setFloat32(4 * i, typed[i] as number, true);
      else if (typed instanceof Float64Array) view.setFloat64(8 * i, typed[i] as number, true);
      else if (typed instanceof BigInt64Array) view.setBigInt64(8 * i, typed[i] as bigint, true);
      else view.setInt32(4 * i, typed[i] as number, true);
    }
  }
  w.bytes(9, raw);
}

function writeAttribute(name: string, a: OnnxAttributeValue, w: ProtoWriter): void {
  w.string(1, name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, (t) => writeTensor(a.value, t));
      break;
    case 'floats':
      for (const v of a.value) w.float(7, v);
      break;
    case 'ints':
      for (const v of a.value) w.int(8, v);
      break;
    case 'strings':
      for (const v of a.value) w.string(9, v);
      break;
    case 'tensors':
      for (const v of a.value) w.message(10, (t) => writeTensor(v, t));
      break;
  }
  w.int(20, ATTRIBUTE_TYPE[a.kind]);
}

function writeType(v: OnnxValueInfo, w: ProtoWriter): void {
  w.message(1, (tensor) => {
    tensor.int(1, DATA_TYPE[v.type]);
    tensor.message(2, (shape) => {
      for (const d of v.shape)
        shape.message(1, (dim) => {
          if (typeof d === 'number') dim.int(1, d);
          else if (typeof d === 'string') dim.string(2, d);
        });
    });
  });
}

function writeValueInfo(v: OnnxValueInfo, w: ProtoWriter): void {
  if (v.container) throw new RangeError(`value "${v.name}": ${v.container} values cannot be encoded`);
  w.string(1, v.name);
  w.message(2, (t) => writeType(v, t));
}

/** Encodes a model as ONNX ModelProto bytes; `decodeOnnxModel` reads back the same model. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, model.irVersion);
  if (model.producerName) w.string(2, model.producerName);
  if (model.producerVersion) w.string(3, model.producerVersion);
  w.message(7, (g) => {
    for (const n of model.graph.nodes) {
      g.message(1, (node) => {
        for (const i of n.inputs) node.string(1, i);
        for (const o of n.outputs) node.string(2, o);
        if (n.name) node.string(3, n.name);
        node.string(4, n.opType);
        for (const [name, a] of n.attributes) node.message(5, (x) => writeAttribute(name, a, x));
        if (n.domain) node.string(7, n.domain);
      });
    }
    if (model.graph.name) g.string(2, model.graph.name);
    for (const t of model.graph.initializers.values()) g.message(5, (x) => writeTensor(t, x));
    for (const v of model.graph.inputs) g.message(11, (x) => writeValueInfo(v, x));
    for (const v of model.graph.outputs) g.message(12, (x) => writeValueInfo(v, x));
    for (const v of model.graph.valueInfo ?? []) if (!v.container) g.message(13, (x) => writeValueInfo(v, x));
  });
  for (const [domain, version] of model.opsets) w.message(8, (o) => o.string(1, domain).int(2, version));
  for (const [key, value] of model.metadata ?? []) w.message(14, (kv) => kv.string(1, key).string(2, value));
  return w.finish();
}

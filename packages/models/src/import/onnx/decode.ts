/**
 * A protocol-buffers decoder for ONNX files (wire format of
 * https://protobuf.dev/programming-guides/encoding/, messages and field numbers of onnx/onnx.proto,
 * the same ones `export/onnx-graph.ts` writes): ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto/TypeProto/TensorShapeProto and OperatorSetIdProto. Unknown fields are
 * skipped (protobuf's forward compatibility); truncated or malformed bytes and values the importer
 * cannot represent throw {@link OnnxImportError} naming the field's path.
 * Workers-safe: no `node:*`.
 */
import { OnnxImportError } from '../../errors.ts';
import type { OnnxAttributeValue, OnnxElementType, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './model.ts';

/** Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 (3 and 4, groups, are not used by ONNX). */
type WireType = 0 | 1 | 2 | 5;

/** TensorProto.DataType → the element types the importer reads. */
const DATA_TYPES: Readonly<Record<number, OnnxElementType>> = {
  1: 'float',
  2: 'uint8',
  3: 'int8',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  11: 'double',
};

/** Names of the DataType values the importer refuses, for the error message. */
const OTHER_DATA_TYPES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED',
  4: 'UINT16',
  5: 'INT16',
  10: 'FLOAT16',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
};

/** AttributeProto.AttributeType values the importer refuses, for the error message. */
const OTHER_ATTRIBUTE_TYPES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED',
  5: 'GRAPH',
  10: 'GRAPHS',
  11: 'SPARSE_TENSOR',
  12: 'SPARSE_TENSORS',
  13: 'TYPE_PROTO',
  14: 'TYPE_PROTOS',
};

const BYTES_PER_ELEMENT: Readonly<Record<OnnxElementType, number>> = {
  float: 4,
  double: 8,
  int64: 8,
  int32: 4,
  bool: 1,
  uint8: 1,
  int8: 1,
  string: 0,
};

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Reads one message's fields in order; `where` is the message's path for errors. */
class ProtoReader {
  private pos = 0;
  private readonly view: DataView;
  /** Wire type of the field last returned by {@link next}. */
  wire: WireType = 0;

  constructor(
    private readonly bytes: Uint8Array,
    readonly where: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string, field = this.where): never {
    throw new OnnxImportError(`ONNX: ${field}: ${message}`, { field });
  }

  /** The next field number, or 0 at the end of the message. */
  next(): number {
    if (this.pos >= this.bytes.byteLength) return 0;
    const key = this.varint('field key');
    const wire = Number(key & 7n);
    const field = Number(key >> 3n);
    if (field === 0) this.fail(`field number 0 at byte ${this.pos} (malformed bytes)`);
    if (wire !== 0 && wire !== 1 && wire !== 2 && wire !== 5)
      this.fail(`field ${field} has wire type ${wire}, which ONNX never writes (malformed bytes)`);
    this.wire = wire;
    return field;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.bytes.byteLength)
      this.fail(
        `truncated: ${what} needs ${n} bytes at byte ${this.pos}, only ${this.bytes.byteLength - this.pos} left`,
      );
  }

  /** An unsigned varint of up to 64 bits. */
  varint(what: string): bigint {
    let shift = 0n;
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      this.need(1, what);
      const b = this.bytes[this.pos++] as number;
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, value);
      shift += 7n;
    }
    return this.fail(`${what}: varint longer than 10 bytes (malformed bytes)`);
  }

  /** Checks the wire type of the current field. */
  expect(wire: WireType, name: string): void {
    if (this.wire !== wire) this.fail(`field ${name} has wire type ${this.wire}, expected ${wire} (malformed bytes)`);
  }

  /** An int64 field (two's complement) as a bigint. */
  int64(name: string): bigint {
    this.expect(0, name);
    return BigInt.asIntN(64, this.varint(name));
  }

  /** An int32/int64/enum field as a number (exact below 2^53). */
  int(name: string): number {
    return Number(this.int64(name));
  }

  float(name: string): number {
    this.expect(5, name);
    this.need(4, name);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A length-delimited field's bytes (a view into the buffer, not a copy). */
  bytesField(name: string): Uint8Array {
    this.expect(2, name);
    const n = this.varint(`${name} length`);
    if (n > BigInt(this.bytes.byteLength - this.pos))
      this.fail(
        `truncated: ${name} declares ${n} bytes at byte ${this.pos}, only ${this.bytes.byteLength - this.pos} left`,
      );
    const out = this.bytes.subarray(this.pos, this.pos + Number(n));
    this.pos += Number(n);
    return out;
  }

  string(name: string): string {
    const b = this.bytesField(name);
    try {
      return utf8.decode(b);
    } catch (cause) {
      throw new OnnxImportError(`ONNX: ${this.where}: ${name} is not valid UTF-8`, { field: this.where, cause });
    }
  }

  /** A sub-message's reader, its path `where`. */
  message(name: string, where: string): ProtoReader {
    return new ProtoReader(this.bytesField(name), where);
  }

  /**
   * One element or a packed run of a repeated numeric field, appended to `out`. `wire` is the
   * element's own wire type (0 varint, 1 fixed64, 5 fixed32); packed runs come as wire type 2.
   */
  repeated<T>(name: string, wire: 0 | 1 | 5, read: (r: ProtoReader) => T, out: T[]): void {
    if (this.wire === 2) {
      const packed = new ProtoReader(this.bytesField(name), `${this.where}.${name}`);
      packed.wire = wire;
      while (packed.pos < packed.bytes.byteLength) out.push(read(packed));
      return;
    }
    this.expect(wire, name);
    out.push(read(this));
  }

  /** A fixed32 or fixed64 element read inside {@link repeated}. */
  fixed(bytes: 4 | 8, name: string): number {
    this.need(bytes, name);
    const v = bytes === 4 ? this.view.getFloat32(this.pos, true) : this.view.getFloat64(this.pos, true);
    this.pos += bytes;
    return v;
  }

  /** A fresh reader over the same message, with another path (once a value's name is known). */
  renamed(where: string): ProtoReader {
    return new ProtoReader(this.bytes, where);
  }

  /** Skips the current field (one that the importer does not read). */
  skip(): void {
    if (this.wire === 0) this.varint('skipped field');
    else if (this.wire === 1) {
      this.need(8, 'skipped fixed64 field');
      this.pos += 8;
    } else if (this.wire === 5) {
      this.need(4, 'skipped fixed32 field');
      this.pos += 4;
    } else this.bytesField('skipped field');
  }
}

function elementType(code: number, where: string): OnnxElementType {
  const type = DATA_TYPES[code];
  if (type) return type;
  const name = OTHER_DATA_TYPES[code] ?? `unknown (${code})`;
  throw new OnnxImportError(
    `ONNX: ${where}: data_type ${name} is not supported (supported: float, double, int64, int32, bool, uint8, int8, string)`,
    { field: where },
  );
}

function safeLength(n: bigint, where: string): number {
  if (n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new OnnxImportError(`ONNX: ${where}: dimension ${n} is negative or too large`, { field: where });
  }
  return Number(n);
}

/** Decodes a TensorProto (an initializer, a Constant's value, an `input_N.pb`); `where` is its path in errors. */
export function decodeOnnxTensor(bytes: Uint8Array, where = 'TensorProto'): OnnxTensor {
  const r = new ProtoReader(bytes, where);
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: Uint8Array | undefined;
  let dataLocation = 0;
  const floats: number[] = [];
  const doubles: number[] = [];
  const int32s: number[] = [];
  const int64s: bigint[] = [];
  const strings: string[] = [];
  for (let f = r.next(); f; f = r.next()) {
    switch (f) {
      case 1:
        r.repeated('dims', 0, (p) => safeLength(BigInt.asIntN(64, p.varint('dims')), `${where}.dims`), dims);
        break;
      case 2:
        dataType = r.int('data_type');
        break;
      case 4:
        r.repeated('float_data', 5, (p) => p.fixed(4, 'float_data'), floats);
        break;
      case 5:
        r.repeated('int32_data', 0, (p) => Number(BigInt.asIntN(32, p.varint('int32_data'))), int32s);
        break;
      case 6:
        strings.push(r.string('string_data'));
        break;
      case 7:
        r.repeated('int64_data', 0, (p) => BigInt.asIntN(64, p.varint('int64_data')), int64s);
        break;
      case 8:
        name = r.string('name');
        break;
      case 9:
        raw = r.bytesField('raw_data');
        break;
      case 10:
        r.repeated('double_data', 1, (p) => p.fixed(8, 'double_data'), doubles);
        break;
      case 14:
        dataLocation = r.int('data_location');
        break;
      default:
        r.skip();
    }
  }
  const at = name ? `${where}[${JSON.stringify(name)}]` : where;
  if (dataLocation === 1)
    throw new OnnxImportError(
      `ONNX: ${at}: external data (data_location EXTERNAL) is not supported; save the model with its weights inside`,
      {
        field: `${at}.data_location`,
      },
    );
  const type = elementType(dataType, `${at}.data_type`);
  const count = dims.reduce((a, b) => a * b, 1);
  const data = tensorData(type, count, raw, { floats, doubles, int32s, int64s, strings }, at);
  return { name, type, dims, data };
}

function tensorData(
  type: OnnxElementType,
  count: number,
  raw: Uint8Array | undefined,
  fields: { floats: number[]; doubles: number[]; int32s: number[]; int64s: bigint[]; strings: string[] },
  at: string,
): OnnxTensor['data'] {
  const mismatch = (field: string, n: number): never => {
    throw new OnnxImportError(`ONNX: ${at}.${field}: has ${n} elements, dims say ${count}`, {
      field: `${at}.${field}`,
    });
  };
  if (type === 'string') {
    if (raw)
      throw new OnnxImportError(`ONNX: ${at}.raw_data: string tensors cannot use raw_data`, {
        field: `${at}.raw_data`,
      });
    if (fields.strings.length !== count) mismatch('string_data', fields.strings.length);
    return fields.strings;
  }
  if (raw) {
    const size = BYTES_PER_ELEMENT[type];
    if (raw.byteLength !== count * size) mismatch('raw_data', raw.byteLength / size);
    // Copy to an aligned buffer; raw_data is little-endian and DataView reads it as such on any host.
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    switch (type) {
      case 'float':
        return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
      case 'double':
        return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, true));
      case 'int64':
        return BigInt64Array.from({ length: count }, (_, i) => view.getBigInt64(8 * i, true));
      case 'int32':
        return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
      case 'int8':
        return Int32Array.from({ length: count }, (_, i) => view.getInt8(i));
      default:
        // uint8 and bool: one byte each.
        return Int32Array.from(raw);
    }
  }
  switch (type) {
    case 'float':
      if (fields.floats.length !== count) mismatch('float_data', fields.floats.length);
      return Float32Array.from(fields.floats);
    case 'double':
      if (fields.doubles.length !== count) mismatch('double_data', fields.doubles.length);
      return Float64Array.from(fields.doubles);
    case 'int64':
      if (fields.int64s.length !== count) mismatch('int64_data', fields.int64s.length);
      return BigInt64Array.from(fields.int64s);
    default:
      // int32, int8, uint8 and bool all live in int32_data.
      if (fields.int32s.length !== count) mismatch('int32_data', fields.int32s.length);
      return Int32Array.from(fields.int32s);
  }
}

/** TypeProto → element type, shape and, for non-tensors, the container spelled out. */
function decodeType(r: ProtoReader): { type: OnnxElementType; shape: (number | string | null)[]; container?: string } {
  for (let f = r.next(); f; f = r.next()) {
    if (f === 1 || f === 8) {
      // tensor_type or sparse_tensor_type: elem_type 1, shape 2.
      const t = r.message(f === 1 ? 'tensor_type' : 'sparse_tensor_type', `${r.where}.tensor_type`);
      let elem = 0;
      let shape: (number | string | null)[] = [];
      for (let g = t.next(); g; g = t.next()) {
        if (g === 1) elem = t.int('elem_type');
        else if (g === 2) shape = decodeShape(t.message('shape', `${t.where}.shape`));
        else t.skip();
      }
      const type = elementType(elem, `${t.where}.elem_type`);
      return f === 1 ? { type, shape } : { type, shape, container: `sparse_tensor(${type})` };
    }
    if (f === 4 || f === 9) {
      // sequence_type / optional_type: elem_type 1 (a TypeProto).
      const s = r.message(
        f === 4 ? 'sequence_type' : 'optional_type',
        `${r.where}.${f === 4 ? 'sequence_type' : 'optional_type'}`,
      );
      let inner: ReturnType<typeof decodeType> | undefined;
      for (let g = s.next(); g; g = s.next()) {
        if (g === 1) inner = decodeType(s.message('elem_type', `${s.where}.elem_type`));
        else s.skip();
      }
      if (!inner) return s.fail('elem_type missing');
      const wrap = f === 4 ? 'seq' : 'optional';
      return { type: inner.type, shape: [], container: `${wrap}(${inner.container ?? `tensor(${inner.type})`})` };
    }
    if (f === 5) {
      // map_type: key_type 1 (a DataType), value_type 2 (a TypeProto).
      const m = r.message('map_type', `${r.where}.map_type`);
      let key = 0;
      let value: ReturnType<typeof decodeType> | undefined;
      for (let g = m.next(); g; g = m.next()) {
        if (g === 1) key = m.int('key_type');
        else if (g === 2) value = decodeType(m.message('value_type', `${m.where}.value_type`));
        else m.skip();
      }
      if (!value) return m.fail('value_type missing');
      const keyType = elementType(key, `${m.where}.key_type`);
      return {
        type: value.type,
        shape: [],
        container: `map(${keyType},${value.container ?? `tensor(${value.type})`})`,
      };
    }
    r.skip();
  }
  return r.fail('no tensor_type, sequence_type, map_type or optional_type');
}

function decodeShape(r: ProtoReader): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  for (let f = r.next(); f; f = r.next()) {
    if (f !== 1) {
      r.skip();
      continue;
    }
    const d = r.message('dim', `${r.where}.dim[${dims.length}]`);
    let dim: number | string | null = null;
    for (let g = d.next(); g; g = d.next()) {
      if (g === 1) dim = safeLength(d.int64('dim_value'), `${d.where}.dim_value`);
      else if (g === 2) dim = d.string('dim_param') || null;
      else d.skip();
    }
    dims.push(dim);
  }
  return dims;
}

function decodeValueInfo(r: ProtoReader): OnnxValueInfo {
  let name = '';
  let typeBytes: ProtoReader | undefined;
  for (let f = r.next(); f; f = r.next()) {
    if (f === 1) name = r.string('name');
    else if (f === 2) typeBytes = r.message('type', `${r.where}.type`);
    else r.skip();
  }
  if (!name) r.fail('name missing');
  if (!typeBytes) r.fail(`${JSON.stringify(name)}: type missing`);
  // The type is decoded after the name so that its errors can name the value.
  const type = decodeType(typeBytes.renamed(`${r.where}[${JSON.stringify(name)}].type`));
  return type.container ? { name, ...type } : { name, type: type.type, shape: type.shape };
}

function decodeAttribute(r: ProtoReader, node: string): [string, OnnxAttributeValue] {
  let name = '';
  let type = 0;
  let f32: number | undefined;
  let int: bigint | undefined;
  let str: string | undefined;
  let tensor: Uint8Array | undefined;
  const floats: number[] = [];
  const ints: bigint[] = [];
  const strings: string[] = [];
  const tensors: Uint8Array[] = [];
  let refAttr = '';
  for (let f = r.next(); f; f = r.next()) {
    switch (f) {
      case 1:
        name = r.string('name');
        break;
      case 2:
        f32 = r.float('f');
        break;
      case 3:
        int = r.int64('i');
        break;
      case 4:
        str = r.string('s');
        break;
      case 5:
        tensor = r.bytesField('t');
        break;
      case 7:
        r.repeated('floats', 5, (p) => p.fixed(4, 'floats'), floats);
        break;
      case 8:
        r.repeated('ints', 0, (p) => BigInt.asIntN(64, p.varint('ints')), ints);
        break;
      case 9:
        strings.push(r.string('strings'));
        break;
      case 10:
        tensors.push(r.bytesField('tensors'));
        break;
      case 20:
        type = r.int('type');
        break;
      case 21:
        refAttr = r.string('ref_attr_name');
        break;
      default:
        r.skip();
    }
  }
  const at = `${node}.attribute[${JSON.stringify(name)}]`;
  if (!name) r.fail('name missing');
  if (refAttr) r.fail(`ref_attr_name ${JSON.stringify(refAttr)} (function attributes) is not supported`, at);
  // IR version 1 files carry no `type`: infer it from the field present, as onnx.proto allows.
  if (type === 0) {
    type =
      f32 !== undefined
        ? 1
        : int !== undefined
          ? 2
          : str !== undefined
            ? 3
            : tensor
              ? 4
              : floats.length
                ? 6
                : ints.length
                  ? 7
                  : strings.length
                    ? 8
                    : tensors.length
                      ? 9
                      : 0;
  }
  const value = attributeValue(type, { f32, int, str, tensor, floats, ints, strings, tensors }, at);
  return [name, value];
}

function attributeValue(
  type: number,
  v: {
    f32: number | undefined;
    int: bigint | undefined;
    str: string | undefined;
    tensor: Uint8Array | undefined;
    floats: number[];
    ints: bigint[];
    strings: string[];
    tensors: Uint8Array[];
  },
  at: string,
): OnnxAttributeValue {
  switch (type) {
    case 1:
      return { kind: 'float', value: v.f32 ?? 0 };
    case 2:
      return { kind: 'int', value: Number(v.int ?? 0n) };
    case 3:
      return { kind: 'string', value: v.str ?? '' };
    case 4:
      if (!v.tensor) throw new OnnxImportError(`ONNX: ${at}: type TENSOR but no t`, { field: at });
      return { kind: 'tensor', value: decodeOnnxTensor(v.tensor, `${at}.t`) };
    case 6:
      return { kind: 'floats', value: v.floats };
    case 7:
      return { kind: 'ints', value: v.ints.map(Number) };
    case 8:
      return { kind: 'strings', value: v.strings };
    case 9:
      return { kind: 'tensors', value: v.tensors.map((t, i) => decodeOnnxTensor(t, `${at}.tensors[${i}]`)) };
    default: {
      const name = OTHER_ATTRIBUTE_TYPES[type] ?? `unknown (${type})`;
      throw new OnnxImportError(`ONNX: ${at}: attribute type ${name} is not supported`, { field: at });
    }
  }
}

function decodeNode(r: ProtoReader): OnnxNode {
  const node: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() };
  const attributes: Uint8Array[] = [];
  for (let f = r.next(); f; f = r.next()) {
    switch (f) {
      case 1:
        node.inputs.push(r.string('input'));
        break;
      case 2:
        node.outputs.push(r.string('output'));
        break;
      case 3:
        node.name = r.string('name');
        break;
      case 4:
        node.opType = r.string('op_type');
        break;
      case 5:
        attributes.push(r.bytesField('attribute'));
        break;
      case 7:
        node.domain = r.string('domain');
        break;
      default:
        r.skip();
    }
  }
  if (!node.opType) r.fail('op_type missing');
  // ONNX spells the default domain '' or 'ai.onnx'; the importer uses ''.
  if (node.domain === 'ai.onnx') node.domain = '';
  const where = node.name ? `${r.where}(${JSON.stringify(node.name)})` : r.where;
  attributes.forEach((bytes, i) => {
    const [name, value] = decodeAttribute(new ProtoReader(bytes, `${where}.attribute[${i}]`), where);
    node.attributes.set(name, value);
  });
  return node;
}

function decodeGraph(r: ProtoReader): OnnxModel['graph'] {
  const graph: OnnxModel['graph'] = {
    name: '',
    nodes: [],
    initializers: new Map(),
    inputs: [],
    outputs: [],
    valueInfo: [],
  };
  const declared: OnnxValueInfo[] = [];
  let nNode = 0;
  let nInit = 0;
  for (let f = r.next(); f; f = r.next()) {
    switch (f) {
      case 1:
        graph.nodes.push(decodeNode(r.message('node', `graph.node[${nNode++}]`)));
        break;
      case 2:
        graph.name = r.string('name');
        break;
      case 5: {
        const t = decodeOnnxTensor(r.bytesField('initializer'), `graph.initializer[${nInit++}]`);
        if (!t.name) r.fail(`initializer ${nInit - 1} has no name`, `graph.initializer[${nInit - 1}]`);
        graph.initializers.set(t.name, t);
        break;
      }
      case 11:
        declared.push(decodeValueInfo(r.message('input', `graph.input[${declared.length}]`)));
        break;
      case 12:
        graph.outputs.push(decodeValueInfo(r.message('output', `graph.output[${graph.outputs.length}]`)));
        break;
      case 13:
        graph.valueInfo?.push(decodeValueInfo(r.message('value_info', `graph.value_info[${graph.valueInfo.length}]`)));
        break;
      case 15:
        r.fail('sparse_initializer is not supported', 'graph.sparse_initializer');
        break;
      default:
        r.skip();
    }
  }
  // Before IR version 4 initializers were also listed as inputs; only the others are fed by the caller.
  graph.inputs = declared.filter((v) => !graph.initializers.has(v.name));
  return graph;
}

/**
 * Decodes an ONNX ModelProto (the bytes of a `.onnx` file) into an {@link OnnxModel}: the graph's
 * nodes in file order, initializers by name, the inputs that are not initializers, outputs,
 * `value_info`, the operator sets by domain ('' for ai.onnx) and `metadata_props`. Functions,
 * training info and sub-graph attributes are not read (a GRAPH attribute is refused naming it).
 */
export function decodeOnnxModel(bytes: Uint8Array): OnnxModel {
  const r = new ProtoReader(bytes, 'ModelProto');
  const model: OnnxModel = {
    irVersion: 0,
    producerName: '',
    producerVersion: '',
    opsets: new Map(),
    graph: { name: '', nodes: [], initializers: new Map(), inputs: [], outputs: [] },
    metadata: new Map(),
  };
  let haveGraph = false;
  let nOpset = 0;
  for (let f = r.next(); f; f = r.next()) {
    switch (f) {
      case 1:
        model.irVersion = r.int('ir_version');
        break;
      case 2:
        model.producerName = r.string('producer_name');
        break;
      case 3:
        model.producerVersion = r.string('producer_version');
        break;
      case 7:
        model.graph = decodeGraph(r.message('graph', 'graph'));
        haveGraph = true;
        break;
      case 8: {
        const o = r.message('opset_import', `opset_import[${nOpset++}]`);
        let domain = '';
        let version = 0;
        for (let g = o.next(); g; g = o.next()) {
          if (g === 1) domain = o.string('domain');
          else if (g === 2) version = o.int('version');
          else o.skip();
        }
        model.opsets.set(domain === 'ai.onnx' ? '' : domain, version);
        break;
      }
      case 14: {
        const kv = r.message('metadata_props', 'metadata_props');
        let key = '';
        let value = '';
        for (let g = kv.next(); g; g = kv.next()) {
          if (g === 1) key = kv.string('key');
          else if (g === 2) value = kv.string('value');
          else kv.skip();
        }
        model.metadata?.set(key, value);
        break;
      }
      default:
        r.skip();
    }
  }
  if (!haveGraph) r.fail('graph missing (not an ONNX model?)', 'graph');
  return model;
}

import { ApiError } from '../errors.ts';

/**
 * Tensor data of the open inference protocol (KServe v2), as JSON and as the binary tensor data
 * extension sends it (https://github.com/triton-inference-server/server/blob/main/docs/protocol/extension_binary_data.md):
 * little-endian, row-major, no stride or padding, each element in its datatype's native size, BOOL
 * one byte (0 or 1). BYTES tensors (length-prefixed strings) are refused: every model input here
 * is a number. Whatever the datatype, values reach the runners as float32.
 */

/** The numeric datatypes of the protocol and BOOL, with their element sizes in bytes. */
export const ELEMENT_BYTES = {
  BOOL: 1,
  UINT8: 1,
  UINT16: 2,
  UINT32: 4,
  UINT64: 8,
  INT8: 1,
  INT16: 2,
  INT32: 4,
  INT64: 8,
  FP16: 2,
  FP32: 4,
  FP64: 8,
} as const;

/** A datatype a tensor may have here. */
export type TensorDatatype = keyof typeof ELEMENT_BYTES;

/** The datatypes a tensor may have here, in the protocol's order. */
export const TENSOR_DATATYPES = Object.keys(ELEMENT_BYTES) as [TensorDatatype, ...TensorDatatype[]];

/** The integer datatypes' ranges (64-bit ones to what a float64 holds exactly, ±2^53). */
const INTEGER_RANGE: Partial<Record<TensorDatatype, [number, number]>> = {
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** Largest finite FP16 value. */
const FP16_MAX = 65504;

/** The number of elements of a shape (1 for `[]`). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** Why `v` is not a value of `datatype` (undefined when it is one). */
function valueFault(v: unknown, datatype: TensorDatatype): string | undefined {
  if (datatype === 'BOOL') return typeof v === 'boolean' ? undefined : 'must be true or false (BOOL)';
  if (typeof v !== 'number' || !Number.isFinite(v)) return 'must be a finite number';
  const range = INTEGER_RANGE[datatype];
  if (range) {
    if (!Number.isInteger(v) || v < range[0] || v > range[1]) {
      return `must be an integer in [${range[0]}, ${range[1]}] (${datatype})`;
    }
  } else if (datatype === 'FP16' && Math.abs(v) > FP16_MAX) {
    return `must be within ±${FP16_MAX} (FP16)`;
  }
  return undefined;
}

/**
 * The values of a JSON tensor `data` as float32, row-major. `data` is flat (exactly
 * `elementCount(shape)` values) or nested as row-major arrays matching `shape` level by level
 * (`[[0.5], [0.6]]` for shape [2, 1]); it is read as nested when every entry is an array. Values are numbers of the datatype (integers in range for
 * the integer types) or, for BOOL, true/false (1/0). Every fault is a 400 naming the element
 * (`inputs[0].data[1][0]`).
 */
export function jsonTensorValues(
  data: readonly unknown[],
  shape: readonly number[],
  datatype: TensorDatatype,
  field: string,
): Float32Array {
  const size = elementCount(shape);
  // Nested only when every entry is an array: in a mix, the arrays are the entries at fault.
  const nested = data.length > 0 && Array.isArray(data[0]) && data.every((v) => Array.isArray(v));
  const out = new Float32Array(size);
  if (!nested) {
    if (data.length !== size) {
      throw new ApiError(
        400,
        'invalid_input',
        `${field} has ${data.length} values, shape ${shapeText(shape)} needs ${size}`,
        field,
      );
    }
    for (let i = 0; i < size; i++) {
      const v = data[i];
      if (typeof v === 'number' && Number.isFinite(v) && datatype === 'FP32') {
        out[i] = v;
        continue;
      }
      const fault = Array.isArray(v)
        ? 'is an array but other entries are not (send data flat, or nested as the shape throughout)'
        : valueFault(v, datatype);
      if (fault) throw new ApiError(400, 'invalid_input', `${field}[${i}]: ${fault}`, `${field}[${i}]`);
      out[i] = v === true ? 1 : v === false ? 0 : (v as number);
    }
    return out;
  }
  let o = 0;
  const walk = (level: readonly unknown[], depth: number, path: string): void => {
    const want = shape[depth] as number;
    if (level.length !== want) {
      throw new ApiError(
        400,
        'invalid_input',
        `${path} has ${level.length} entries, dimension ${depth} of shape ${shapeText(shape)} is ${want}`,
        path,
      );
    }
    const last = depth === shape.length - 1;
    for (let i = 0; i < level.length; i++) {
      const v = level[i];
      const at = `${path}[${i}]`;
      if (last) {
        const fault = Array.isArray(v) ? `nests deeper than shape ${shapeText(shape)}` : valueFault(v, datatype);
        if (fault) throw new ApiError(400, 'invalid_input', `${at}: ${fault}`, at);
        out[o++] = v === true ? 1 : v === false ? 0 : (v as number);
      } else if (!Array.isArray(v)) {
        throw new ApiError(
          400,
          'invalid_input',
          `${at}: must be an array (dimension ${depth + 1} of shape ${shapeText(shape)}), or send data flat`,
          at,
        );
      } else {
        walk(v, depth + 1, at);
      }
    }
  };
  walk(data, 0, field);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** An IEEE 754 half-precision value (its 16 bits) as a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** A typed-array view of `length` bytes at `offset` of `bytes`, copied only when misaligned. */
function aligned(bytes: Uint8Array, offset: number, length: number, align: number): ArrayBuffer | Uint8Array {
  const start = bytes.byteOffset + offset;
  if (start % align === 0) return bytes.subarray(offset, offset + length);
  return bytes.slice(offset, offset + length);
}

/**
 * The `count` elements of `datatype` at `offset` of `bytes` (binary tensor data: little-endian,
 * row-major) as float32. FP32 is a view of the body when aligned (no copy); BOOL bytes must be 0
 * or 1; floating values must be finite. Faults are a 400 naming the element (`inputs[0].data[7]`).
 */
export function binaryTensorValues(
  bytes: Uint8Array,
  offset: number,
  count: number,
  datatype: TensorDatatype,
  field: string,
): Float32Array {
  const size = ELEMENT_BYTES[datatype];
  const length = count * size;
  if (!LITTLE_ENDIAN) return viaDataView(bytes, offset, count, datatype, field);
  const part = aligned(bytes, offset, length, size);
  const buffer = part instanceof Uint8Array ? part.buffer : part;
  const start = part instanceof Uint8Array ? part.byteOffset : 0;
  let values: Float32Array;
  switch (datatype) {
    case 'FP32':
      values = new Float32Array(buffer, start, count);
      break;
    case 'FP64':
      values = Float32Array.from(new Float64Array(buffer, start, count));
      break;
    case 'FP16': {
      const half = new Uint16Array(buffer, start, count);
      values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = halfToFloat(half[i] as number);
      break;
    }
    case 'BOOL': {
      const b = new Uint8Array(buffer, start, count);
      for (let i = 0; i < count; i++) {
        if ((b[i] as number) > 1) {
          throw new ApiError(400, 'invalid_input', `${field}[${i}]: a BOOL byte must be 0 or 1`, `${field}[${i}]`);
        }
      }
      return Float32Array.from(b);
    }
    case 'UINT8':
      return Float32Array.from(new Uint8Array(buffer, start, count));
    case 'INT8':
      return Float32Array.from(new Int8Array(buffer, start, count));
    case 'UINT16':
      return Float32Array.from(new Uint16Array(buffer, start, count));
    case 'INT16':
      return Float32Array.from(new Int16Array(buffer, start, count));
    case 'UINT32':
      return Float32Array.from(new Uint32Array(buffer, start, count));
    case 'INT32':
      return Float32Array.from(new Int32Array(buffer, start, count));
    case 'UINT64':
      return Float32Array.from(new BigUint64Array(buffer, start, count), Number);
    case 'INT64':
      return Float32Array.from(new BigInt64Array(buffer, start, count), Number);
  }
  checkFinite(values, field);
  return values;
}

/** The big-endian fallback: element by element through a DataView. */
function viaDataView(
  bytes: Uint8Array,
  offset: number,
  count: number,
  datatype: TensorDatatype,
  field: string,
): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * ELEMENT_BYTES[datatype]);
  const out = new Float32Array(count);
  const s = ELEMENT_BYTES[datatype];
  for (let i = 0; i < count; i++) {
    const p = i * s;
    const read: Record<TensorDatatype, () => number> = {
      BOOL: () => view.getUint8(p),
      UINT8: () => view.getUint8(p),
      INT8: () => view.getInt8(p),
      UINT16: () => view.getUint16(p, true),
      INT16: () => view.getInt16(p, true),
      UINT32: () => view.getUint32(p, true),
      INT32: () => view.getInt32(p, true),
      UINT64: () => Number(view.getBigUint64(p, true)),
      INT64: () => Number(view.getBigInt64(p, true)),
      FP16: () => halfToFloat(view.getUint16(p, true)),
      FP32: () => view.getFloat32(p, true),
      FP64: () => view.getFloat64(p, true),
    };
    const v = read[datatype]();
    if (datatype === 'BOOL' && v > 1) {
      throw new ApiError(400, 'invalid_input', `${field}[${i}]: a BOOL byte must be 0 or 1`, `${field}[${i}]`);
    }
    out[i] = v;
  }
  if (datatype === 'FP16' || datatype === 'FP32' || datatype === 'FP64') checkFinite(out, field);
  return out;
}

function checkFinite(values: Float32Array, field: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) {
      throw new ApiError(400, 'invalid_input', `${field}[${i}]: must be a finite number`, `${field}[${i}]`);
    }
  }
}

/**
 * A response body of the binary tensor data extension: the JSON header, then each binary part in
 * order. Returns the body and the header's length in bytes (`Inference-Header-Content-Length`).
 */
export function binaryBody(
  header: unknown,
  parts: readonly Uint8Array[],
): { body: Uint8Array<ArrayBuffer>; headerLength: number } {
  const head = new TextEncoder().encode(JSON.stringify(header));
  let total = head.byteLength;
  for (const p of parts) total += p.byteLength;
  const body = new Uint8Array(total);
  body.set(head, 0);
  let o = head.byteLength;
  for (const p of parts) {
    body.set(p, o);
    o += p.byteLength;
  }
  return { body, headerLength: head.byteLength };
}

/** Float32 values as little-endian bytes (a view when the platform is little-endian). */
export function float32Bytes(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return out;
}

/**
 * The tensors the ONNX graph interpreter computes on: float32 data as Float32Array, every other
 * numeric element type (double, int64, int32, bool, uint8, int8) as Float64Array of its values
 * (int64 exact below 2^53, which covers shapes, axes and indices), row-major, dims as numbers.
 */
import { OnnxImportError } from '../../errors.ts';
import type { OnnxElementType, OnnxTensor } from '../../import/onnx/model.ts';

/** A tensor of the interpreter: `float` holds a Float32Array, every other type a Float64Array. */
export interface Tensor {
  type: Exclude<OnnxElementType, 'string'>;
  dims: number[];
  data: Float32Array | Float64Array;
}

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Whether values of `type` are integers (truncating division, integral casts). */
export function isInteger(type: Tensor['type']): boolean {
  return type !== 'float' && type !== 'double';
}

/** A zeroed tensor of `type` and `dims`. */
export function zeros(type: Tensor['type'], dims: number[]): Tensor {
  const n = sizeOf(dims);
  return { type, dims, data: type === 'float' ? new Float32Array(n) : new Float64Array(n) };
}

/** The interpreter's tensor of a decoded ONNX tensor (copies; string tensors are refused naming `where`). */
export function fromOnnxTensor(t: OnnxTensor, where: string): Tensor {
  if (t.type === 'string') {
    throw new OnnxImportError(`ONNX: ${where}: string tensors are not supported in graphs`, { field: where });
  }
  const n = sizeOf(t.dims);
  if (t.data.length !== n) {
    throw new OnnxImportError(`ONNX: ${where}: ${t.data.length} values for dims [${t.dims.join(', ')}]`, {
      field: where,
    });
  }
  if (t.type === 'float') return { type: 'float', dims: [...t.dims], data: Float32Array.from(t.data as Float32Array) };
  const data = new Float64Array(n);
  if (t.data instanceof BigInt64Array) for (let i = 0; i < n; i++) data[i] = Number(t.data[i]);
  else data.set(t.data as ArrayLike<number>);
  return { type: t.type, dims: [...t.dims], data };
}

/** A decoded-ONNX tensor (the importer's type) of an interpreter tensor, named `name`. */
export function toOnnxTensor(t: Tensor, name: string): OnnxTensor {
  const dims = [...t.dims];
  switch (t.type) {
    case 'float':
      return { name, type: t.type, dims, data: Float32Array.from(t.data) };
    case 'double':
      return { name, type: t.type, dims, data: Float64Array.from(t.data) };
    case 'int64':
      return { name, type: t.type, dims, data: BigInt64Array.from(t.data, (v) => BigInt(v)) };
    default:
      return { name, type: t.type, dims, data: Int32Array.from(t.data) };
  }
}

/**
 * The shape of numpy-style (multidirectional) broadcasting of `shapes`: aligned on the right, each
 * dimension equal or 1. Throws `fail(message)` for shapes that do not broadcast.
 */
export function broadcastShape(shapes: readonly (readonly number[])[], fail: (message: string) => never): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i] as number;
      const cur = out[o] as number;
      if (d === cur || d === 1) continue;
      if (cur === 1) out[o] = d;
      else fail(`shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(' and ')} do not broadcast`);
    }
  }
  return out;
}

/**
 * For each element of a tensor of `out` dims, the flat index of the element of a tensor of `dims`
 * (broadcast to `out`) it reads. Null when `dims` equals `out` (identity).
 */
export function broadcastIndex(dims: readonly number[], out: readonly number[]): Int32Array | null {
  if (dims.length === out.length && dims.every((d, i) => d === out[i])) return null;
  const rank = out.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    const o = rank - dims.length + i;
    strides[o] = dims[i] === 1 ? 0 : s;
    s *= dims[i] as number;
  }
  const n = sizeOf(out);
  const index = new Int32Array(n);
  const counter = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let k = 0; k < n; k++) {
    index[k] = offset;
    for (let a = rank - 1; a >= 0; a--) {
      counter[a] = (counter[a] as number) + 1;
      offset += strides[a] as number;
      if ((counter[a] as number) < (out[a] as number)) break;
      offset -= (strides[a] as number) * (out[a] as number);
      counter[a] = 0;
    }
  }
  return index;
}

/** Row-major strides of `dims`. */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = (s[i + 1] as number) * (dims[i + 1] as number);
  return s;
}

/**
 * MatMul and Gemm nodes whose weight is a compile-time constant, run on the WebAssembly dense
 * kernels of the MLP runtime (`packForWasm`): the weight (transposed for `transB`, times `alpha`)
 * and the bias (`beta`·C, C broadcast along the rows) are packed once; each call copies blocks of
 * rows of the 2-D input through the kernels. Null — the interpreter's own loops then — where the
 * node does not fit (a batched or non-float input, transA, a C that varies along the rows) or
 * WebAssembly SIMD is missing.
 */
import type { OnnxNode } from '../../import/onnx/model.ts';
import { BLOCK, packForWasm } from '../mlp.ts';
import type { OpContext, OpSpec } from './ops.ts';
import type { Tensor } from './tensor.ts';

function attr(node: OnnxNode, name: string, fallback: number): number {
  const a = node.attributes.get(name);
  return a && (a.kind === 'int' || a.kind === 'float') ? a.value : fallback;
}

/** A C of dims [], [1], [N] or [1, N] as the bias vector beta·C, else undefined. */
function biasOf(c: Tensor | undefined, n: number, beta: number): Float32Array | undefined {
  if (!c || beta === 0) return new Float32Array(n);
  const d = c.dims;
  const ok =
    d.length === 0 ||
    (d.length === 1 && (d[0] === 1 || d[0] === n)) ||
    (d.length === 2 && d[0] === 1 && (d[1] === 1 || d[1] === n));
  if (!ok || (c.type !== 'float' && c.type !== 'double')) return undefined;
  return Float32Array.from({ length: n }, (_, j) => beta * (c.data[c.data.length === 1 ? 0 : j] as number));
}

/**
 * The wasm-backed op of a MatMul/Gemm `node` whose input 1 (and 2) are the given constants, or
 * null where it does not apply; `fallback` is the generic op, used for inputs of another shape.
 */
export function packedDenseOp(
  node: OnnxNode,
  b: Tensor | undefined,
  c: Tensor | undefined,
  fallback: OpSpec,
): OpSpec | null {
  const gemm = node.opType === 'Gemm';
  if (b?.type !== 'float' || b.dims.length !== 2) return null;
  if (gemm && attr(node, 'transA', 0) !== 0) return null;
  const transB = gemm && attr(node, 'transB', 0) === 1;
  const [r0, r1] = b.dims as [number, number];
  const fanIn = transB ? r1 : r0;
  const units = transB ? r0 : r1;
  const alpha = gemm ? attr(node, 'alpha', 1) : 1;
  const bias = gemm ? biasOf(c, units, attr(node, 'beta', 1)) : new Float32Array(units);
  if (!bias || fanIn === 0 || units === 0) return null;
  const kernel = new Float32Array(fanIn * units);
  for (let p = 0; p < fanIn; p++)
    for (let q = 0; q < units; q++)
      kernel[p * units + q] = alpha * (b.data[transB ? q * fanIn + p : p * units + q] as number);
  const packed = packForWasm([{ fanIn, units, kernel, bias, activation: 'linear' }], fanIn);
  if (!packed) return null;
  return {
    attributes: fallback.attributes,
    run(ctx: OpContext, inputs: readonly (Tensor | undefined)[]): Tensor[] {
      const a = inputs[0];
      if (a?.type !== 'float' || a.dims.length !== 2 || a.dims[1] !== fanIn) return fallback.run(ctx, inputs);
      const rows = a.dims[0] as number;
      const out = new Float32Array(rows * units);
      for (let start = 0; start < rows; start += BLOCK)
        packed.block(a.data as Float32Array, start, Math.min(BLOCK, rows - start), out);
      return [{ type: 'float', dims: [rows, units], data: out }];
    },
  };
}

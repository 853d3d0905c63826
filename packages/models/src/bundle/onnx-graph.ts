import type { Fault } from '@hepml/physics';
import { nonEmptyArray } from '@hepml/physics';
import { z } from 'zod';
import type { ArchitectureContext } from './cnn-film.ts';
import { nonNegativeInt, positiveInt } from './json.ts';

/** A graph input or output of an `onnx-graph` bundle: its ONNX name and its shape per row (the batch axis left out). */
export const OnnxGraphTensorV1 = z.strictObject({
  name: z.string().min(1, { error: 'must not be empty' }),
  shape: z.array(positiveInt),
});
export type OnnxGraphTensorV1 = z.infer<typeof OnnxGraphTensorV1>;

/**
 * An imported ONNX graph that is not a plain dense chain (convolutions, pooling, …), run by the
 * runtime's ONNX interpreter (`runtime/onnx-graph`). The weights file is the ONNX ModelProto
 * itself (`format: "onnx"`). A row of the manifest's inputs is the concatenation, in `inputs`
 * order, of each graph input's values for one row (row-major over `shape`), standardised as the
 * manifest says; a row of outputs likewise concatenates `outputs`. `batch` says how rows map onto
 * the graph's first axis: `"dynamic"` (symbolic first dimension: any number of rows per run), a
 * number B (the graph was exported for batches of B: rows run B at a time, the last run padded
 * with zeros), or `"none"` (the graph has no batch axis: `shape` is the whole tensor and each row
 * is one run). `opset` is the default domain's operator set; `parameters` counts the values of
 * the graph's constant tensors.
 */
export const OnnxGraphArchitectureV1 = z.strictObject({
  kind: z.literal('onnx-graph'),
  format: z.literal('onnx'),
  opset: positiveInt,
  parameters: nonNegativeInt,
  batch: z.union([z.literal('dynamic'), z.literal('none'), positiveInt]),
  inputs: nonEmptyArray(OnnxGraphTensorV1),
  outputs: nonEmptyArray(OnnxGraphTensorV1),
});
export type OnnxGraphArchitectureV1 = z.infer<typeof OnnxGraphArchitectureV1>;

/** Values per row of graph tensors: Σ ∏ shape. */
export function onnxGraphRowSize(tensors: readonly OnnxGraphTensorV1[]): number {
  return tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
}

/** The graph's inputs and outputs against the manifest's inputs and model outputs (no image). */
export function checkOnnxGraphArchitecture(
  arch: OnnxGraphArchitectureV1,
  context: ArchitectureContext,
): Fault | undefined {
  if (context.imageShape) return { path: ['image'], message: 'is not taken by architecture.kind "onnx-graph"' };
  const inputs = onnxGraphRowSize(arch.inputs);
  if (inputs !== context.inputNames.length) {
    const message = `hold ${inputs} values per row but the manifest lists ${context.inputNames.length} inputs`;
    return { path: ['architecture', 'inputs'], message };
  }
  const outputs = onnxGraphRowSize(arch.outputs);
  if (outputs !== context.outputCount) {
    const message = `hold ${outputs} values per row but the manifest lists ${context.outputCount} model outputs`;
    return { path: ['architecture', 'outputs'], message };
  }
  return undefined;
}

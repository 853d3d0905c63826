import { type BundleManifestV1, type DenseLayerV1, type InputTransformV1, modelOutputs } from '../bundle/manifest.ts';
import { BundleError } from '../errors.ts';

/**
 * A feed-forward network as a chain of dense layers, with the standardisation of its inputs:
 * the common shape that the exporters (ONNX, lwtnn) write. Kernels are row-major [fanIn × units].
 */
export interface DenseChain {
  /** Per input: x enters as (t(x) − offset)/scale, t its transform when it has one. */
  inputs: { name: string; unit: string; offset: number; scale: number; transform?: InputTransformV1 }[];
  layers: { units: number; activation: DenseLayerV1['activation']; kernel: Float32Array; bias: Float32Array }[];
  /** The network's own outputs, one per unit of the last layer. */
  outputs: { name: string; unit: string }[];
  /**
   * Discriminants derived from those outputs (manifest `outputs[i].discriminant`), by column:
   * D = Σ out[signal] / (Σ out[signal] + Σ out[background]).
   */
  discriminants: { name: string; signal: number[]; background: number[] }[];
}

/**
 * The dense chain of an MLP bundle from its manifest and its weights (per layer the kernel, then
 * the bias, as the bundle stores them). A manifest that is not a chain of dense layers is a
 * BundleError: the exporters only write what they can write exactly.
 */
export function denseChainOf(manifest: BundleManifestV1, weights: Float32Array): DenseChain {
  const arch = manifest.architecture as { kind: string; inputSize?: number; layers?: unknown };
  if (arch.kind !== 'mlp' || !Array.isArray(arch.layers) || typeof arch.inputSize !== 'number') {
    throw new BundleError(`architecture.kind "${arch.kind}": only dense networks export to ONNX/lwtnn here`, {
      field: 'architecture.kind',
    });
  }
  const layers: DenseChain['layers'] = [];
  let offset = 0;
  let fanIn = arch.inputSize;
  for (const spec of arch.layers as DenseLayerV1[]) {
    const kernel = weights.slice(offset, offset + fanIn * spec.units);
    offset += fanIn * spec.units;
    const bias = weights.slice(offset, offset + spec.units);
    offset += spec.units;
    layers.push({ units: spec.units, activation: spec.activation, kernel, bias });
    fanIn = spec.units;
  }
  if (offset !== weights.length) {
    throw new BundleError(`weights: ${weights.length} values, the layers use ${offset}`, { field: 'weights' });
  }
  const own = modelOutputs(manifest.outputs);
  const column = (name: string) => own.findIndex((o) => o.name === name);
  return {
    inputs: manifest.inputs.map((i) => ({
      name: i.name,
      unit: i.unit,
      offset: i.offset,
      scale: i.scale,
      ...(i.transform ? { transform: i.transform } : {}),
    })),
    layers,
    outputs: own.map((o) => ({ name: o.name, unit: o.unit })),
    discriminants: manifest.outputs.flatMap((o) =>
      o.discriminant
        ? [
            {
              name: o.name,
              signal: o.discriminant.signal.map(column),
              background: o.discriminant.background.map(column),
            },
          ]
        : [],
    ),
  };
}

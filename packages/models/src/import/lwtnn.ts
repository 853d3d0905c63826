/**
 * lwtnn's "LightweightNeuralNetwork" JSON (lwtnn/lwtnn, what `keras2json.py` writes; the format
 * export/lwtnn.ts writes) as a hepml `mlp` bundle. lwtnn preprocesses x' = (x + offset) · scale, we
 * (x − offset) / scale, so our offset = −offset, scale = 1 / scale; a dense layer's `weights` is the
 * [units × fanIn] matrix row by row, the transpose of our [fanIn × units] kernel. Only sequential
 * dense networks fit the `mlp` bundle: other architectures and input sequences are refused, naming
 * the field.
 */
import { FieldError } from '@hepml/physics';
import { z } from 'zod';
import { type Bundle, buildBundle } from '../bundle/build.ts';
import type { ActivationV1, BundleManifestV1 } from '../bundle/manifest.ts';
import type { ImportOptions } from './gbdt-bundle.ts';
import { type ImportProducer, importLineage } from './lineage.ts';

const LwtnnJson = z.object({
  inputs: z
    .array(
      z.object({ name: z.string(), offset: z.number(), scale: z.number().refine((s) => s !== 0, 'must not be zero') }),
    )
    .min(1),
  input_sequences: z.array(z.unknown()).max(0, 'must be empty: sequence inputs do not fit an mlp bundle').optional(),
  layers: z
    .array(
      z.object({
        architecture: z.literal('dense', { error: 'must be "dense": only dense layers fit an mlp bundle' }),
        activation: z.enum(['linear', 'rectified', 'sigmoid', 'tanh', 'elu', 'softmax'], {
          error: 'must be one of linear, rectified, sigmoid, tanh, elu, softmax',
        }),
        weights: z.array(z.number()),
        bias: z.array(z.number()).min(1),
      }),
    )
    .min(1),
  outputs: z.array(z.string()),
  defaults: z.record(z.string(), z.number()).optional(),
  miscellaneous: z.record(z.string(), z.string()).optional(),
});

/** lwtnn, with the converter's version when `miscellaneous` records one (`lwtnn_version`, `version`). */
function lwtnnProducer(misc: Record<string, string> | undefined): ImportProducer {
  const version = misc?.lwtnn_version ?? misc?.version;
  return { format: 'lwtnn-json', name: 'lwtnn', ...(version ? { version } : {}) };
}

const ACTIVATION: Record<string, ActivationV1> = {
  linear: 'linear',
  rectified: 'relu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  elu: 'elu',
  softmax: 'softmax',
};

/**
 * An lwtnn JSON network as an `mlp` bundle. Outputs default to class scores after a softmax, one
 * `score` after a sigmoid, else dimensionless `correction`s, named as lwtnn's `outputs`; input units
 * come from `miscellaneous.units` (as export/lwtnn.ts writes them) or `options.units`, else "1".
 */
export async function importLwtnnJson(bytes: Uint8Array, options: ImportOptions): Promise<Bundle> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new FieldError(`lwtnn JSON: not JSON (${(cause as Error).message})`, { field: '(root)' });
  }
  const parsed = LwtnnJson.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue
      ? issue.path
          .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
          .join('')
          .slice(1)
      : '';
    throw new FieldError(`lwtnn JSON: ${field || '(root)'}: ${issue?.message ?? 'invalid'}`, { field });
  }
  const net = parsed.data;
  let fanIn = net.inputs.length;
  const parts: Float32Array[] = [];
  const layers = net.layers.map((layer, l) => {
    const units = layer.bias.length;
    if (layer.weights.length !== units * fanIn)
      throw new FieldError(
        `lwtnn JSON: layers[${l}].weights must have ${units} × ${fanIn} = ${units * fanIn} entries, has ${layer.weights.length}`,
        {
          field: `layers[${l}].weights`,
        },
      );
    const kernel = new Float32Array(fanIn * units);
    for (let j = 0; j < units; j++)
      for (let i = 0; i < fanIn; i++) kernel[i * units + j] = layer.weights[j * fanIn + i] as number;
    parts.push(kernel, Float32Array.from(layer.bias));
    fanIn = units;
    return { type: 'dense' as const, units, activation: ACTIVATION[layer.activation] as ActivationV1 };
  });
  const last = layers.at(-1) as (typeof layers)[number];
  if (net.outputs.length !== last.units)
    throw new FieldError(
      `lwtnn JSON: outputs must name the ${last.units} units of the last layer, names ${net.outputs.length}`,
      {
        field: 'outputs',
      },
    );
  let units: Record<string, string> = {};
  const miscUnits = net.miscellaneous?.units;
  if (miscUnits) {
    try {
      units = z.record(z.string(), z.string()).parse(JSON.parse(miscUnits));
    } catch {
      throw new FieldError('lwtnn JSON: miscellaneous.units must be a JSON object of unit strings', {
        field: 'miscellaneous.units',
      });
    }
  }
  const kind =
    last.activation === 'softmax'
      ? 'class-score'
      : last.activation === 'sigmoid' && last.units === 1
        ? 'score'
        : 'correction';
  const outputs: BundleManifestV1['outputs'] =
    options.outputs ?? net.outputs.map((name) => ({ name, kind, unit: '1' }));
  const total = parts.reduce((s, p) => s + p.length, 0);
  const weights = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    weights.set(p, o);
    o += p.length;
  }
  const weightBytes = new Uint8Array(weights.buffer);
  return buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: options.name,
      task: options.task ?? 'imported',
      description: options.description ?? `lwtnn network (${layers.length} dense layers)`,
      inputs: net.inputs.map((i) => {
        const description = options.descriptions?.[i.name];
        return {
          name: i.name,
          unit: options.units?.[i.name] ?? units[i.name] ?? '1',
          offset: -i.offset,
          scale: 1 / i.scale,
          ...(description ? { description } : {}),
        };
      }),
      outputs,
      architecture: { kind: 'mlp', inputSize: net.inputs.length, layers, parameters: total },
      weights: 'weights.bin',
      metrics: {},
      workingPoints: [],
      lineage: await importLineage(bytes, lwtnnProducer(net.miscellaneous), options),
    },
    new Map([['weights.bin', weightBytes]]),
  );
}

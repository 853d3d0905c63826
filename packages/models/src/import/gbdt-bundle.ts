/**
 * Imported tree ensembles (XGBoost JSON, LightGBM text, ONNX-ML TreeEnsemble) as hepml bundles:
 * `manifest.json` plus the trees as `gbdt.json` (`hepml-gbdt/1`), served by the runtime's GBDT
 * evaluator like a fitted baseline.
 */
import { FieldError } from '@hepml/physics';
import { type Bundle, buildBundle } from '../bundle/build.ts';
import { sha256Hex } from '../bundle/hash.ts';
import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { type GbdtParams, gbdtParameterCount, serializeGbdt } from '../runtime/baselines/gbdt-format.ts';
import { lightgbmTextToGbdt, xgboostJsonToGbdt } from './boosters.ts';

/** What the foreign file does not say: the bundle's name and, optionally, its outputs and description. */
export interface ImportOptions {
  /** Bundle name ([a-z0-9][a-z0-9._-]{0,63}). */
  name: string;
  task?: string;
  description?: string;
  /** Outputs; default `score` (binary), `class_k` class scores (multiclass), `response` (regression, unit 1). */
  outputs?: BundleManifestV1['outputs'];
  /** Input units by name (default "1"; the foreign formats carry none). */
  units?: Record<string, string>;
  /** ISO time stamped into the lineage (default now). */
  createdAt?: string;
}

function defaultOutputs(p: GbdtParams): BundleManifestV1['outputs'] {
  if (p.objective === 'binary') return [{ name: 'score', kind: 'score', unit: '1' }];
  if (p.objective === 'multiclass')
    return Array.from({ length: p.numClass }, (_, k) => ({
      name: `class_${k}`,
      kind: 'class-score' as const,
      unit: '1',
    }));
  return [{ name: 'response', kind: 'correction', unit: '1' }];
}

/** The GBDT as a bundle; `source` (the foreign file's bytes) is hashed into the lineage. */
export async function gbdtImportBundle(
  params: GbdtParams,
  source: Uint8Array,
  producer: string,
  options: ImportOptions,
): Promise<Bundle> {
  const json = new TextEncoder().encode(JSON.stringify(serializeGbdt(params)));
  return buildBundle(
    {
      format: 'hepml-bundle',
      formatVersion: 1,
      name: options.name,
      task: options.task ?? 'imported',
      description:
        options.description ?? `${producer} tree ensemble (${params.trees.length} trees, ${params.objective})`,
      inputs: params.inputs.map((name) => ({ name, unit: options.units?.[name] ?? '1', offset: 0, scale: 1 })),
      outputs: options.outputs ?? defaultOutputs(params),
      architecture: { kind: 'gbdt', parameters: gbdtParameterCount(params), format: 'hepml-gbdt/1' },
      weights: 'gbdt.json',
      metrics: {},
      workingPoints: [],
      lineage: {
        datasetHash: `import:${await sha256Hex(source)}`,
        codeVersion: producer,
        seed: 0,
        createdAt: options.createdAt ?? new Date().toISOString(),
        backend: 'ts',
      },
    },
    new Map([['gbdt.json', json]]),
  );
}

/** An XGBoost JSON model file as a bundle (errors name the JSON field). */
export async function importXgboostJson(bytes: Uint8Array, options: ImportOptions): Promise<Bundle> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new FieldError(`XGBoost JSON: not JSON (${(cause as Error).message})`, { field: '(root)' });
  }
  return gbdtImportBundle(xgboostJsonToGbdt(json), bytes, 'xgboost-json', options);
}

/** A LightGBM text model file as a bundle (errors name the tree and key). */
export async function importLightgbmText(bytes: Uint8Array, options: ImportOptions): Promise<Bundle> {
  return gbdtImportBundle(lightgbmTextToGbdt(new TextDecoder().decode(bytes)), bytes, 'lightgbm-text', options);
}

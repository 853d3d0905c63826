/**
 * Imported tree ensembles (XGBoost JSON, LightGBM text, ONNX-ML TreeEnsemble) as hepml bundles:
 * `manifest.json` plus the trees as `gbdt.json` (`hepml-gbdt/1`), served by the runtime's GBDT
 * evaluator like a fitted baseline.
 */
import { FieldError } from '@hepml/physics';
import { type Bundle, buildBundle } from '../bundle/build.ts';
import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { type GbdtParams, gbdtParameterCount, serializeGbdt } from '../runtime/baselines/gbdt-format.ts';
import { lightgbmTextToGbdt, xgboostJsonToGbdt } from './boosters.ts';
import { type ImportProducer, importLineage } from './lineage.ts';
import { importLwtnnJson } from './lwtnn.ts';
import type { OnnxModel, OnnxNode } from './onnx/model.ts';
import { treeEnsembleToGbdt } from './tree-ensemble.ts';

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
  /** Input descriptions by name. */
  descriptions?: Record<string, string>;
  /** The original file's name, recorded in `lineage.source` (default "(unnamed)"). */
  file?: string;
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
  producer: ImportProducer,
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
        options.description ?? `${producer.name} tree ensemble (${params.trees.length} trees, ${params.objective})`,
      inputs: params.inputs.map((name) => {
        const description = options.descriptions?.[name];
        return {
          name,
          unit: options.units?.[name] ?? '1',
          offset: 0,
          scale: 1,
          ...(description ? { description } : {}),
        };
      }),
      outputs: options.outputs ?? defaultOutputs(params),
      architecture: { kind: 'gbdt', parameters: gbdtParameterCount(params), format: 'hepml-gbdt/1' },
      weights: 'gbdt.json',
      metrics: {},
      workingPoints: [],
      lineage: await importLineage(source, producer, options),
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
  return gbdtImportBundle(xgboostJsonToGbdt(json), bytes, xgboostProducer(json), options);
}

/** A LightGBM text model file as a bundle (errors name the tree and key). */
export async function importLightgbmText(bytes: Uint8Array, options: ImportOptions): Promise<Bundle> {
  const text = new TextDecoder().decode(bytes);
  return gbdtImportBundle(lightgbmTextToGbdt(text), bytes, lightgbmProducer(text), options);
}

/** XGBoost and the version its JSON states (`"version": [major, minor, patch]`). */
export function xgboostProducer(json: unknown): ImportProducer {
  const v = json && typeof json === 'object' ? (json as { version?: unknown }).version : undefined;
  const version = Array.isArray(v) && v.every((x) => Number.isInteger(x)) ? v.join('.') : undefined;
  return { format: 'xgboost-json', name: 'xgboost', ...(version ? { version } : {}) };
}

/** LightGBM and the model-format version its text states (`version=v4`). */
export function lightgbmProducer(text: string): ImportProducer {
  const version = /^version=(\S+)/m.exec(text)?.[1];
  return { format: 'lightgbm-text', name: 'lightgbm', ...(version ? { version } : {}) };
}

/**
 * A decoded ONNX model that is one `ai.onnx.ml` TreeEnsembleClassifier/Regressor node (possibly
 * followed by ZipMap, whose map output is dropped: the bundle serves the probabilities tensor) as a
 * GBDT bundle. Input names: `options.inputNames`, else `f0 … f(d−1)` (ONNX names one tensor).
 * Other graphs are refused, naming the node; the caller (the ONNX importer) runs those itself.
 */
export async function onnxTreeEnsembleBundle(
  model: OnnxModel,
  source: Uint8Array,
  options: ImportOptions & { inputNames?: readonly string[] },
): Promise<Bundle> {
  const { node, width } = onnxTreeEnsembleNode(model);
  const names =
    options.inputNames ?? (width !== undefined ? Array.from({ length: width }, (_, i) => `f${i}`) : undefined);
  if (!names)
    throw new FieldError(
      `ONNX: graph.input ${JSON.stringify(node.inputs[0])} must have a fixed second dimension (or give input names)`,
      { field: 'graph.input' },
    );
  return gbdtImportBundle(treeEnsembleToGbdt(node, names), source, onnxProducer(model), options);
}

/** Whether a node is an `ai.onnx.ml` TreeEnsembleClassifier/Regressor. */
export function isTreeEnsembleNode(n: OnnxNode): boolean {
  return n.domain === 'ai.onnx.ml' && n.opType.startsWith('TreeEnsemble');
}

/**
 * The one tree-ensemble node of a graph (ZipMap after it allowed) and the fixed width of its
 * input tensor [N, d] (undefined when symbolic); any other graph is refused, naming the node.
 */
export function onnxTreeEnsembleNode(model: OnnxModel): { node: OnnxNode; width: number | undefined } {
  const nodes = model.graph.nodes;
  const trees = nodes.filter(isTreeEnsembleNode);
  const extra = nodes.find((n) => !isTreeEnsembleNode(n) && !(n.domain === 'ai.onnx.ml' && n.opType === 'ZipMap'));
  if (trees.length !== 1 || extra)
    throw new FieldError(
      `ONNX: graph.node must be one ai.onnx.ml TreeEnsemble node (and ZipMap) for a GBDT bundle${extra ? `, has ${JSON.stringify(extra.name)} (${extra.opType})` : `, has ${trees.length} tree ensembles`}`,
      { field: 'graph.node' },
    );
  const node = trees[0] as OnnxNode;
  const d = model.graph.inputs.find((i) => i.name === node.inputs[0])?.shape[1];
  return { node, width: typeof d === 'number' ? d : undefined };
}

/** The ONNX file's `producer_name` and `producer_version` ("unknown" when the file leaves it empty). */
export function onnxProducer(model: OnnxModel): ImportProducer {
  return {
    format: 'onnx',
    name: model.producerName || 'unknown',
    ...(model.producerVersion ? { version: model.producerVersion } : {}),
  };
}

/**
 * A `.json` model file by content: XGBoost (a `learner` object) or lwtnn (`inputs` and `layers`).
 * Anything else is refused naming the keys looked for.
 */
export async function importJsonModel(bytes: Uint8Array, options: ImportOptions): Promise<Bundle> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new FieldError(`model JSON: not JSON (${(cause as Error).message})`, { field: '(root)' });
  }
  if (json && typeof json === 'object' && 'learner' in json) return importXgboostJson(bytes, options);
  if (json && typeof json === 'object' && 'layers' in json && 'inputs' in json) return importLwtnnJson(bytes, options);
  throw new FieldError('model JSON: neither XGBoost (key "learner") nor lwtnn (keys "inputs" and "layers")', {
    field: '(root)',
  });
}

/**
 * One foreign model file to one bundle: the format detected from the bytes (and the file name),
 * parsed by its importer, its inputs matched with the spec ({@link ImportSpecV1}: names, units,
 * descriptions, standardisation) and its lineage recording the file's sha256 and producer.
 */
import { FieldError } from '@hepml/physics';
import { type Bundle, buildBundle, MANIFEST_FILE } from '../bundle/build.ts';
import type { BundleManifestV1, ImportSourceV1 } from '../bundle/manifest.ts';
import { OnnxImportError } from '../errors.ts';
import type { GbdtParams } from '../runtime/baselines/gbdt-format.ts';
import { lightgbmTextToGbdt, xgboostJsonToGbdt } from './boosters.ts';
import {
  gbdtImportBundle,
  type ImportOptions,
  isTreeEnsembleNode,
  lightgbmProducer,
  onnxProducer,
  onnxTreeEnsembleNode,
  xgboostProducer,
} from './gbdt-bundle.ts';
import { type ImportProducer, importLineage } from './lineage.ts';
import { importLwtnnJson } from './lwtnn.ts';
import { onnxToBundle } from './onnx/bundle.ts';
import { decodeOnnxModel } from './onnx/decode.ts';
import type { ImportSpecInputV1, ImportSpecV1 } from './spec.ts';
import { treeEnsembleToGbdt } from './tree-ensemble.ts';

/**
 * The format of a model file: JSON by content (XGBoost has `learner`, lwtnn `inputs` and `layers`),
 * LightGBM text by its `tree` header and `Tree=` blocks, ONNX by the `.onnx` extension or, without
 * one, by a protobuf ModelProto's first field (ir_version, field 1 varint: byte 0x08). Anything
 * else is a FieldError naming the file.
 */
export function detectModelFormat(bytes: Uint8Array, file: string): ImportSourceV1['format'] {
  const lower = file.toLowerCase();
  if (lower.endsWith('.onnx')) return 'onnx';
  const head = new TextDecoder().decode(bytes.subarray(0, 4096)).trimStart();
  if (head.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (cause) {
      throw new FieldError(`${file}: not JSON (${(cause as Error).message})`, { field: '(root)', cause });
    }
    if (json && typeof json === 'object' && 'learner' in json) return 'xgboost-json';
    if (json && typeof json === 'object' && 'layers' in json && 'inputs' in json) return 'lwtnn-json';
    throw new FieldError(`${file}: JSON model is neither XGBoost (key "learner") nor lwtnn (keys "inputs", "layers")`, {
      field: '(root)',
    });
  }
  if (/^tree\r?\n/.test(head) || /^version=v\d/m.test(head)) return 'lightgbm-text';
  if (bytes[0] === 0x08) return 'onnx';
  throw new FieldError(`${file}: unknown model format (ONNX .onnx, XGBoost JSON, LightGBM text model, lwtnn JSON)`, {
    field: '(root)',
  });
}

/** Options of {@link importModelFile}. */
export interface ImportModelFileOptions {
  bytes: Uint8Array;
  /** File name, for the format, the messages and `lineage.source.file`. */
  file: string;
  /** Bundle name ([a-z0-9][a-z0-9._-]{0,63}). */
  name: string;
  spec: ImportSpecV1;
  /** The spec lists a task's variables, of which a model that names its features may read a subset. */
  subsetOfSpec?: boolean;
  /** ISO time stamped into the lineage (default now). */
  createdAt?: string;
}

/** Feature names that say nothing (XGBoost's `f0…`, LightGBM's `Column_0…`): the spec names them by position. */
const GENERIC_NAME = /^(f|Column_)\d+$/;

/**
 * The spec entry of each of the file's inputs, in the file's order. Files that name their
 * features are matched by name (each name in the spec once, none left over); files that do not
 * (generic names, ONNX's one tensor) take the spec's inputs in order, which must be as many.
 * `allowUnused` (a reference task's variables as the spec) lets a named model read a subset.
 */
export function matchSpecInputs(
  fileNames: readonly string[] | undefined,
  count: number,
  spec: ImportSpecV1,
  file: string,
  options: { allowUnused?: boolean } = {},
): ImportSpecInputV1[] {
  const named = fileNames !== undefined && !fileNames.every((n) => GENERIC_NAME.test(n));
  if (!named) {
    if (spec.inputs.length !== count)
      throw new FieldError(
        `inputs: the model reads ${count} inputs, the spec names ${spec.inputs.length} (in the model's order)`,
        { field: 'inputs' },
      );
    return spec.inputs;
  }
  const byName = new Map(spec.inputs.map((i) => [i.name, i]));
  const missing = fileNames.filter((n) => !byName.has(n));
  if (missing.length > 0)
    throw new FieldError(`inputs: ${file} names features the spec does not: ${missing.join(', ')}`, {
      field: 'inputs',
    });
  const extra = spec.inputs.filter((i) => !fileNames.includes(i.name));
  if (extra.length > 0 && !options.allowUnused)
    throw new FieldError(
      `inputs: ${extra.map((i) => i.name).join(', ')} not among the features of ${file} (${fileNames.join(', ')})`,
      { field: 'inputs' },
    );
  return fileNames.map((n) => byName.get(n) as ImportSpecInputV1);
}

/**
 * The trees on raw inputs: a split x' < t on the standardised x' = (x − offset)/scale is the split
 * x < offset + scale·t on the raw value when scale > 0, so the standardisation folds into the
 * thresholds (NaN directions unchanged). A negative scale would turn `<` into `>`, which the
 * `hepml-gbdt/1` trees cannot express: refused, naming the input.
 */
export function foldStandardisation(params: GbdtParams, inputs: readonly ImportSpecInputV1[]): GbdtParams {
  const offset = inputs.map((i) => i.offset ?? 0);
  const scale = inputs.map((i, k) => {
    const s = i.scale ?? 1;
    if (s < 0)
      throw new FieldError(`inputs[${k}].scale: must be positive for a tree ensemble (split directions)`, {
        field: `inputs[${k}].scale`,
      });
    return s;
  });
  if (offset.every((o) => o === 0) && scale.every((s) => s === 1)) return params;
  return {
    ...params,
    trees: params.trees.map((t) => ({
      ...t,
      threshold: t.threshold.map((th, node) => {
        const f = t.feature[node] as number;
        return f < 0 ? th : (offset[f] as number) + (scale[f] as number) * th;
      }),
    })),
  };
}

function specOptions(
  o: ImportModelFileOptions,
  inputs: readonly ImportSpecInputV1[],
  outputs: BundleManifestV1['outputs'] | undefined,
): ImportOptions {
  const units: Record<string, string> = {};
  const descriptions: Record<string, string> = {};
  for (const i of inputs) {
    units[i.name] = i.unit;
    if (i.description) descriptions[i.name] = i.description;
  }
  return {
    name: o.name,
    units,
    descriptions,
    file: o.file,
    ...(o.spec.task ? { task: o.spec.task } : {}),
    ...(o.spec.description ? { description: o.spec.description } : {}),
    ...(outputs ? { outputs } : {}),
    ...(o.createdAt ? { createdAt: o.createdAt } : {}),
  };
}

/** The bundle with `lineage` in place of the one it has (same files, manifest rebuilt). */
async function withLineage(bundle: Bundle, lineage: BundleManifestV1['lineage']): Promise<Bundle> {
  const files = new Map(bundle.files);
  files.delete(MANIFEST_FILE);
  const { files: _listed, ...manifest } = bundle.manifest;
  return buildBundle({ ...manifest, lineage }, files);
}

/** A FieldError naming the first of `inputs` with a transform, which this kind of file cannot carry. */
function refuseTransforms(spec: ImportSpecV1, inputs: readonly ImportSpecInputV1[], why: string): void {
  const input = inputs.find((i) => i.transform !== undefined);
  if (!input) return;
  const k = spec.inputs.indexOf(input);
  throw new FieldError(`inputs[${k}].transform: ${why}`, { field: `inputs[${k}].transform` });
}

/** A tree ensemble with the spec's names, units and standardisation as a GBDT bundle. */
export async function gbdtSpecBundle(
  o: ImportModelFileOptions,
  params: GbdtParams,
  fileNames: readonly string[] | undefined,
  producer: ImportProducer,
): Promise<Bundle> {
  const inputs = matchSpecInputs(fileNames, params.inputs.length, o.spec, o.file, { allowUnused: o.subsetOfSpec });
  refuseTransforms(
    o.spec,
    inputs,
    'a tree ensemble reads raw values (its cuts are monotone in x: give the thresholds on x)',
  );
  const renamed = { ...foldStandardisation(params, inputs), inputs: inputs.map((i) => i.name) };
  return gbdtImportBundle(renamed, o.bytes, producer, specOptions(o, inputs, o.spec.outputs));
}

/**
 * Imports one model file as a bundle ({@link detectModelFormat}): tree ensembles (XGBoost JSON,
 * LightGBM text, ONNX-ML) as `gbdt`, lwtnn networks as `mlp`, other ONNX graphs through
 * `onnxToBundle` (`mlp` when they are a dense chain, else `onnx-graph`). The lineage records the
 * file ({@link importLineage}). Every fault is a FieldError naming the field of the file or of
 * the spec; an ONNX op, attribute or dynamic shape outside the supported set is an
 * OnnxUnsupportedError naming the node and op.
 */
export async function importModelFile(o: ImportModelFileOptions): Promise<Bundle> {
  const format = detectModelFormat(o.bytes, o.file);
  const text = () => new TextDecoder().decode(o.bytes);
  switch (format) {
    case 'xgboost-json': {
      const json = JSON.parse(text()) as { learner?: { feature_names?: string[] } };
      return gbdtSpecBundle(o, xgboostJsonToGbdt(json), json.learner?.feature_names, xgboostProducer(json));
    }
    case 'lightgbm-text': {
      const t = text();
      const params = lightgbmTextToGbdt(t);
      return gbdtSpecBundle(o, params, params.inputs, lightgbmProducer(t));
    }
    case 'lwtnn-json': {
      const net = JSON.parse(text()) as { inputs?: { name?: unknown }[] };
      const names = (net.inputs ?? []).map((i) => String(i.name));
      const inputs = matchSpecInputs(names, names.length, o.spec, o.file, { allowUnused: o.subsetOfSpec });
      refuseTransforms(o.spec, inputs, 'lwtnn preprocesses by (x + offset)·scale only; export the network to ONNX');
      const k = inputs.findIndex((i) => (i.offset ?? 0) !== 0 || (i.scale ?? 1) !== 1);
      if (k >= 0)
        throw new FieldError(
          `inputs[${o.spec.inputs.indexOf(inputs[k] as ImportSpecInputV1)}]: an lwtnn file carries its own offset and scale; leave them out of the spec`,
          { field: 'inputs' },
        );
      return importLwtnnJson(o.bytes, specOptions(o, inputs, o.spec.outputs));
    }
    case 'onnx': {
      const model = decodeOnnxModel(o.bytes);
      if (model.graph.nodes.some(isTreeEnsembleNode)) {
        const { node, width } = onnxTreeEnsembleNode(model);
        // ONNX names one input tensor [N, d]: the spec names its d columns in order.
        const d = width ?? o.spec.inputs.length;
        const params = treeEnsembleToGbdt(
          node,
          Array.from({ length: d }, (_, i) => `f${i}`),
        );
        return gbdtSpecBundle(o, params, undefined, onnxProducer(model));
      }
      // A dense chain is fused into a native `mlp` bundle, any other graph the interpreter runs
      // becomes an `onnx-graph` one; the spec's standardisation is applied before the graph.
      const inputs = o.spec.inputs.map((i) => ({
        name: i.name,
        unit: i.unit,
        offset: i.offset ?? 0,
        scale: i.scale ?? 1,
        ...(i.transform ? { transform: i.transform } : {}),
        ...(i.description ? { description: i.description } : {}),
      }));
      let bundle: Bundle;
      try {
        bundle = await onnxToBundle(model, o.bytes, { ...specOptions(o, o.spec.inputs, o.spec.outputs), inputs });
      } catch (err) {
        const count =
          err instanceof OnnxImportError && err.field === 'inputs' ? /takes (\d+) values/.exec(err.message) : null;
        if (count)
          throw new FieldError(
            `inputs: the model reads ${count[1]} values per row, the spec names ${inputs.length} (in the model's order)`,
            { field: 'inputs', cause: err },
          );
        throw err;
      }
      return withLineage(bundle, await importLineage(o.bytes, onnxProducer(model), o));
    }
  }
}

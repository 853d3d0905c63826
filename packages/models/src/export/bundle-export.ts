import type { BundleManifestV1 } from '../bundle/manifest.ts';
import { weightsFromBytes } from '../bundle/verify.ts';
import { BundleError } from '../errors.ts';
import { denseChainOf } from './dense-chain.ts';
import { exportLwtnn, exportVariableSpec, lwtnnExpresses } from './lwtnn.ts';
import { exportBundleOnnx, ONNX_EXPORTABLE_KINDS } from './onnx.ts';

/** One file written by {@link exportBundleFiles}. */
export interface ExportedFile {
  path: string;
  bytes: Uint8Array;
  /** What the file is, for the CLI's listing. */
  description: string;
}

/** What {@link exportBundleFiles} wrote and, in `notes`, what it left out and why. */
export interface BundleExport {
  files: ExportedFile[];
  notes: string[];
}

/** What the output holds where the manifest's output kind alone does not say it. */
const OUTPUT_NOTE: Readonly<Record<string, string>> = {
  cuts: ', the number of cut levels passed (loosest first)',
  likelihood: ', the transformed discriminant d′ = τ⁻¹ ln(L_S/L_B)',
};

/**
 * The files that carry a bundle's model into the experiments' C++ software:
 * - `<name>.onnx` for every kind of format version 1: networks (`mlp`, `cnn-film`) and baselines
 *   (`gbdt`, `cuts`, `likelihood`, `standard-calibration`), see {@link exportBundleOnnx};
 * - `<name>.variables.json`, the lwtnn-style variable spec (input names in order with offsets and
 *   scales, output labels, the image layout) for each of them;
 * - `<name>.lwtnn.json`, a full lwtnn network, for `mlp` only (lwtnn has dense layers only: no
 *   conv2d, pooling, FiLM, trees, cuts or binned lookups — said in `notes`).
 * A kind outside {@link ONNX_EXPORTABLE_KINDS} is a BundleError naming `architecture.kind`.
 * `files` maps bundle paths to bytes whose hashes the caller checked.
 */
export function exportBundleFiles(
  manifest: BundleManifestV1,
  files: Readonly<Record<string, Uint8Array>>,
  miscellaneous: Record<string, string> = {},
): BundleExport {
  const kind = manifest.architecture.kind;
  if (!(ONNX_EXPORTABLE_KINDS as readonly string[]).includes(kind)) {
    throw new BundleError(
      `architecture.kind "${kind}" cannot be exported (exported kinds: ${ONNX_EXPORTABLE_KINDS.join(', ')})`,
      { field: 'architecture.kind' },
    );
  }
  const metadata = Object.fromEntries(Object.entries(miscellaneous).map(([k, v]) => [`hepml.${k}`, v]));
  const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 1)}\n`);
  const out: BundleExport = {
    files: [
      {
        path: `${manifest.name}.onnx`,
        bytes: exportBundleOnnx(manifest, files, { name: manifest.name, metadata }),
        description: `ONNX (opset 13${kind === 'gbdt' ? ', ai.onnx.ml 3' : ''}): ${describeIo(manifest)}${OUTPUT_NOTE[kind] ?? ''}`,
      },
      {
        path: `${manifest.name}.variables.json`,
        bytes: json(exportVariableSpec(manifest, miscellaneous)),
        description: 'lwtnn-style variable spec: input names in order, offsets and scales, output labels',
      },
    ],
    notes: [],
  };
  if (lwtnnExpresses(manifest)) {
    const weights = weightsFromBytes(files[manifest.weights] ?? new Uint8Array());
    out.files.push({
      path: `${manifest.name}.lwtnn.json`,
      bytes: json(exportLwtnn(denseChainOf(manifest, weights), { model: manifest.name, ...miscellaneous })),
      description: 'lwtnn LightweightNeuralNetwork (lwt::parse_json)',
    });
  } else {
    out.notes.push(
      `no lwtnn network for kind "${kind}": lwtnn has dense layers only (no conv2d, pooling, FiLM, trees, cuts or binned lookups); use the ONNX file`,
    );
  }
  return out;
}

function describeIo(m: BundleManifestV1): string {
  const inputs = `input [N, ${m.inputs.length}] raw (${m.inputs.map((i) => i.name).join(', ')})`;
  const image = m.image ? `, image [N, ${m.image.shape.join(', ')}] NHWC in GeV` : '';
  return `${inputs}${image} → output [N, ${m.outputs.length}] (${m.outputs.map((o) => o.name).join(', ')})`;
}

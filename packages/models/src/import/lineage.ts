/**
 * The lineage of an imported bundle: no dataset or seed of ours, the foreign file's sha256 as the
 * dataset hash (`import:<sha256>`) and {@link ImportSourceV1} saying which file and program it
 * came from, so the registry, the API and the model page can show where the model came from.
 */
import { sha256Hex } from '../bundle/hash.ts';
import type { BundleManifestV1, ImportSourceV1 } from '../bundle/manifest.ts';

/** The program that wrote a foreign model file. */
export interface ImportProducer {
  format: ImportSourceV1['format'];
  /** `xgboost`, `lightgbm`, `lwtnn`, or ONNX's `producer_name` (`pytorch`, `tf2onnx`, `skl2onnx`, …). */
  name: string;
  /** The version the file states, when it states one. */
  version?: string;
}

/** The lineage of a bundle imported from `bytes` (file name `file`, default "(unnamed)"). */
export async function importLineage(
  bytes: Uint8Array,
  producer: ImportProducer,
  options: { file?: string; createdAt?: string },
): Promise<BundleManifestV1['lineage']> {
  const sha256 = await sha256Hex(bytes);
  return {
    datasetHash: `import:${sha256}`,
    codeVersion: producer.version ? `${producer.name} ${producer.version}` : producer.name,
    seed: 0,
    createdAt: options.createdAt ?? new Date().toISOString(),
    backend: 'imported',
    source: {
      format: producer.format,
      file: options.file ?? '(unnamed)',
      sha256,
      producer: producer.name,
      ...(producer.version ? { producerVersion: producer.version } : {}),
    },
  };
}

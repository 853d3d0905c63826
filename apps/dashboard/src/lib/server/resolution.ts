import type { RegressionBinV1 } from '@hepml/models/bundle';
import { type Principal, type RegistryDb, resolveVersion } from '@hepml/models/registry';

/** One entry's energy-resolution bins (the bundle evaluation's bins of E_true), for the overlay. */
export interface ResolutionEntry {
  name: string;
  version: number;
  kind: 'network' | 'baseline';
  bins: RegressionBinV1[];
}

/**
 * The E_true bins of each regression entry's evaluation (model and standard calibration on the
 * same test events), read from the versions' manifests; entries without an evaluation are left out.
 */
export async function resolutionEntries(
  db: RegistryDb,
  entries: readonly { name: string; latestVersion: number; kind: 'network' | 'baseline' }[],
  viewer: Principal,
): Promise<ResolutionEntry[]> {
  const resolved = await Promise.all(entries.map((e) => resolveVersion(db, e.name, e.latestVersion, viewer)));
  return resolved.flatMap((r, i) => {
    const e = entries[i];
    const bins = r.manifest.evaluation?.regression?.bins.filter((b) => b.variable === 'eTrue') ?? [];
    return e && bins.length > 0 ? [{ name: e.name, version: e.latestVersion, kind: e.kind, bins }] : [];
  });
}

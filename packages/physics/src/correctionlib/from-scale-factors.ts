import type { ScaleFactorTable } from '../calibration/scale-factor-table.ts';
import { PhysicsInputError } from '../errors.ts';
import { Axis } from '../histogram/axis.ts';
import type { CorrectionSetV2, CorrectionV2, EdgeV2, MultiBinningV2 } from './schema-v2.ts';

/** Options of {@link scaleFactorsToCorrectionSet}. */
export interface ScaleFactorExportOptions {
  /** Correction name (default: the table's name). */
  name?: string;
  /** Correction description (default: built from the provenance). */
  description?: string;
  /** Correction version, an integer that increases with fixes (default 1). */
  version?: number;
  /** Out-of-range pt/|η|: "clamp" to the edge bins (default) or "error". */
  flow?: 'clamp' | 'error';
  /** Write the last pT edge as "inf", so that any higher pT uses the last bin (default false). */
  openLastPtBin?: boolean;
  /**
   * What to write for a bin whose SF or uncertainty is not finite (empty bin): default throws
   * PhysicsInputError naming the bin; `{ value, uncertainty }` writes those instead.
   */
  nonFiniteBins?: 'error' | { value: number; uncertainty: number };
}

/**
 * Writes a {@link ScaleFactorTable} as a correctionlib schema-v2 CorrectionSet with one Correction:
 * inputs `syst` (string: "nominal", "up", "down"), `pt` (real, GeV), `abseta` (real, |η|), output
 * `weight` (real). Data: a `category` on `syst` whose three values are each a `multibinning` over
 * [pt, abseta] (C order, |η| fastest), up/down = SF ± √(stat² + syst²), edges as in the table.
 * The flow behaviour is stated in the node ("clamp" by default: values beyond the edges take the
 * edge bin). Reference: https://cms-nanoaod.github.io/correctionlib/ (schema v2).
 */
export function scaleFactorsToCorrectionSet(
  table: ScaleFactorTable,
  options: ScaleFactorExportOptions = {},
): CorrectionSetV2 {
  const nPt = Axis.variable(table.ptEdges, { field: 'ptEdges' }).nBins;
  const nEta = Axis.variable(table.absEtaEdges, { field: 'absEtaEdges' }).nBins;
  const version = options.version ?? 1;
  if (!Number.isInteger(version)) throw new PhysicsInputError('version must be an integer', { field: 'version' });
  const flow = options.flow ?? 'clamp';
  const nominal: number[] = [];
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < nPt; i++) {
    for (let j = 0; j < nEta; j++) {
      let value = table.values[i]?.[j];
      const stat = table.stat[i]?.[j];
      const syst = table.syst[i]?.[j];
      if (value === undefined || stat === undefined || syst === undefined) {
        throw new PhysicsInputError(`table has no entry for bin [${i}][${j}]`, { field: 'values' });
      }
      let total = Math.hypot(stat, syst);
      if (!Number.isFinite(value) || !Number.isFinite(total)) {
        const fallback = options.nonFiniteBins ?? 'error';
        if (fallback === 'error') {
          throw new PhysicsInputError(
            `scale factor of bin pt [${table.ptEdges[i]}, ${table.ptEdges[i + 1]}) GeV, |η| [${table.absEtaEdges[j]}, ${table.absEtaEdges[j + 1]}) is not finite (${value} ± ${total})`,
            { field: 'values' },
          );
        }
        value = fallback.value;
        total = fallback.uncertainty;
      }
      nominal.push(value);
      up.push(value + total);
      down.push(value - total);
    }
  }
  const ptEdges: EdgeV2[] = table.ptEdges.slice();
  if (options.openLastPtBin) ptEdges[nPt] = 'inf';
  const grid = (content: number[]): MultiBinningV2 => ({
    nodetype: 'multibinning',
    inputs: ['pt', 'abseta'],
    edges: [ptEdges.slice(), table.absEtaEdges.slice()],
    content,
    flow,
  });
  const p = table.provenance;
  const correction: CorrectionV2 = {
    name: options.name ?? table.name,
    description:
      options.description ??
      `Scale factor eps_data/eps_MC of ${table.name}; data: ${p.data}; MC: ${p.mc}; ${p.method}. up/down = nominal +- sqrt(stat^2 + syst^2).`,
    version,
    inputs: [
      { name: 'syst', type: 'string', description: 'nominal, up or down' },
      { name: 'pt', type: 'real', description: 'transverse momentum [GeV]' },
      { name: 'abseta', type: 'real', description: 'absolute pseudorapidity |eta|' },
    ],
    output: { name: 'weight', type: 'real', description: 'data/MC efficiency scale factor' },
    data: {
      nodetype: 'category',
      input: 'syst',
      content: [
        { key: 'nominal', value: grid(nominal) },
        { key: 'up', value: grid(up) },
        { key: 'down', value: grid(down) },
      ],
    },
  };
  return { schema_version: 2, description: `hepml-edge scale factors: ${table.name}`, corrections: [correction] };
}

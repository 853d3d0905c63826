import { PhysicsInputError } from '../errors.ts';
import type { BinEfficiency, ScaleFactorTable } from './scale-factor-table.ts';
import { symmetricError } from './scale-factors.ts';

/** A fraction as a percentage of 5 characters with one decimal ("n/a" when not finite). */
function percent(x: number): string {
  return Number.isFinite(x) ? (100 * x).toFixed(1).padStart(5) : '  n/a';
}

/** A number with 3 decimals ("n/a" when not finite). */
function fixed(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : 'n/a';
}

function efficiencyOf(effs: BinEfficiency[][], i: number, j: number): BinEfficiency {
  const e = effs[i]?.[j];
  if (!e) throw new PhysicsInputError(`the table has no efficiency in bin [${i}][${j}]`, { field: 'effData' });
  return e;
}

/**
 * A scale-factor table as text for the command-line reports: a header, then one line per
 * pT × |η| bin with its ranges, ε_data and ε_MC in % ± their symmetric error
 * ({@link symmetricError}), and SF ± stat ± syst. Non-finite figures read "n/a".
 */
export function scaleFactorTableLines(table: ScaleFactorTable): string[] {
  const range = (edges: readonly number[], i: number) => `${edges[i]}–${edges[i + 1]}`;
  const lines = ['pt [GeV]  |η|          ε_data [%]      ε_MC [%]        SF ± stat ± syst'];
  table.values.forEach((row, i) => {
    row.forEach((sf, j) => {
      const d = efficiencyOf(table.effData, i, j);
      const mc = efficiencyOf(table.effMc, i, j);
      lines.push(
        `${range(table.ptEdges, i).padEnd(9)} ${range(table.absEtaEdges, j).padEnd(12)} ` +
          `${percent(d.value)} ±${percent(symmetricError(d))}   ${percent(mc.value)} ±${percent(symmetricError(mc))}   ` +
          `${fixed(sf)} ± ${fixed(table.stat[i]?.[j] ?? Number.NaN)} ± ${fixed(table.syst[i]?.[j] ?? Number.NaN)}`,
      );
    });
  });
  return lines;
}

/**
 * One line for the single-bin table of an inclusive region (as `measureInclusiveCmsScaleFactors`
 * gives): ε_data and ε_MC in % with their errors, SF ± stat ± syst (no fit variation).
 */
export function inclusiveScaleFactorLine(region: string, table: ScaleFactorTable): string {
  const d = efficiencyOf(table.effData, 0, 0);
  const mc = efficiencyOf(table.effMc, 0, 0);
  return (
    `inclusive ${region}: ε_data ${percent(d.value)} ± ${percent(symmetricError(d))} %, ε_MC ${percent(mc.value)} ± ${percent(symmetricError(mc))} %, ` +
    `SF ${fixed(table.values[0]?.[0] ?? Number.NaN)} ± ${fixed(table.stat[0]?.[0] ?? Number.NaN)} (stat) ± ${fixed(table.syst[0]?.[0] ?? Number.NaN)} (syst, no fit variation)`
  );
}

import type { ScaleFactorValue } from '@hepml/models/api';
import {
  at,
  type ContentV2,
  type CorrectionInputs,
  type CorrectionSetV2,
  type CorrectionV2,
  edgeValues,
  evaluateCorrection,
} from '@hepml/physics';

/** Names of a string input that selects the working point inside one correction. */
const WP_INPUTS = ['working_point', 'workingPoint', 'wp'];

/**
 * How to evaluate the scale factor of one working point: the correction and how its inputs map
 * to a row's pt (GeV) and η.
 */
export interface ScaleFactorLookup {
  workingPoint: string;
  correction: CorrectionV2;
  /** String input carrying the working point name, when one correction holds all of them. */
  wpInput: string | undefined;
  /** String input with values nominal/up/down, when the correction has variations. */
  systInput: string | undefined;
  ptInput: string;
  etaInput: string;
  /** Whether the η input is |η| (`abseta`) rather than signed η. */
  etaIsAbsolute: boolean;
}

/**
 * Finds, for each working point of a model, the correction of a (validated) correctionlib set that
 * gives its scale factor. Convention (contract C3, as `scaleFactorsToCorrectionSet` writes): a
 * correction named after the working point (`medium`, or ending in `-medium`, `_medium`, `.medium`),
 * or one correction with a string input `working_point`/`wp` keyed by the working point name;
 * inputs `pt` (real, GeV), `abseta` or `eta` (real), and optionally `syst` (string:
 * nominal/up/down). Corrections with other inputs are not used for per-row scale factors (they are
 * still served as the file by the scale-factors endpoint).
 */
export function scaleFactorLookups(
  set: CorrectionSetV2,
  workingPoints: readonly string[],
): Map<string, ScaleFactorLookup> {
  const out = new Map<string, ScaleFactorLookup>();
  for (const wp of workingPoints) {
    for (const correction of set.corrections) {
      const lookup = asLookup(correction, wp);
      if (lookup) {
        out.set(wp, lookup);
        break;
      }
    }
  }
  return out;
}

function asLookup(correction: CorrectionV2, wp: string): ScaleFactorLookup | undefined {
  let wpInput: string | undefined;
  let systInput: string | undefined;
  let ptInput: string | undefined;
  let etaInput: string | undefined;
  let etaIsAbsolute = false;
  for (const v of correction.inputs) {
    if (v.type === 'string' && WP_INPUTS.includes(v.name)) wpInput = v.name;
    else if (v.type === 'string' && v.name === 'syst') systInput = v.name;
    else if (v.type === 'real' && v.name === 'pt') ptInput = v.name;
    else if (v.type === 'real' && (v.name === 'abseta' || v.name === 'eta')) {
      etaInput = v.name;
      etaIsAbsolute = v.name === 'abseta';
    } else return undefined;
  }
  if (!ptInput || !etaInput) return undefined;
  const n = correction.name;
  const named = n === wp || n.endsWith(`-${wp}`) || n.endsWith(`_${wp}`) || n.endsWith(`.${wp}`);
  if (!wpInput && !named) return undefined;
  if (wpInput && !categoryHasKey(correction.data, wpInput, wp)) return undefined;
  return { workingPoint: wp, correction, wpInput, systInput, ptInput, etaInput, etaIsAbsolute };
}

function categoryHasKey(node: ContentV2, input: string, key: string): boolean {
  if (typeof node === 'number') return false;
  if (node.nodetype === 'category') {
    if (node.input === input) return node.content.some((c) => c.key === key) || node.default !== undefined;
    return node.content.some((c) => categoryHasKey(c.value, input, key));
  }
  return false;
}

function inputsAt(l: ScaleFactorLookup, pt: number, eta: number, syst: string): CorrectionInputs {
  const inputs: Record<string, string | number> = {
    [l.ptInput]: pt,
    [l.etaInput]: l.etaIsAbsolute ? Math.abs(eta) : eta,
  };
  if (l.wpInput) inputs[l.wpInput] = l.workingPoint;
  if (l.systInput) inputs[l.systInput] = syst;
  return inputs;
}

/**
 * The scale factor at transverse momentum `pt` (GeV) and pseudorapidity `eta`, with up/down
 * variations when the correction has a `syst` input (else up = down = nominal, uncertainty 0).
 * Out-of-range values follow the correction's flow (clamp, or a PhysicsInputError for "error").
 */
export function evaluateScaleFactor(l: ScaleFactorLookup, pt: number, eta: number): ScaleFactorValue {
  const name = l.correction.name;
  const set = { schema_version: 2 as const, corrections: [l.correction] };
  const value = evaluateCorrection(set, name, inputsAt(l, pt, eta, 'nominal'));
  if (!l.systInput) return { workingPoint: l.workingPoint, value, uncertainty: 0, up: value, down: value };
  const up = evaluateCorrection(set, name, inputsAt(l, pt, eta, 'up'));
  const down = evaluateCorrection(set, name, inputsAt(l, pt, eta, 'down'));
  return { workingPoint: l.workingPoint, value, uncertainty: Math.abs(up - down) / 2, up, down };
}

/**
 * One pT × η bin of a tabulated scale factor (pt in GeV; `ptHi` null for an open last bin; the
 * η edges are |η| unless the grid's `etaVariable` is `eta`).
 */
export interface ScaleFactorBin {
  ptLo: number;
  ptHi: number | null;
  absEtaLo: number;
  absEtaHi: number;
  value: number;
  up: number;
  down: number;
  uncertainty: number;
}

/** A scale-factor table of one working point, tabulated from its correction. */
export interface ScaleFactorGrid {
  correction: string;
  workingPoint: string;
  description?: string;
  /** The η variable of the bins: `abseta` (|η|, the usual case) or signed `eta`. */
  etaVariable: string;
  ptEdges: (number | null)[];
  absEtaEdges: number[];
  bins: ScaleFactorBin[];
}

/**
 * Tabulates a lookup as bins: the pt and η edges of the nominal binning node, each bin evaluated
 * at its centre (an open edge: 1 unit inside the finite one). Returns undefined when the nominal
 * content is not a pt × η (multi)binning.
 */
export function tabulateScaleFactors(l: ScaleFactorLookup): ScaleFactorGrid | undefined {
  const node = nominalNode(l.correction.data, l);
  if (node === undefined || typeof node === 'number') return undefined;
  let ptEdges: number[];
  let etaEdges: number[];
  if (node.nodetype === 'multibinning') {
    const pi = node.inputs.indexOf(l.ptInput);
    const ei = node.inputs.indexOf(l.etaInput);
    if (pi < 0 || ei < 0 || node.inputs.length !== 2) return undefined;
    ptEdges = edgeValues(node.edges[pi] ?? []);
    etaEdges = edgeValues(node.edges[ei] ?? []);
  } else return undefined;
  const centre = (lo: number, hi: number) =>
    Number.isFinite(lo) && Number.isFinite(hi) ? (lo + hi) / 2 : Number.isFinite(lo) ? lo + 1 : hi - 1;
  const bins: ScaleFactorBin[] = [];
  for (let i = 0; i + 1 < ptEdges.length; i++) {
    for (let j = 0; j + 1 < etaEdges.length; j++) {
      const ptLo = at(ptEdges, i);
      const ptHi = at(ptEdges, i + 1);
      const etaLo = at(etaEdges, j);
      const etaHi = at(etaEdges, j + 1);
      const sf = evaluateScaleFactor(l, centre(ptLo, ptHi), centre(etaLo, etaHi));
      bins.push({
        ptLo,
        ptHi: Number.isFinite(ptHi) ? ptHi : null,
        absEtaLo: etaLo,
        absEtaHi: etaHi,
        value: sf.value,
        up: sf.up,
        down: sf.down,
        uncertainty: sf.uncertainty,
      });
    }
  }
  return {
    correction: l.correction.name,
    workingPoint: l.workingPoint,
    ...(l.correction.description ? { description: l.correction.description } : {}),
    etaVariable: l.etaInput,
    ptEdges: ptEdges.map((e) => (Number.isFinite(e) ? e : null)),
    absEtaEdges: etaEdges,
    bins,
  };
}

function nominalNode(node: ContentV2, l: ScaleFactorLookup): ContentV2 | undefined {
  if (typeof node === 'number' || node.nodetype !== 'category') return node;
  const key = node.input === l.systInput ? 'nominal' : node.input === l.wpInput ? l.workingPoint : undefined;
  const item = node.content.find((c) => c.key === key);
  const next = item?.value ?? node.default;
  return next === undefined ? undefined : nominalNode(next, l);
}

import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { powerLaw } from './electron-id.ts';
import { Rng } from './rng.ts';
import type { ColumnarSample } from './sample.ts';

/** Options of {@link generateBoostedJets}. */
export interface BoostedJetsOptions {
  /** Number of large-R jets. */
  n: number;
  seed: number;
  /** Process shares (default QCD 0.5, W 0.25, top 0.25). A zero share removes the class. */
  fractions?: { qcd: number; w: number; top: number };
  /** Jet pT window [GeV] (default 250–1500). */
  ptMin?: number;
  ptMax?: number;
  /** Jet radius R of the anti-kt large-R jets (default 1.0). */
  radius?: number;
}

/** Columns of the boosted-jet task with units. */
export const BOOSTED_JET_VARIABLES = {
  pt: 'GeV',
  eta: '1',
  mass: 'GeV',
  tau21: '1',
  tau32: '1',
  d2: '1',
  c2: '1',
  sqrtD12: 'GeV',
  sqrtD23: 'GeV',
  nTracks: '1',
} as const satisfies Record<string, string>;

/** Process code, also the label: QCD 0, W 1, top 2. */
export const BOOSTED_JET_PROCESS = { qcd: 0, w: 1, top: 2 } as const;

const W_MASS = 80.37;
const TOP_MASS = 172.5;
/** Soft-drop z_cut (β = 0): prongs softer than this are groomed away. */
const Z_CUT = 0.1;

/**
 * Large-R (R = 1.0) jets from hadronic W and top decays against QCD jets, with groomed mass and
 * substructure: N-subjettiness ratios τ21 = τ2/τ1 and τ32 (Thaler & Van Tilburg, JHEP 03 (2011)
 * 015), energy-correlation ratios D2^(β=1) and C2^(β=1) (Larkoski, Moult, Neill, JHEP 12 (2014) 009),
 * kt splitting scales √d12, √d23 (Butterworth, Cox, Forshaw, PRD 65 (2002) 096014), track count.
 *
 * - pT: dN/dpT ∝ pT^−5 for QCD, ∝ pT^−3 for W and top (flatter, as from heavy resonances).
 * - Containment: a decay of mass m at pT opens to ΔR ≈ 2m/pT. If it exceeds about R the
 *   prongs escape: a W at pT < 200 GeV often leaves one prong outside (mass falls to a one-prong
 *   value), a top below ≈ 350 GeV often loses its b (mass at m_W) or a W quark. So the W and top
 *   mass peaks and their two- and three-prong substructure build up with pT.
 * - Mass: contained W at 80.4 GeV and top at 172.5 GeV with resolution σ_m/m = 8 % ⊕ 0.004 pT/m
 *   (angular resolution grows in relative terms as the jet gets narrower). QCD: ρ = m/pT with
 *   ln ρ ~ N(ln 0.09, 0.55) below the Sudakov-like edge 0.5, and 15 % of jets groomed to a small
 *   mass by soft drop. Combined with the falling pT spectrum the QCD mass spectrum falls, and
 *   because τ21 falls with ρ′ = ln(m²/(pT·1 GeV)) (the DDT slope −0.063; Dolen et al.,
 *   JHEP 05 (2016) 156; CMS, JHEP 01 (2018) 097), a τ21 cut sculpts the QCD mass spectrum.
 * - Prong momentum fraction z: W decays about flat in [0, 1]; QCD splittings ∝ 1/z above
 *   z_cut = 0.1. √d12 ≈ m·√(z/(1 − z)) for z < 1/2 (hence ≈ m/2 for a W, small for QCD); √d23 from
 *   the next splitting (the W inside a top: m_W·√(z′/(1 − z′))).
 * - τ21, D2, C2 share a latent "two-prongness" per jet (correlations ≈ 0.6–0.8), τ32 a
 *   "three-prongness", so the variables overlap in information as they do in data.
 * - nTracks: charged constituents, Poisson with mean growing as ln pT; QCD (gluon-rich) jets have more.
 *
 * Label = process code ({@link BOOSTED_JET_PROCESS}); truth `process`, `truePt`, `contained`
 * (1 when all decay prongs are inside the jet).
 */
export function generateBoostedJets(options: BoostedJetsOptions): ColumnarSample {
  const { n, seed } = options;
  const fr = options.fractions ?? { qcd: 0.5, w: 0.25, top: 0.25 };
  const ptMin = options.ptMin ?? 250;
  const ptMax = options.ptMax ?? 1500;
  const radius = options.radius ?? 1.0;
  if (!Number.isInteger(n) || n <= 0) throw new PhysicsInputError('n must be a positive integer', { field: 'n' });
  const shares = [fr.qcd, fr.w, fr.top];
  if (shares.some((w) => !(w >= 0)) || shares.every((w) => w === 0)) {
    throw new PhysicsInputError('fractions must be non-negative, not all zero', { field: 'fractions' });
  }
  if (!(ptMin > 0 && ptMax > ptMin)) throw new PhysicsInputError('need 0 < ptMin < ptMax', { field: 'ptMin' });
  if (!(radius > 0.2 && radius <= 1.5))
    throw new PhysicsInputError('radius must lie in (0.2, 1.5]', { field: 'radius' });
  const rng = new Rng(seed);
  const columns: Record<string, Float32Array> = {};
  for (const name of Object.keys(BOOSTED_JET_VARIABLES)) columns[name] = new Float32Array(n);
  const c = columns as Record<keyof typeof BOOSTED_JET_VARIABLES, Float32Array>;
  const label = new Uint8Array(n);
  const processOut = new Int32Array(n);
  const truePt = new Float32Array(n);
  const containedOut = new Int32Array(n);

  for (let i = 0; i < n; i++) {
    const proc = rng.choice(shares);
    const pt = powerLaw(rng, ptMin, ptMax, proc === BOOSTED_JET_PROCESS.qcd ? 5 : 3);
    const eta = rng.normal(0, 0.9);
    const two = rng.normal(); // latent two-prongness fluctuation
    const three = rng.normal(); // latent three-prongness fluctuation
    let mass: number;
    let prongs: number; // effective number of hard prongs inside the jet
    let z: number;
    let sqrtD23: number;
    let contained = 0;
    const qcdRho = (): number => {
      let rho: number;
      do rho = Math.exp(rng.normal(Math.log(0.09), 0.55));
      while (rho >= 0.5);
      return rho;
    };
    const softSplitting = (): number => Z_CUT * (0.5 / Z_CUT) ** rng.uniform(); // ∝ 1/z on [z_cut, ½)
    if (proc === BOOSTED_JET_PROCESS.w) {
      const open = (2 * W_MASS) / pt;
      contained = rng.uniform() < containment(open, radius) ? 1 : 0;
      z = rng.range(Z_CUT, 0.5);
      if (contained) {
        mass = W_MASS;
        prongs = 2;
      } else {
        // One quark only: a one-prong jet with a QCD-like mass from its own radiation.
        mass = qcdRho() * pt * (1 - z);
        prongs = 1;
      }
      sqrtD23 = mass * 0.15 * rng.exponential(1);
    } else if (proc === BOOSTED_JET_PROCESS.top) {
      const open = (2 * TOP_MASS) / pt;
      const pAll = containment(open, radius);
      const u = rng.uniform();
      if (u < pAll) {
        contained = 1;
        mass = TOP_MASS;
        prongs = 3;
      } else if (u < pAll + 0.6 * (1 - pAll)) {
        mass = W_MASS; // the b escaped: the W alone
        prongs = 2;
      } else {
        mass = Math.sqrt(rng.range(0.2, 0.8)) * TOP_MASS * 0.75; // b with one W quark
        prongs = 2;
      }
      z = rng.range(Z_CUT, 0.5);
      const zW = rng.range(Z_CUT, 0.5);
      sqrtD23 = prongs === 3 ? W_MASS * Math.sqrt(zW / (1 - zW)) : mass * 0.15 * rng.exponential(1);
    } else {
      z = softSplitting();
      mass = rng.uniform() < 0.15 ? rng.exponential(5) + 1 : qcdRho() * pt;
      prongs = 1;
      sqrtD23 = mass * 0.12 * rng.exponential(1);
    }
    // Detector: mass resolution 8 % ⊕ 0.004 pT; pT resolution 5 %.
    const massRes = Math.hypot(0.08 * mass, 0.004 * pt);
    const massMeas = Math.max(0.5, mass + rng.normal(0, massRes));
    const ptMeas = pt * (1 + rng.normal(0, 0.05));
    const rhoPrime = Math.log((massMeas * massMeas) / ptMeas);
    let tau21: number;
    let tau32: number;
    let d2: number;
    if (prongs === 1) {
      tau21 = 0.6 - 0.063 * (rhoPrime - 2.5) + 0.13 * two;
      tau32 = 0.78 + 0.09 * three;
      d2 = Math.exp(Math.log(2.2) + 0.05 * (rhoPrime - 2.5) + 0.3 * two);
    } else if (prongs === 2) {
      tau21 = 0.4 + 0.0001 * (pt - 500) + 0.12 * two;
      tau32 = 0.75 + 0.09 * three;
      d2 = Math.exp(Math.log(1.4) + 0.35 * two);
    } else {
      tau21 = 0.55 + 0.12 * two;
      tau32 = 0.52 + 0.11 * three;
      d2 = Math.exp(Math.log(1.9) + 0.3 * two);
    }
    // C2 follows D2 through the same latent fluctuation, plus its own noise.
    const c2 = Math.min(
      0.6,
      Math.max(0.01, (prongs === 1 ? 0.26 : prongs === 2 ? 0.17 : 0.22) * Math.exp(0.25 * two + rng.normal(0, 0.15))),
    );
    c.pt[i] = ptMeas;
    c.eta[i] = eta;
    c.mass[i] = massMeas;
    c.tau21[i] = Math.min(1, Math.max(0.02, tau21 + rng.normal(0, 0.04)));
    c.tau32[i] = Math.min(1, Math.max(0.02, tau32 + rng.normal(0, 0.04)));
    c.d2[i] = d2 * Math.exp(rng.normal(0, 0.15));
    c.c2[i] = c2;
    c.sqrtD12[i] = massMeas * Math.sqrt(z / (1 - z)) * Math.exp(rng.normal(0, 0.1));
    c.sqrtD23[i] = Math.min(at(c.sqrtD12, i), sqrtD23 * Math.exp(rng.normal(0, 0.1)));
    c.nTracks[i] = rng.poisson((proc === BOOSTED_JET_PROCESS.qcd ? 9 : 7) * Math.log(pt / 30) + 4 * (prongs - 1));
    label[i] = proc;
    processOut[i] = proc;
    truePt[i] = pt;
    containedOut[i] = contained;
  }
  return {
    task: 'boosted-jets',
    n,
    columns,
    label,
    weight: new Float32Array(n).fill(1),
    truth: { process: processOut, truePt, contained: containedOut },
    units: { ...BOOSTED_JET_VARIABLES },
    seed,
  };
}

/**
 * Probability that all decay prongs with opening ΔR ≈ 2m/pT fall inside a jet of radius R: a
 * logistic step centred at ΔR = R with width 0.1 (the decay angle spreads the opening).
 */
export function containment(opening: number, radius: number): number {
  return 1 / (1 + Math.exp((opening - radius) / 0.1));
}

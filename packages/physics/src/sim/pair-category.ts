/**
 * Truth category of a simulated di-electron pair (`truth.category` of the tag-and-probe and CMS
 * Z→ee samples): a Z decay, a Drell–Yan continuum pair, or a pair with a fake electron.
 */
export const PAIR_CATEGORY = { z: 0, continuum: 1, fake: 2 } as const;

/** One of the {@link PAIR_CATEGORY} codes. */
export type PairCategory = (typeof PAIR_CATEGORY)[keyof typeof PAIR_CATEGORY];

/**
 * The category of a pair from a uniform draw u in [0, 1): fake for u < fakeFraction, continuum
 * for the next continuumFraction, a Z otherwise (so the fractions are the probabilities of each).
 */
export function pairCategory(u: number, fakeFraction: number, continuumFraction: number): PairCategory {
  if (u < fakeFraction) return PAIR_CATEGORY.fake;
  return u < fakeFraction + continuumFraction ? PAIR_CATEGORY.continuum : PAIR_CATEGORY.z;
}

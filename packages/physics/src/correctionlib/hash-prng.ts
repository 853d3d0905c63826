/**
 * correctionlib's `hashprng` node (`HashPRNG::evaluate` in correctionlib's `src/correction.cc`):
 * a pseudorandom number that is a deterministic function of the inputs, reproduced bit for bit.
 *
 * 1. Each input becomes one 64-bit little-endian word: an int input its two's-complement value,
 *    a real input its IEEE-754 bit pattern.
 * 2. The words are hashed with XXH64, seed 0 (Y. Collet, xxHash, https://github.com/Cyan4973/xxHash).
 * 3. The hash seeds a `pcg32_oneseq` generator (M. E. O'Neill, PCG, https://www.pcg-random.org;
 *    64-bit LCG state, XSH-RR output of the previous state).
 * 4. The distribution draws as the C++ does on Linux (libstdc++):
 *    - `stdflat`: `std::uniform_real_distribution<double>` = `generate_canonical<double, 53>`:
 *      (g₁ + g₂·2³²)/2⁶⁴ in double arithmetic;
 *    - `stdnormal` (deprecated): `std::normal_distribution<double>`, Marsaglia's polar method on
 *      two canonical draws, returning the second coordinate;
 *    - `normal`: the polar method on u = g·2⁻³¹ − 1 (correctionlib's own loop), returning the first.
 * The transcendental steps use the host's `Math.log`/`Math.sqrt`; `sqrt` is exact and `log` agrees
 * with glibc to the last bit on the values tested, but a 1-ulp difference on some input cannot be
 * excluded for `stdnormal`/`normal` (`stdflat` involves no rounding-sensitive function).
 */

const MASK64 = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & MASK64;
const mul = (a: bigint, b: bigint) => (a * b) & MASK64;
const add = (a: bigint, b: bigint) => (a + b) & MASK64;

function round(acc: bigint, lane: bigint): bigint {
  return mul(rotl(add(acc, mul(lane, P2)), 31n), P1);
}

/** XXH64 of a sequence of 64-bit little-endian words (the only input length HashPRNG produces). */
export function xxh64Words(words: readonly bigint[], seed = 0n): bigint {
  const length = BigInt(words.length * 8);
  let h: bigint;
  let i = 0;
  if (words.length >= 4) {
    let v1 = add(add(seed, P1), P2);
    let v2 = add(seed, P2);
    let v3 = seed;
    let v4 = (seed - P1) & MASK64;
    for (; i + 4 <= words.length; i += 4) {
      v1 = round(v1, words[i] as bigint);
      v2 = round(v2, words[i + 1] as bigint);
      v3 = round(v3, words[i + 2] as bigint);
      v4 = round(v4, words[i + 3] as bigint);
    }
    h = add(add(rotl(v1, 1n), rotl(v2, 7n)), add(rotl(v3, 12n), rotl(v4, 18n)));
    for (const v of [v1, v2, v3, v4]) h = add(mul(h ^ round(0n, v), P1), P4);
  } else {
    h = add(seed, P5);
  }
  h = add(h, length);
  for (; i < words.length; i++) h = add(mul(rotl(h ^ round(0n, words[i] as bigint), 27n), P1), P4);
  h ^= h >> 33n;
  h = mul(h, P2);
  h ^= h >> 29n;
  h = mul(h, P3);
  h ^= h >> 32n;
  return h;
}

const PCG_MULTIPLIER = 6364136223846793005n;
const PCG_INCREMENT = 1442695040888963407n;

/** pcg32_oneseq: 64-bit LCG, output XSH-RR of the state before each step (pcg-cpp's `pcg32_oneseq`). */
export class Pcg32 {
  private state: bigint;

  /** `pcg32_oneseq(seed)`: state = (seed + increment)·multiplier + increment. */
  constructor(seed: bigint) {
    this.state = add(mul(add(seed & MASK64, PCG_INCREMENT), PCG_MULTIPLIER), PCG_INCREMENT);
  }

  /** The next 32-bit output, in [0, 2³²). */
  next(): number {
    const old = this.state;
    this.state = add(mul(old, PCG_MULTIPLIER), PCG_INCREMENT);
    const xorShifted = Number((((old >> 18n) ^ old) >> 27n) & 0xffffffffn);
    const rot = Number(old >> 59n);
    return ((xorShifted >>> rot) | (xorShifted << (-rot & 31))) >>> 0;
  }

  /** libstdc++'s `generate_canonical<double, 53>` with a 32-bit engine: two draws, in [0, 1). */
  canonical(): number {
    const sum = this.next() + this.next() * 4294967296;
    const value = sum / 2 ** 64;
    // libstdc++ returns the largest double below 1 when rounding reaches 1.
    return value >= 1 ? 1 - 2 ** -53 : value;
  }
}

/** The output distributions of a hashprng node. */
export type HashPrngDistribution = 'stdflat' | 'stdnormal' | 'normal';

/** The 64-bit word of one input value (see the module comment). */
export function hashWord(value: number, type: 'int' | 'real'): bigint {
  if (type === 'int') return BigInt.asUintN(64, BigInt(value));
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value, true);
  return view.getBigUint64(0, true);
}

/** The hashprng value for the input words and distribution (see the module comment). */
export function hashPrng(words: readonly bigint[], distribution: HashPrngDistribution): number {
  const gen = new Pcg32(xxh64Words(words));
  switch (distribution) {
    case 'stdflat':
      return gen.canonical();
    case 'stdnormal': {
      for (;;) {
        const x = 2 * gen.canonical() - 1;
        const y = 2 * gen.canonical() - 1;
        const r2 = x * x + y * y;
        if (r2 <= 1 && r2 !== 0) return y * Math.sqrt((-2 * Math.log(r2)) / r2);
      }
    }
    case 'normal': {
      for (;;) {
        const u = gen.next() * 2 ** -31 - 1;
        const v = gen.next() * 2 ** -31 - 1;
        const s = u * u + v * v;
        if (s < 1 && s !== 0) return u * Math.sqrt((-2 * Math.log(s)) / s);
      }
    }
  }
}

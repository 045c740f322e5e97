/** A source of uniform numbers in [0, 1), e.g. `Math.random` or {@link seededRandom}. Injected for reproducibility. */
export type Random = () => number;

/**
 * A fast seeded generator (xoshiro128**, state seeded by splitmix32), returning uniform numbers in [0, 1) with
 * 32 random bits. The same seed always gives the same sequence, on every platform.
 */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = next();
  let b = next();
  let c = next();
  let d = next();
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result / 4294967296;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A uniform integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/**
 * Moves a uniformly random ordered selection of `count` distinct elements of `indices` to its end (a partial
 * Fisher–Yates shuffle from the back): `indices` stays a permutation, so it can be reused without resetting,
 * and the cost is O(count), not O(length).
 */
export function shuffleTail(indices: Int32Array, count: number, random: Random): void {
  const n = indices.length;
  for (let i = n - 1; i >= n - count; i--) {
    const j = randomInt(random, i + 1);
    const t = indices[i]!;
    indices[i] = indices[j]!;
    indices[j] = t;
  }
}

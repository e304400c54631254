/**
 * Deterministic experiment assignment, shared verbatim by the storefront bundle and the server.
 *
 * Kept free of imports on purpose: the storefront script pulls in only this file, never the
 * statistics code.
 */

const utf8 = /* @__PURE__ */ new TextEncoder();
const mix = (k: number) => {
  k = Math.imul(k, 0xcc9e2d51);
  return Math.imul((k << 15) | (k >>> 17), 0x1b873593);
};

/**
 * MurmurHash3 (x86, 32-bit) of the UTF-8 bytes of `key` (TextEncoder's: a lone surrogate
 * encodes as U+FFFD, in browsers and Node alike).
 * Chosen over plain FNV-1a for its avalanche finaliser: similar ids ("v-1", "v-2") and
 * different salts give unrelated outputs in every bit, so the top bits we use are uniform.
 */
export function murmur3(key: string, seed = 0): number {
  const b = utf8.encode(key);
  const n = b.length;
  let h = seed >>> 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    h ^= mix(b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  // the 1-3 tail bytes, little-endian
  let k = 0;
  for (let j = n - 1; j >= i; j--) k = (k << 8) | b[j];
  if (i < n) h ^= mix(k);
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The visitor's position in [0, 1) for one trigger. Same inputs, same number, on every page,
 * session and machine. The salt is length-prefixed so ("ab", "c") and ("a", "bc") differ.
 */
export function bucket(salt: string, visitorId: string): number {
  return murmur3(`${salt.length}:${salt}${visitorId}`) / 4294967296;
}

/**
 * Whether the visitor belongs to the trigger's holdout (sees nothing, measured as control).
 * `holdoutPct` is 0..100: 0 never holds out, 100 always does; NaN is treated as 0.
 */
export function isHoldout(salt: string, visitorId: string, holdoutPct: number): boolean {
  return bucket(salt, visitorId) < holdoutPct / 100;
}

/**
 * Which arm of an A/B test the visitor sees, by the arms' weights (whole percentages; an arm of
 * weight 0 is never chosen). The draw is salted apart from the holdout's (`salt + "#arm"`), so
 * changing the split moves no one in or out of the holdout, and the same visitor gets the same arm
 * on every page, session and machine for as long as the arms and the split stay the same.
 * Returns the index into `weights` (0 when no weight is positive).
 */
export function pickArm(salt: string, visitorId: string, weights: number[]): number {
  let total = 0;
  for (const w of weights) total += w > 0 ? w : 0;
  let x = bucket(salt + "#arm", visitorId) * total;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] > 0 ? weights[i] : 0;
    if (x < w) return i;
    x -= w;
  }
  // rounding at the very top of the range: the last arm that can be chosen
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return 0;
}

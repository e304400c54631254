/**
 * Deterministic experiment assignment, shared verbatim by the storefront bundle and the server.
 *
 * Kept free of imports on purpose: the storefront script pulls in only this file, never the
 * statistics code.
 */

/**
 * MurmurHash3 (x86, 32-bit) of the UTF-8 bytes of `key`.
 * Chosen over plain FNV-1a for its avalanche finaliser: similar ids ("v-1", "v-2") and
 * different salts give unrelated outputs in every bit, so the top bits we use are uniform.
 */
export function murmur3(key: string, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  let block = 0;
  let filled = 0; // bytes currently in `block`
  let length = 0;

  const push = (byte: number) => {
    block |= byte << (filled * 8);
    filled++;
    length++;
    if (filled === 4) {
      let k = Math.imul(block, c1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, c2);
      h ^= k;
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
      block = 0;
      filled = 0;
    }
  };

  for (let i = 0; i < key.length; i++) {
    let cp = key.charCodeAt(i);
    // Combine a surrogate pair into one code point; a lone surrogate encodes as U+FFFD.
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < key.length) {
      const next = key.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else cp = 0xfffd;
    } else if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;

    if (cp < 0x80) push(cp);
    else if (cp < 0x800) {
      push(0xc0 | (cp >> 6));
      push(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      push(0xe0 | (cp >> 12));
      push(0x80 | ((cp >> 6) & 0x3f));
      push(0x80 | (cp & 0x3f));
    } else {
      push(0xf0 | (cp >> 18));
      push(0x80 | ((cp >> 12) & 0x3f));
      push(0x80 | ((cp >> 6) & 0x3f));
      push(0x80 | (cp & 0x3f));
    }
  }

  if (filled > 0) {
    let k = Math.imul(block, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }

  h ^= length;
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

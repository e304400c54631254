import { describe, expect, it } from "vitest";
import { bucket, isHoldout, murmur3 } from "~/domain/experiments/assign";

// Critical values from scipy (p = 0.001), so a pass is not judged by our own chi-square code:
//   from scipy import stats
//   stats.chi2.isf(0.001, 99) -> 148.23035916510173
//   stats.chi2.isf(0.001, 81) -> 126.08255833316953
const CHI2_CRIT_99 = 148.23035916510173;
const CHI2_CRIT_81 = 126.08255833316953;
const N = 100_000;

describe("murmur3", () => {
  it("matches the published MurmurHash3 x86_32 vectors and an independent Python implementation", () => {
    // The first four are the published vectors; all were recomputed with a separate Python
    // implementation of MurmurHash3_x86_32 over UTF-8 bytes:
    //   def mmh3_32(data, seed=0):
    //       c1, c2, M = 0xcc9e2d51, 0x1b873593, 0xffffffff
    //       rotl = lambda x, r: ((x << r) | (x >> (32 - r))) & M
    //       h, n = seed & M, len(data) // 4
    //       for i in range(n):
    //           k = int.from_bytes(data[4*i:4*i+4], 'little')
    //           k = (rotl((k * c1) & M, 15) * c2) & M
    //           h = (rotl(h ^ k, 13) * 5 + 0xe6546b64) & M
    //       if data[4*n:]:
    //           k = int.from_bytes(data[4*n:], 'little')
    //           h ^= (rotl((k * c1) & M, 15) * c2) & M
    //       h ^= len(data); h ^= h >> 16; h = (h * 0x85ebca6b) & M
    //       h ^= h >> 13; h = (h * 0xc2b2ae35) & M; h ^= h >> 16
    //       return h
    expect(murmur3("")).toBe(0);
    expect(murmur3("hello")).toBe(613153351); // 0x248bfa47
    expect(murmur3("Hello, world!", 1234)).toBe(4210478515); // 0xfaf6cdb3
    expect(murmur3("The quick brown fox jumps over the lazy dog")).toBe(776992547); // 0x2e4ff723
    expect(murmur3("abc", 42)).toBe(1313807976);
    expect(murmur3("héllo wörld 🎉")).toBe(4094511863); // multi-byte UTF-8 and a surrogate pair
    // a lone surrogate hashes as U+FFFD (what TextEncoder writes), and so does a trailing one
    expect(murmur3("a\ud800b")).toBe(murmur3("a\ufffdb"));
    expect(murmur3("ab\udc00")).toBe(murmur3("ab\ufffd"));
    expect(murmur3("a\ud800b")).not.toBe(murmur3("ab"));
  });
});

describe("bucket", () => {
  it("gives the same number for the same trigger and visitor, every time", () => {
    // Python: mmh3_32(f"{len(salt)}:{salt}{vid}".encode()) / 2**32
    expect(bucket("trg_123", "v_abc")).toBe(0.014962879242375493);
    expect(bucket("trg_123", "v_abd")).toBe(0.49778734892606735);
    expect(bucket("exit-intent", "0f8a9c2e-1b2d-4e5f-8a9b-0c1d2e3f4a5b")).toBe(0.4422786764334887);
    expect(bucket("só", "🎉")).toBe(0.9061951520852745);
    for (let i = 0; i < 1000; i++) expect(bucket("trg", `v${i}`)).toBe(bucket("trg", `v${i}`));
  });

  it("keeps salt and visitor id apart, so shifting characters between them changes the bucket", () => {
    expect(bucket("ab", "c")).not.toBe(bucket("a", "bc"));
  });

  it("spreads 100k sequential visitor ids uniformly over [0, 1)", () => {
    // GIVEN ids that differ only in their last characters (the hard case for weak hashes)
    const bins = new Array(100).fill(0);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < N; i++) {
      const b = bucket("trigger-42", `visitor-${i}`);
      min = Math.min(min, b);
      max = Math.max(max, b);
      bins[Math.floor(b * 100)]++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // THEN a chi-square goodness-of-fit test over 100 bins does not reject uniformity
    const expected = N / 100;
    const chi2 = bins.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(CHI2_CRIT_99);
  });

  it("assigns a visitor independently across triggers", () => {
    // GIVEN two triggers with nearly identical salts
    const table = Array.from({ length: 10 }, () => new Array(10).fill(0));
    for (let i = 0; i < N; i++) {
      const id = `visitor-${i}`;
      table[Math.floor(bucket("trigger-1", id) * 10)][Math.floor(bucket("trigger-2", id) * 10)]++;
    }
    // THEN the 10×10 contingency table of their deciles passes a chi-square independence test
    const rows = table.map((r) => r.reduce((a, b) => a + b, 0));
    const cols = table[0].map((_, j) => table.reduce((a, r) => a + r[j], 0));
    let chi2 = 0;
    for (let i = 0; i < 10; i++) {
      for (let j = 0; j < 10; j++) {
        const e = (rows[i] * cols[j]) / N;
        chi2 += (table[i][j] - e) ** 2 / e;
      }
    }
    expect(chi2).toBeLessThan(CHI2_CRIT_81);
  });
});

describe("isHoldout", () => {
  it("never holds out at 0 % and always holds out at 100 %", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `v${i}`);
    expect(ids.some((id) => isHoldout("t", id, 0))).toBe(false);
    expect(ids.every((id) => isHoldout("t", id, 100))).toBe(true);
  });

  it("holds out about the configured share of visitors", () => {
    let held = 0;
    for (let i = 0; i < N; i++) if (isHoldout("welcome-back", `v-${i}`, 10)) held++;
    // 10 % ± 4 standard deviations (sd = sqrt(0.1·0.9/N) ≈ 0.00095)
    expect(Math.abs(held / N - 0.1)).toBeLessThan(4 * Math.sqrt(0.09 / N));
  });

  it("keeps a visitor in the holdout when the share grows (buckets are nested)", () => {
    for (let i = 0; i < 5000; i++) {
      if (isHoldout("t", `v${i}`, 5)) expect(isHoldout("t", `v${i}`, 20)).toBe(true);
    }
  });

  it("treats a NaN share as no holdout", () => {
    expect(isHoldout("t", "v", Number.NaN)).toBe(false);
  });
});

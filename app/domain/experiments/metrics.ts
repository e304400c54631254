import type { MeanStats, ProportionStats } from "./types";

/**
 * Running moments of a per-user metric: count, mean and M2 (sum of squared deviations).
 * Plain data so daily roll-ups can be stored as JSON and merged later.
 */
export interface Moments {
  n: number;
  mean: number;
  m2: number;
}

// Readonly by type only: a runtime Object.freeze() call would defeat tree-shaking of this module.
export const EMPTY_MOMENTS: Readonly<Moments> = { n: 0, mean: 0, m2: 0 };

/** Welford's update: one value in, numerically stable even for large offsets. */
export function addValue(m: Moments, x: number): Moments {
  const n = m.n + 1;
  const delta = x - m.mean;
  const mean = m.mean + delta / n;
  return { n, mean, m2: m.m2 + delta * (x - mean) };
}

export function addValues(m: Moments, xs: Iterable<number>): Moments {
  let { n, mean, m2 } = m;
  for (const x of xs) {
    n++;
    const delta = x - mean;
    mean += delta / n;
    m2 += delta * (x - mean);
  }
  return { n, mean, m2 };
}

/** Chan et al.'s pairwise combine: merging two roll-ups equals accumulating all their values. */
export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.n === 0) return { ...b };
  if (b.n === 0) return { ...a };
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  return {
    n,
    mean: a.mean + (delta * b.n) / n,
    m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n,
  };
}

/** Sample variance (n − 1); 0 when fewer than two values. */
export function sampleVariance(m: Moments): number {
  return m.n < 2 ? 0 : Math.max(0, m.m2) / (m.n - 1);
}

export function momentsToMeanStats(m: Moments): MeanStats {
  return { users: m.n, mean: m.n === 0 ? 0 : m.mean, variance: sampleVariance(m) };
}

/**
 * From SQL-style aggregates. `sum` and `sumSquares` run over all `users`, zeros included
 * (a visitor who bought nothing counts with value 0). Prefer `Moments` when precision matters:
 * this form loses digits when the mean is large relative to the spread.
 */
export function sumsToMeanStats(input: { users: number; sum: number; sumSquares: number }): MeanStats {
  const { users, sum, sumSquares } = input;
  if (!(users > 0)) return { users: Math.max(0, users || 0), mean: 0, variance: 0 };
  const mean = sum / users;
  const variance = users < 2 ? 0 : Math.max(0, (sumSquares - sum * mean) / (users - 1));
  return { users, mean, variance };
}

/** A conversion rate as a mean of 0/1 values: Bernoulli sample variance p(1 − p)·n/(n − 1). */
export function proportionToMeanStats(input: ProportionStats): MeanStats {
  const { users, conversions } = input;
  if (!(users > 0)) return { users: Math.max(0, users || 0), mean: 0, variance: 0 };
  const p = conversions / users;
  const variance = users < 2 ? 0 : Math.max(0, (p * (1 - p) * users) / (users - 1));
  return { users, mean: p, variance };
}

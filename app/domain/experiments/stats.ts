import { chiSquareSurvival, studentTQuantile, studentTSurvival } from "./distributions";
import { proportionToMeanStats } from "./metrics";
import type { CompareOptions, ComparisonReason, ComparisonResult, MeanStats, ProportionStats, SampleRatioResult } from "./types";

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_SEQUENTIAL_TUNING = 5000;
export const SRM_P_THRESHOLD = 0.001;

const isFiniteNumber = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

function degenerate(absoluteLift: number, relativeLift: number, reason: ComparisonReason): ComparisonResult {
  const abs = Number.isFinite(absoluteLift) ? absoluteLift : 0;
  const rel = Number.isFinite(relativeLift) ? relativeLift : 0;
  return { absoluteLift: abs, relativeLift: rel, ci: [abs, abs], relativeCi: [rel, rel], pValue: 1, significant: false, reason };
}

/** Resolved options, or null when they are out of range. */
function readOptions(options: CompareOptions): { alpha: number; tuning: number | null } | null {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (!isFiniteNumber(alpha) || alpha <= 0 || alpha >= 1) return null;
  const seq = options.sequential;
  if (!seq) return { alpha, tuning: null };
  const tuning = seq === true ? DEFAULT_SEQUENTIAL_TUNING : (seq.tuning ?? DEFAULT_SEQUENTIAL_TUNING);
  if (!isFiniteNumber(tuning) || tuning <= 0) return null;
  return { alpha, tuning };
}

/**
 * Mixing parameter of the normal-mixture confidence sequence (Waudby-Smith et al. 2023, eq. 161):
 * chosen so the sequence is tightest when the total sample size equals `tuning`.
 */
export function sequentialRhoSquared(alpha: number, tuning: number): number {
  const l = -2 * Math.log(alpha);
  return (l + Math.log(l + 1)) / tuning;
}

/**
 * Half-width of the asymptotic confidence sequence in units of the estimator's standard error:
 * halfwidth = sqrt(se² · N) · sqrt((Nρ² + 1) / (N²ρ²) · ln((Nρ² + 1) / α²)), N = total users
 * (GrowthBook's `sequential` formula).
 */
export function sequentialHalfwidthFactor(totalUsers: number, alpha: number, tuning: number): number {
  const n = totalUsers;
  const r2 = sequentialRhoSquared(alpha, tuning);
  const nr2 = n * r2 + 1;
  return Math.sqrt(n) * Math.sqrt((nr2 / (n * n * r2)) * Math.log(nr2 / (alpha * alpha)));
}

/** Always-valid p-value: 1 / (normal-mixture e-value), capped at 1 (eq. 155). */
function sequentialPValue(z: number, totalUsers: number, alpha: number, tuning: number): number {
  const r2 = sequentialRhoSquared(alpha, tuning);
  const nr2 = totalUsers * r2 + 1;
  const logEvidence = (r2 * totalUsers * z * z) / (2 * nr2) - 0.5 * Math.log(nr2);
  return Math.min(1, Math.exp(-logEvidence));
}

/**
 * Welch's t-test on two arms' means (sample variances, unequal), with the relative lift's
 * interval by the delta method. With `sequential`, intervals are confidence sequences that stay
 * valid however often the result is looked at.
 */
export function compareMeans(control: MeanStats, treatment: MeanStats, options: CompareOptions = {}): ComparisonResult {
  const opts = readOptions(options);
  const inputs = [control?.users, control?.mean, control?.variance, treatment?.users, treatment?.mean, treatment?.variance];
  if (!opts || !inputs.every(isFiniteNumber) || control.users < 0 || treatment.users < 0 || control.variance < 0 || treatment.variance < 0) {
    return degenerate(0, 0, "invalid_input");
  }
  const { users: nA, mean: mA, variance: vA } = control;
  const { users: nB, mean: mB, variance: vB } = treatment;

  const bothObserved = nA >= 1 && nB >= 1;
  const absoluteLift = bothObserved ? mB - mA : 0;
  const ratio = bothObserved && mA !== 0 ? mB / mA : NaN;
  const relativeLift = Number.isFinite(ratio) ? ratio - 1 : 0;
  if (nA < 2 || nB < 2) return degenerate(absoluteLift, relativeLift, "not_enough_users");
  if (vA === 0 && vB === 0) return degenerate(absoluteLift, relativeLift, "no_variance");

  const varMeanA = vA / nA;
  const varMeanB = vB / nB;
  const se = Math.sqrt(varMeanA + varMeanB);
  // Delta method: Var(mB/mA) ≈ Var(mB)/mA² + mB²·Var(mA)/mA⁴.
  const relativeSe = Number.isFinite(ratio) ? Math.sqrt(varMeanB + varMeanA * ratio * ratio) / Math.abs(mA) : NaN;

  let halfwidthFactor: number;
  let pValue: number;
  const z = absoluteLift / se;
  if (opts.tuning === null) {
    const df = (varMeanA + varMeanB) ** 2 / (varMeanA ** 2 / (nA - 1) + varMeanB ** 2 / (nB - 1));
    halfwidthFactor = studentTQuantile(1 - opts.alpha / 2, df);
    pValue = Math.min(1, 2 * studentTSurvival(Math.abs(z), df));
  } else {
    halfwidthFactor = sequentialHalfwidthFactor(nA + nB, opts.alpha, opts.tuning);
    pValue = sequentialPValue(z, nA + nB, opts.alpha, opts.tuning);
  }

  const halfwidth = halfwidthFactor * se;
  const ci: [number, number] = [absoluteLift - halfwidth, absoluteLift + halfwidth];
  if (![se, halfwidth, pValue, ...ci].every(isFiniteNumber)) return degenerate(absoluteLift, relativeLift, "invalid_input");
  const excludesZero = ci[0] > 0 || ci[1] < 0;

  const relativeHalfwidth = halfwidthFactor * relativeSe;
  if (!Number.isFinite(relativeHalfwidth) || !Number.isFinite(ratio)) {
    // The absolute comparison stands, but a lift "relative to zero" does not exist.
    return { absoluteLift, relativeLift: 0, ci, relativeCi: [0, 0], pValue, significant: false, reason: "control_is_zero" };
  }
  return {
    absoluteLift,
    relativeLift,
    ci,
    relativeCi: [relativeLift - relativeHalfwidth, relativeLift + relativeHalfwidth],
    pValue,
    significant: excludesZero,
  };
}

/** Conversion rates compared as means of 0/1 values, in the same Welch machinery. */
export function compareProportions(control: ProportionStats, treatment: ProportionStats, options: CompareOptions = {}): ComparisonResult {
  const valid = (s: ProportionStats) =>
    isFiniteNumber(s?.users) && isFiniteNumber(s?.conversions) && s.users >= 0 && s.conversions >= 0 && s.conversions <= s.users;
  if (!valid(control) || !valid(treatment)) return degenerate(0, 0, "invalid_input");
  return compareMeans(proportionToMeanStats(control), proportionToMeanStats(treatment), options);
}

/**
 * Chi-square goodness of fit of the observed users per arm against the configured weights.
 * A mismatch (p < 0.001) means assignment or tracking is broken and the lift is not trustworthy.
 */
export function sampleRatioMismatch(observed: number[], weights: number[]): SampleRatioResult {
  const invalid: SampleRatioResult = { pValue: 1, mismatch: false, reason: "invalid_input" };
  if (!Array.isArray(observed) || !Array.isArray(weights) || observed.length !== weights.length || observed.length < 2) return invalid;
  if (!observed.every((o) => isFiniteNumber(o) && o >= 0) || !weights.every((w) => isFiniteNumber(w) && w >= 0)) return invalid;
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  if (totalWeight <= 0) return invalid;
  const total = observed.reduce((a, b) => a + b, 0);
  if (total === 0) return { pValue: 1, mismatch: false, reason: "no_users" };

  let statistic = 0;
  let categories = 0;
  for (let i = 0; i < observed.length; i++) {
    const expected = (total * weights[i]) / totalWeight;
    if (expected === 0) {
      if (observed[i] > 0) return { pValue: 0, mismatch: true }; // users in an arm that should be empty
      continue;
    }
    statistic += (observed[i] - expected) ** 2 / expected;
    categories++;
  }
  if (categories < 2) return { pValue: 1, mismatch: false };
  const pValue = chiSquareSurvival(statistic, categories - 1);
  return { pValue, mismatch: pValue < SRM_P_THRESHOLD };
}

/**
 * Bonferroni-adjusted comparisons of several treatments against one control. Each comparison is
 * the two-arm one (`compare`) at level `alpha / k` (k = number of treatments), so the union bound
 * holds the chance that any interval misses its true lift — or that any treatment with no real
 * lift is called significant — at `alpha`, whatever the dependence between the comparisons (they
 * share the control) and, in sequential mode, at every stopping time. `pValue` is the adjusted one,
 * `min(1, k·p)`, so it is compared with the family's `alpha`; intervals are simultaneous.
 */
function compareArmsWith<S>(
  compare: (control: S, treatment: S, options: CompareOptions) => ComparisonResult,
  control: S,
  treatments: readonly S[],
  options: CompareOptions,
): ComparisonResult[] {
  if (!Array.isArray(treatments) || treatments.length === 0) {
    throw new RangeError("compareArms needs at least one treatment arm");
  }
  const opts = readOptions(options ?? {});
  // Out-of-range options give invalid_input per arm, as compareProportions/compareMeans do.
  if (!opts) return treatments.map(() => degenerate(0, 0, "invalid_input"));
  const k = treatments.length;
  const perComparison: CompareOptions = { ...options, alpha: opts.alpha / k };
  return treatments.map((treatment) => {
    const result = compare(control, treatment, perComparison);
    return { ...result, pValue: Math.min(1, k * result.pValue) };
  });
}

/**
 * Conversion rates of each treatment against the control, one result per treatment in order, with
 * the family-wise error rate held at `alpha` across all treatments (Bonferroni, see
 * `compareArmsWith`). With one treatment the result is exactly `compareProportions`'. Throws a
 * RangeError when `treatments` is not a non-empty array.
 */
export function compareArms(control: ProportionStats, treatments: readonly ProportionStats[], options: CompareOptions = {}): ComparisonResult[] {
  return compareArmsWith(compareProportions, control, treatments, options);
}

/** `compareArms` for per-user means (revenue per visitor); one treatment gives `compareMeans`' result. */
export function compareArmsMeans(control: MeanStats, treatments: readonly MeanStats[], options: CompareOptions = {}): ComparisonResult[] {
  return compareArmsWith(compareMeans, control, treatments, options);
}

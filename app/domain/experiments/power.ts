import { normalQuantile } from "./distributions";

export interface PowerOptions {
  /** Smallest relative lift worth detecting, e.g. 0.10 for +10 %. Default 0.10. */
  relativeMde?: number;
  /** Two-sided significance level. Default 0.05. */
  alpha?: number;
  /** Probability of detecting a true lift of `relativeMde`. Default 0.8. */
  power?: number;
}

export interface ProportionPowerInput extends PowerOptions {
  baselineRate: number;
}

export interface MeanPowerInput extends PowerOptions {
  baselineMean: number;
  /** Sample variance of the per-user metric. */
  variance: number;
}

export interface SplitSizes {
  control: number;
  treatment: number;
  total: number;
}

const DEFAULTS = { relativeMde: 0.1, alpha: 0.05, power: 0.8 };
const MIN_PER_ARM = 2; // Welch's test needs two users per arm

/** Whether the options are usable; the sample-size functions throw a RangeError otherwise. */
export function powerOptionsValid(options: PowerOptions & { treatmentShare?: number }): boolean {
  const { relativeMde = DEFAULTS.relativeMde, alpha = DEFAULTS.alpha, power = DEFAULTS.power, treatmentShare = 0.5 } = options;
  const open01 = (x: number) => Number.isFinite(x) && x > 0 && x < 1;
  return open01(alpha) && open01(power) && open01(treatmentShare) && Number.isFinite(relativeMde) && relativeMde > -1 && relativeMde !== 0;
}

function zScores(options: PowerOptions): { zAlpha: number; zBeta: number; mde: number } {
  if (!powerOptionsValid(options)) throw new RangeError("alpha and power must be in (0, 1) and relativeMde a non-zero number above -1");
  const { relativeMde = DEFAULTS.relativeMde, alpha = DEFAULTS.alpha, power = DEFAULTS.power } = options;
  return { zAlpha: normalQuantile(1 - alpha / 2), zBeta: normalQuantile(power), mde: relativeMde };
}

function split(controlUsers: number, ratio: number): SplitSizes {
  if (!Number.isFinite(controlUsers)) return { control: Infinity, treatment: Infinity, total: Infinity };
  const control = Math.max(MIN_PER_ARM, Math.ceil(controlUsers));
  const treatment = Math.max(MIN_PER_ARM, Math.ceil(controlUsers * ratio));
  return { control, treatment, total: control + treatment };
}

/**
 * Users per arm for a two-proportion test with `treatmentShare` of the traffic in treatment
 * (0.9 for a 10 % holdout). Normal approximation with the pooled variance under the null:
 *   n_control = (z₁₋α/₂·√(p̄q̄(1 + 1/k)) + z₁₋β·√(p₁q₁ + p₂q₂/k))² / (p₂ − p₁)², k = n_t / n_c.
 * Infinity when the lift cannot exist (baseline 0 or 1, or a target rate outside (0, 1)).
 */
export function visitorsNeededForProportionSplit(input: ProportionPowerInput & { treatmentShare?: number }): SplitSizes {
  const { zAlpha, zBeta, mde } = zScores(input);
  const share = input.treatmentShare ?? 0.5;
  const k = share / (1 - share);
  const p1 = input.baselineRate;
  const p2 = p1 * (1 + mde);
  if (!Number.isFinite(p1) || p1 <= 0 || p1 >= 1 || p2 <= 0 || p2 >= 1) return split(Infinity, k);
  const pBar = (p1 + k * p2) / (1 + k);
  const root = zAlpha * Math.sqrt(pBar * (1 - pBar) * (1 + 1 / k)) + zBeta * Math.sqrt(p1 * (1 - p1) + (p2 * (1 - p2)) / k);
  return split((root * root) / ((p2 - p1) * (p2 - p1)), k);
}

/** Users per arm (equal split) to detect `relativeMde` on a conversion rate. */
export function visitorsNeeded(input: ProportionPowerInput): number {
  return visitorsNeededForProportionSplit({ ...input, treatmentShare: 0.5 }).control;
}

/**
 * Users per arm for a difference in means, equal variances assumed:
 *   n_control = (z₁₋α/₂ + z₁₋β)² · σ²(1 + 1/k) / δ², δ = baselineMean · relativeMde.
 * Infinity when the baseline mean is 0 (a relative lift of nothing cannot be detected).
 */
export function visitorsNeededForMeanSplit(input: MeanPowerInput & { treatmentShare?: number }): SplitSizes {
  const { zAlpha, zBeta, mde } = zScores(input);
  const share = input.treatmentShare ?? 0.5;
  const k = share / (1 - share);
  const { baselineMean, variance } = input;
  if (!Number.isFinite(variance) || variance < 0) throw new RangeError("variance must be a finite number >= 0");
  const delta = baselineMean * mde;
  if (!Number.isFinite(delta) || delta === 0) return split(Infinity, k);
  return split(((zAlpha + zBeta) ** 2 * variance * (1 + 1 / k)) / (delta * delta), k);
}

/** Users per arm (equal split) to detect `relativeMde` on a mean. */
export function visitorsNeededForMean(input: MeanPowerInput): number {
  return visitorsNeededForMeanSplit({ ...input, treatmentShare: 0.5 }).control;
}

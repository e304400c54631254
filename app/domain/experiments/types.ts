/** Aggregate of a conversion metric for one arm: how many users, how many of them converted. */
export interface ProportionStats {
  users: number;
  conversions: number;
}

/** Aggregate of a per-user numeric metric for one arm; `variance` is the sample variance (n − 1). */
export interface MeanStats {
  users: number;
  mean: number;
  variance: number;
}

export interface SequentialOptions {
  /** Total users (both arms) at which the confidence sequence is tightest. Default 5000. */
  tuning?: number;
}

export interface CompareOptions {
  /** Two-sided significance level, 0 < alpha < 1. Default 0.05. */
  alpha?: number;
  /** Always-valid confidence sequences instead of fixed-horizon intervals (safe to peek daily). */
  sequential?: boolean | SequentialOptions;
}

/** Why a comparison could not be judged; the result then has `significant: false`. */
export type ComparisonReason = "invalid_input" | "not_enough_users" | "no_variance" | "control_is_zero";

export interface ComparisonResult {
  /** treatment − control. */
  absoluteLift: number;
  /** treatment / control − 1. */
  relativeLift: number;
  /** Interval for `absoluteLift`. */
  ci: [number, number];
  /** Interval for `relativeLift` (delta method). */
  relativeCi: [number, number];
  /**
   * Two-sided p-value; in sequential mode the always-valid p-value. From `compareArms` /
   * `compareArmsMeans` the Bonferroni-adjusted one (k·p, at most 1), to be read against the
   * family's alpha.
   */
  pValue: number;
  /** `ci` excludes 0 (and the input was not degenerate). */
  significant: boolean;
  reason?: ComparisonReason;
}

export interface SampleRatioResult {
  pValue: number;
  /** p < 0.001: the observed split is very unlikely under the configured weights. */
  mismatch: boolean;
  reason?: "invalid_input" | "no_users";
}

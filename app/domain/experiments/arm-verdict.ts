import { visitorsNeededForProportionSplit } from "./power";
import { DEFAULT_ALPHA, compareArms, compareProportions, sampleRatioMismatch } from "./stats";
import type { CompareOptions, ComparisonResult, ProportionStats, SampleRatioResult } from "./types";
import { armLabel } from "./variants";

/**
 * Verdicts for an A/B test of 2..4 arms (issue 21), in words a merchant can act on, and the rule
 * auto-promote uses. Pure: the figures come from analytics (services/analytics.server.ts).
 *
 * - `armVerdict`: arm A is the control, B..D the treatments, compared by `compareArms`
 *   (Bonferroni over the treatments, see docs/decisions/010-statistics.md). A sample-ratio
 *   mismatch overrides everything; otherwise every treatment whose interval excludes 0 is named
 *   ahead or behind; otherwise how many more visitors (all arms, at the configured split) a +10 %
 *   lift on A's conversion rate would need (`power.ts`, at α / treatments).
 * - `pairwiseWinner`: an arm wins when its interval against *every* other arm excludes zero in
 *   its favour, each of the k(k−1)/2 pairs at α / pairs (Bonferroni over all pairs, so the chance
 *   that any arm is wrongly promoted stays ≤ α), with always-valid intervals by default, since the
 *   sweep looks every hour.
 */

export interface ArmCounts extends ProportionStats {
  /** configured share of the non-holdout traffic, whole percent */
  weight: number;
}

export type ArmVerdictKind = "srm" | "decided" | "no_difference" | "not_enough_data";

export interface ArmFinding {
  /** index of the treatment arm (1..3) */
  arm: number;
  label: string;
  direction: "ahead" | "behind";
  relativeLift: number;
  relativeCi: [number, number];
}

export interface ArmVerdict {
  kind: ArmVerdictKind;
  /** The sentence shown to the merchant. */
  text: string;
  /** Significant treatments (kind "decided"), best first. */
  findings: ArmFinding[];
  /** More visitors, all arms together, until a +10 % lift would show; absent when unknown. */
  visitorsStillNeeded?: number;
}

export interface ArmVerdictOptions extends CompareOptions {
  /** the lift "visitors still needed" aims at; default 0.10 */
  relativeMde?: number;
  power?: number;
  /** what a unit is called in the sentences: "visitors" (default) or "runs" for a flow email */
  units?: string;
}

const pct = (x: number) => `${(Math.abs(x) * 100).toFixed(1)}%`;
const signedPct = (x: number) => `${x < 0 ? "−" : ""}${pct(x)}`;
const thousands = (n: number) => new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 }).format(Math.round(n));

/** "ahead of A by 12.0% (interval 3.1% to 21.0%)" for one significant treatment. */
export function findingText(f: ArmFinding): string {
  return `Variant ${f.label} is ${f.direction === "ahead" ? "ahead of" : "behind"} A by ${pct(f.relativeLift)} (interval ${signedPct(f.relativeCi[0])} to ${signedPct(f.relativeCi[1])})`;
}

/**
 * Users still needed, all arms together at the configured split, for each treatment's comparison
 * with A to detect `relativeMde` on A's rate at α / treatments; the largest over the treatments.
 * Undefined when A has no conversions yet (no baseline) or the weights leave no comparison.
 */
export function armVisitorsStillNeeded(arms: ArmCounts[], options: ArmVerdictOptions = {}): number | undefined {
  const [control, ...treatments] = arms;
  if (!control || treatments.length === 0 || !(control.users > 0)) return undefined;
  const baselineRate = control.conversions / control.users;
  if (!(baselineRate > 0 && baselineRate < 1)) return undefined;
  const alpha = (options.alpha ?? DEFAULT_ALPHA) / treatments.length;
  const totalWeight = arms.reduce((s, a) => s + Math.max(0, a.weight), 0);
  let neededTotal = 0;
  for (const t of treatments) {
    if (!(t.weight > 0) || !(control.weight > 0)) continue;
    const pairWeight = control.weight + t.weight;
    const sizes = visitorsNeededForProportionSplit({
      baselineRate,
      relativeMde: options.relativeMde ?? 0.1,
      alpha,
      power: options.power ?? 0.8,
      treatmentShare: t.weight / pairWeight,
    });
    if (!Number.isFinite(sizes.total)) return undefined;
    neededTotal = Math.max(neededTotal, (sizes.total * totalWeight) / pairWeight);
  }
  if (neededTotal === 0) return undefined;
  const have = arms.reduce((s, a) => s + a.users, 0);
  return Math.max(0, Math.ceil(neededTotal - have));
}

/** Per-treatment comparisons against A and the merchant's verdict. */
export function armVerdict(
  arms: ArmCounts[],
  srm: Pick<SampleRatioResult, "mismatch">,
  options: ArmVerdictOptions = {},
): ArmVerdict & { comparisons: ComparisonResult[] } {
  if (arms.length < 2) throw new RangeError("a test has at least two arms");
  const [control, ...treatments] = arms;
  const compare: CompareOptions = { alpha: options.alpha, sequential: options.sequential };
  const comparisons = compareArms(control, treatments, compare);
  if (srm.mismatch) {
    return {
      kind: "srm",
      text: "Sample ratio mismatch — don't trust this: the variants did not get the traffic split they were set to",
      findings: [],
      comparisons,
    };
  }
  const findings: ArmFinding[] = comparisons
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.significant)
    .map(({ c, i }) => ({
      arm: i + 1,
      label: armLabel(i + 1),
      direction: c.absoluteLift > 0 ? ("ahead" as const) : ("behind" as const),
      relativeLift: c.relativeLift,
      relativeCi: c.relativeCi,
    }))
    .sort((a, b) => b.relativeLift - a.relativeLift);
  if (findings.length > 0) {
    return { kind: "decided", text: findings.map(findingText).join("; "), findings, comparisons };
  }
  const visitorsStillNeeded = armVisitorsStillNeeded(arms, options);
  if (visitorsStillNeeded === undefined) {
    const anyUsers = arms.some((a) => a.users > 0);
    return {
      kind: "not_enough_data",
      text: anyUsers
        ? "No difference large enough to matter yet — variant A needs conversions before the test can say how long it has to run"
        : `No ${options.units ?? "visitors"} in this test yet`,
      findings: [],
      comparisons,
    };
  }
  const mde = Math.round((options.relativeMde ?? 0.1) * 100);
  const text =
    visitorsStillNeeded > 0
      ? `No difference large enough to matter yet — about ${thousands(visitorsStillNeeded)} more ${options.units ?? "visitors"}`
      : `No difference large enough to matter — a ${mde}% lift would have shown by now`;
  return { kind: "no_difference", text, findings: [], visitorsStillNeeded, comparisons };
}

/**
 * χ² over every arm and the holdout against the configured split: arm i expects
 * weight_i × (100 − holdoutPct) / 100 of the users, the holdout holdoutPct. With `holdoutUsers`
 * null (a flow step: holdout runs never reach a step) the arms alone, by their weights.
 */
export function armSampleRatio(armUsers: number[], weights: number[], holdout: { users: number; pct: number } | null): SampleRatioResult {
  if (!holdout) return sampleRatioMismatch(armUsers, weights);
  const pct = Math.min(100, Math.max(0, holdout.pct));
  const total = weights.reduce((s, w) => s + Math.max(0, w), 0) || 1;
  return sampleRatioMismatch([...armUsers, holdout.users], [...weights.map((w) => (Math.max(0, w) / total) * (100 - pct)), pct]);
}

export interface PairwiseResult {
  /** index of the arm that beats every other, or null */
  winner: number | null;
  /** `matrix[i][j]`: arm i (treatment) against arm j (control), at α / pairs; null on the diagonal */
  matrix: Array<Array<ComparisonResult | null>>;
}

/**
 * All k(k−1)/2 pairs compared at α / pairs (sequential, always-valid, unless told otherwise): the
 * winner is the arm whose interval against every other arm lies entirely above zero.
 */
export function pairwiseWinner(arms: ProportionStats[], options: CompareOptions = {}): PairwiseResult {
  const k = arms.length;
  const pairs = (k * (k - 1)) / 2;
  const alpha = (options.alpha ?? DEFAULT_ALPHA) / Math.max(1, pairs);
  const opts: CompareOptions = { alpha, sequential: options.sequential ?? true };
  const matrix: Array<Array<ComparisonResult | null>> = arms.map(() => arms.map(() => null));
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      matrix[i][j] = compareProportions(arms[j], arms[i], opts);
      matrix[j][i] = compareProportions(arms[i], arms[j], opts);
    }
  }
  let winner: number | null = null;
  if (k >= 2) {
    for (let i = 0; i < k; i++) {
      const beatsAll = matrix[i].every((c, j) => j === i || (c !== null && c.significant && c.ci[0] > 0));
      if (beatsAll) winner = i;
    }
  }
  return { winner, matrix };
}

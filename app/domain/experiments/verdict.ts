import { powerOptionsValid, visitorsNeededForMeanSplit, visitorsNeededForProportionSplit, type SplitSizes } from "./power";
import { compareMeans, compareProportions } from "./stats";
import type { CompareOptions, ComparisonResult, MeanStats, ProportionStats } from "./types";

export type VerdictStatus = "winning" | "losing" | "not_enough_data";

export interface VerdictOptions extends CompareOptions {
  /** Lift the "visitors still needed" estimate aims to detect. Default 0.10 (+10 %). */
  relativeMde?: number;
  /** Default 0.8. */
  power?: number;
}

export interface Verdict {
  status: VerdictStatus;
  /**
   * Additional users (both arms, at the current split) until a `relativeMde` lift would be
   * detected with the requested power by a fixed-horizon test. 0: enough users already, and any
   * true lift is smaller than that. Absent when no estimate is possible (no baseline yet, a
   * baseline of 0, invalid input).
   */
  visitorsStillNeeded?: number;
  result: ComparisonResult;
}

const isProportion = (s: ProportionStats | MeanStats): s is ProportionStats => "conversions" in s;

/** Winning or losing only when the comparison is significant; otherwise how far there is to go. */
export function verdict(control: ProportionStats, treatment: ProportionStats, options?: VerdictOptions): Verdict;
export function verdict(control: MeanStats, treatment: MeanStats, options?: VerdictOptions): Verdict;
export function verdict(control: ProportionStats | MeanStats, treatment: ProportionStats | MeanStats, options: VerdictOptions = {}): Verdict {
  const proportions = isProportion(control) && isProportion(treatment);
  const result = proportions ? compareProportions(control, treatment, options) : compareMeans(control as MeanStats, treatment as MeanStats, options);

  if (result.significant) return { status: result.absoluteLift > 0 ? "winning" : "losing", result };

  const powerOptions = { relativeMde: options.relativeMde, alpha: options.alpha, power: options.power };
  const nA = control.users;
  const nB = treatment.users;
  if (result.reason === "invalid_input" || !(nA > 0) || !powerOptionsValid(powerOptions)) {
    return { status: "not_enough_data", result };
  }
  const treatmentShare = nB > 0 ? nB / (nA + nB) : 0.5;
  let needed: SplitSizes;
  if (proportions) {
    const baselineRate = (control as ProportionStats).conversions / nA;
    needed = visitorsNeededForProportionSplit({ ...powerOptions, baselineRate, treatmentShare });
  } else {
    const a = control as MeanStats;
    const b = treatment as MeanStats;
    const dof = Math.max(0, nA - 1) + Math.max(0, nB - 1);
    const variance = dof > 0 ? (Math.max(0, nA - 1) * a.variance + Math.max(0, nB - 1) * b.variance) / dof : a.variance;
    needed = visitorsNeededForMeanSplit({ ...powerOptions, baselineMean: a.mean, variance, treatmentShare });
  }
  if (!Number.isFinite(needed.total)) return { status: "not_enough_data", result };
  return { status: "not_enough_data", visitorsStillNeeded: Math.max(0, needed.total - (nA + nB)), result };
}

// Public API of the experiments domain. The storefront bundle should import
// `~/domain/experiments/assign` directly so it never pulls in the statistics code.
export { bucket, isHoldout, murmur3 } from "./assign";
export {
  EMPTY_MOMENTS,
  addValue,
  addValues,
  mergeMoments,
  momentsToMeanStats,
  proportionToMeanStats,
  sampleVariance,
  sumsToMeanStats,
  type Moments,
} from "./metrics";
export {
  DEFAULT_ALPHA,
  DEFAULT_SEQUENTIAL_TUNING,
  SRM_P_THRESHOLD,
  compareArms,
  compareArmsMeans,
  compareMeans,
  compareProportions,
  sampleRatioMismatch,
} from "./stats";
export {
  powerOptionsValid,
  visitorsNeeded,
  visitorsNeededForMean,
  visitorsNeededForMeanSplit,
  visitorsNeededForProportionSplit,
  type MeanPowerInput,
  type PowerOptions,
  type ProportionPowerInput,
  type SplitSizes,
} from "./power";
export { verdict, type Verdict, type VerdictOptions, type VerdictStatus } from "./verdict";
export type { CompareOptions, ComparisonReason, ComparisonResult, MeanStats, ProportionStats, SampleRatioResult, SequentialOptions } from "./types";

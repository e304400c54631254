import type { LineChartProps } from "@shopify/polaris-viz";

/**
 * The y-axis of a rate chart, scaled to its data. Polaris Viz 16's LineChart takes `yAxisOptions`
 * { labelFormatter, integersOnly, fixedWidth, maxYOverride, ticksOverride } and otherwise scales
 * the axis from 0 (or the lowest value) to the highest value, rounded to nice ticks. Two cases
 * read wrong without help:
 *
 * - every value 0 (no conversions yet): Polaris Viz falls back to a maximum of 10, a 0–1000 %
 *   axis for a rate. `maxYOverride` is the maximum it then uses (it applies only when all values
 *   are 0): `EMPTY_RATE_MAX`, 0–1 %;
 * - a small range (a rate of 0.04 %): ticks 0.01 % apart, which a one-decimal formatter would label
 *   "0.0%" four times. The labels get as many decimals as the tick step needs, and at least those
 *   of the chart's values: Polaris Viz also labels its (hidden) data rows with this formatter.
 *
 * Polaris Viz offers no minimum span for data that is not all 0, so a tiny non-zero range is
 * drawn as it is, labelled to the precision it needs.
 */

/** The top of a rate axis when every value is 0: 1 %. */
export const EMPTY_RATE_MAX = 0.01;

/** Polaris Viz asks d3 for at most one y-axis tick per 80 px of the chart's drawing height. */
const PX_PER_TICK = 80;

/**
 * The power of ten of d3's tick step over `span` with at most `count` ticks: d3 steps are 1, 2 or
 * 5 × 10^k (d3-array's tickIncrement), so that power is all a label's decimals depend on.
 */
function tickPower(span: number, count: number): number {
  const raw = span / count;
  const power = Math.floor(Math.log10(raw));
  return raw / 10 ** power >= Math.sqrt(50) ? power + 1 : power;
}

export interface RateAxis {
  /** For `yAxisOptions.maxYOverride`: the axis maximum when all values are 0, else null. */
  maxYOverride: number | null;
  /** Decimals of the percent labels, enough to tell neighbouring ticks apart. */
  digits: number;
}

/**
 * How to draw the y-axis of rates (0.05 = 5 %), given every value on the chart, its height in px
 * and the decimals its values are shown with (`valueDigits`). The axis Polaris Viz draws covers at
 * least 0 to the highest value in at most ⌈height ÷ 80⌉ ticks, so its tick step is no smaller
 * than d3's step for that span and count: the labels get that step's decimals (a taller axis or
 * fewer ticks only coarsen the step), never fewer than `valueDigits`.
 */
export function rateAxis(values: Array<number | null>, height: number, valueDigits: number): RateAxis {
  const finite = values.filter((v): v is number => v != null && Number.isFinite(v));
  const max = Math.max(0, ...finite);
  const min = Math.min(0, ...finite);
  const allZero = max === 0 && min === 0;
  const span = allZero ? EMPTY_RATE_MAX : max - min;
  const power = tickPower(span * 100, Math.max(1, Math.ceil(height / PX_PER_TICK)));
  return { maxYOverride: allZero ? EMPTY_RATE_MAX : null, digits: Math.min(6, Math.max(valueDigits, -power)) };
}

/** A rate as an axis label: 0.015 with 1 digit → "1.5%". */
export function formatRateTick(rate: number, digits: number): string {
  // ticks come from floating-point steps (0.30000000000000004): round before printing, and no "-0"
  const v = Number((rate * 100).toFixed(digits));
  return `${(v === 0 ? 0 : v).toFixed(digits)}%`;
}

export type YAxisOptions = NonNullable<LineChartProps["yAxisOptions"]>;

/** Polaris Viz's `yAxisOptions` for a chart of rates: `rateAxis`, as the chart takes it. */
export function rateYAxisOptions(values: Array<number | null>, height: number, valueDigits: number): YAxisOptions {
  const { maxYOverride, digits } = rateAxis(values, height, valueDigits);
  return {
    labelFormatter: (v) => formatRateTick(typeof v === "number" ? v : Number(v), digits),
    ...(maxYOverride == null ? {} : { maxYOverride }),
  };
}

/**
 * The analytics chart's y-axis (app/components/analytics/chartAxis.ts) as Polaris Viz 16 draws it:
 * its `useYScale` takes the data's minimum and maximum (0 to 10 when every value is 0, unless
 * `maxYOverride`), a linear d3 scale from min(0, lowest) to max(0, highest), rounded with
 * `nice(n)` and ticked with `ticks(n)`, n = ⌈drawing height ÷ 80⌉. The same d3-scale Polaris Viz
 * imports draws the axis here, for every n a 300 px chart can have.
 */
import { describe, expect, it } from "vitest";
import { EMPTY_RATE_MAX, formatRateTick, rateAxis, rateYAxisOptions } from "~/components/analytics/chartAxis";
import { CHART_HEIGHT } from "~/components/analytics/TimeSeriesChart";

type Scale = { nice(n: number): Scale; ticks(n: number): number[]; copy(): Scale; domain(d: number[]): Scale };
// d3-scale ships no types (Polaris Viz depends on it); a variable specifier keeps tsc out of it.
const d3Scale = "d3-scale";
const { scaleLinear } = (await import(d3Scale)) as { scaleLinear(): Scale };

/** Polaris Viz 16's DEFAULT_MAX_Y: the axis top when all values are 0 and no override is given. */
const POLARIS_EMPTY_MAX = 10;

/**
 * The y-axis labels Polaris Viz 16 draws for these values and options with at most `ticks` ticks
 * (polaris-viz-core's useYScale and shouldRoundScaleUp, the Light theme's vertical overflow).
 */
function drawnAxis(values: Array<number | null>, options: ReturnType<typeof rateYAxisOptions>, ticks: number): string[] {
  const finite = values.filter((v): v is number => v != null);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const top = min === 0 && max === 0 ? (options.maxYOverride ?? POLARIS_EMPTY_MAX) : max;
  const scale = scaleLinear().domain([Math.min(0, min), Math.max(0, top)]);
  const rounded = scale.copy().nice(ticks).ticks(ticks);
  const [secondLast, last] = rounded.slice(-2);
  // rounded up to the next tick only when the top is past half of the last step
  if (top - secondLast > (last - secondLast) / 2) scale.nice(ticks);
  else scale.domain([Math.min(rounded[0], min), Math.max(0, top)]);
  return scale.ticks(ticks).map((t) => String(options.labelFormatter!(t)));
}

const TICK_COUNTS = Array.from({ length: Math.ceil(CHART_HEIGHT / 80) }, (_, i) => i + 1);

describe("the rate chart's y-axis", () => {
  it("runs 0–1 % when every rate is 0, not Polaris Viz's 0–1000 %", () => {
    const values = [0, 0, null, 0, null];
    expect(rateAxis(values, CHART_HEIGHT, 1).maxYOverride).toBe(EMPTY_RATE_MAX);
    const options = rateYAxisOptions(values, CHART_HEIGHT, 1);
    expect(options.maxYOverride).toBe(0.01);
    for (const n of TICK_COUNTS) {
      const labels = drawnAxis(values, options, n);
      expect(labels[0]).toMatch(/^0(\.0+)?%$/);
      expect(labels.at(-1)).toMatch(/^1(\.0+)?%$/);
      expect(new Set(labels).size).toBe(labels.length);
    }
    expect(drawnAxis(values, rateYAxisOptions(values, CHART_HEIGHT, 1), 3)).toEqual(["0.0%", "0.5%", "1.0%"]);
    // what the merchant saw without the override
    expect(drawnAxis(values, { ...options, maxYOverride: undefined }, 3).at(-1)).toBe("1000.0%");
  });

  it("leaves the scale to the data when any rate is above 0", () => {
    expect(rateYAxisOptions([0, 0.2, 0.375], CHART_HEIGHT, 1).maxYOverride).toBeUndefined();
    expect(rateAxis([0, 0.0001], CHART_HEIGHT, 1).maxYOverride).toBeNull();
    expect(drawnAxis([0.25, 0.2, 0.375], rateYAxisOptions([0.25, 0.2, 0.375], CHART_HEIGHT, 1), 4)).toEqual(["0.0%", "10.0%", "20.0%", "30.0%", "40.0%"]);
    // never fewer decimals than the values have (Polaris Viz labels its data rows with it too)
    expect(rateYAxisOptions([0.375], CHART_HEIGHT, 1).labelFormatter!(0.375)).toBe("37.5%");
    expect(rateYAxisOptions([0.375], CHART_HEIGHT, 0).labelFormatter!(0.2)).toBe("20%");
  });

  it("labels a tiny range with enough decimals to tell its ticks apart", () => {
    const values = [0, 0.0001, 0.0004];
    expect(drawnAxis(values, rateYAxisOptions(values, CHART_HEIGHT, 1), 4)).toEqual(["0.00%", "0.01%", "0.02%", "0.03%", "0.04%"]);
    // a fixed one-decimal label, as before: the same "0.0%" five times
    expect(drawnAxis(values, { labelFormatter: (v) => `${(Number(v) * 100).toFixed(1)}%` }, 4)).toEqual(["0.0%", "0.0%", "0.0%", "0.0%", "0.0%"]);
  });

  it("gives distinct labels reaching the top rate, for any top rate and tick count", () => {
    for (let exp = -6; exp <= 0; exp++) {
      for (const mantissa of [1, 1.2, 1.5, 2, 2.5, 2.8, 3, 3.7, 4.5, 5, 5.5, 6, 7.1, 8, 9.99]) {
        const top = Math.min(1, mantissa * 10 ** exp);
        const values = [0, top / 3, top];
        const options = rateYAxisOptions(values, CHART_HEIGHT, 1);
        for (const n of TICK_COUNTS) {
          const labels = drawnAxis(values, options, n);
          const context = `top ${top}, ${n} ticks: ${labels.join(" ")}`;
          expect(new Set(labels).size, context).toBe(labels.length);
          expect(labels.length, context).toBeGreaterThanOrEqual(2);
        }
      }
    }
  });

  it("prints ticks without floating-point noise or a negative zero", () => {
    expect(formatRateTick(0.30000000000000004, 0)).toBe("30%");
    expect(formatRateTick(0.015, 1)).toBe("1.5%");
    expect(formatRateTick(-0.00001, 1)).toBe("0.0%");
    expect(formatRateTick(0, 2)).toBe("0.00%");
  });
});

import { useEffect, useRef } from "react";
import { LineChart, PolarisVizProvider, type DataSeries } from "@shopify/polaris-viz";
import type { YAxisOptions } from "./chartAxis";
import { formatDay } from "./format";

const THEME = "Light";

/** polaris-viz's formatters take `string | number | null`; our keys are ISO dates and values rates. */
const asNumber = (v: string | number | null) => (typeof v === "number" ? v : Number(v));

/**
 * Polaris Viz's line chart in its Light theme, as a picture: `TimeSeriesChart` gives assistive
 * technology the title, a description and the data table, so this drawing is hidden from it
 * (`aria-hidden`) and kept out of the tab order. Polaris Viz 16's own markup does not pass axe:
 * data points are `role="image"` named by a tooltip that exists only while shown, inside an
 * `<svg role="table">`, and the legend is a `role="list"` of buttons. Mouse tooltips still work.
 *
 * Browser only (it measures its box with ResizeObserver): `TimeSeriesChart` loads this module
 * lazily after hydration, so the chart library is not part of the page's first download.
 */
export default function PolarisLineChart({
  data,
  formatValue,
  yAxisOptions,
}: {
  data: DataSeries[];
  formatValue: (n: number) => string;
  /** The y-axis' scale and labels (`rateYAxisOptions`); by default labels by `formatValue`, scale from the data. */
  yAxisOptions?: YAxisOptions;
}) {
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    // Points (tabindex 0) and legend buttons appear as the chart renders and re-renders.
    const untab = () => {
      for (const el of root.querySelectorAll<HTMLElement | SVGElement>('a[href], button, [tabindex]:not([tabindex="-1"])')) {
        if (el.getAttribute("tabindex") !== "-1") el.setAttribute("tabindex", "-1");
      }
    };
    untab();
    const observer = new MutationObserver(untab);
    observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ["tabindex"] });
    return () => observer.disconnect();
  }, []);

  return (
    <div ref={ref} aria-hidden="true" style={{ height: "100%" }}>
      <PolarisVizProvider defaultTheme={THEME}>
        <LineChart
          theme={THEME}
          data={data}
          xAxisOptions={{ labelFormatter: (v) => formatDay(String(v)) }}
          yAxisOptions={yAxisOptions ?? { labelFormatter: (v) => formatValue(asNumber(v)) }}
          tooltipOptions={{
            titleFormatter: (v) => formatDay(String(v)),
            valueFormatter: (v) => (v == null ? "—" : formatValue(asNumber(v))),
          }}
        />
      </PolarisVizProvider>
    </div>
  );
}

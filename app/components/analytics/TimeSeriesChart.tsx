import { useId } from "react";
import { BlockStack, InlineStack, Text } from "@shopify/polaris";
import { formatDay } from "./format";

export interface ChartSeries {
  label: string;
  color: string;
  /** Dashed lines tell series apart without colour. */
  dashed?: boolean;
  /** One value per date; null where there is nothing to show yet. */
  values: Array<number | null>;
}

const WIDTH = 640;
const HEIGHT = 240;
const PAD = { top: 12, right: 16, bottom: 28, left: 56 };

/** A round step (1, 2 or 5 × 10ⁿ) giving about four gridlines up to at least `max`. */
function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / 4;
  const exp = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = ([1, 2, 5, 10].find((m) => m * exp >= raw) ?? 10) * exp;
  return { top: step * Math.ceil(max / step), step };
}

/**
 * A line chart as inline SVG (no chart library installed). Accessible: the SVG is an image with
 * a title and a description that states the latest values; every number is also in a data
 * table behind a disclosure, and series differ by dash pattern as well as colour.
 */
export function TimeSeriesChart({
  title,
  description,
  dates,
  series,
  formatValue,
}: {
  title: string;
  description: string;
  dates: string[];
  series: ChartSeries[];
  formatValue: (n: number) => string;
}) {
  const id = useId();
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v != null && Number.isFinite(v)));
  const { top: max, step } = niceScale(Math.max(0, ...all));
  const x = (i: number) => PAD.left + (dates.length <= 1 ? innerW / 2 : (i / (dates.length - 1)) * innerW);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step);
  const labelEvery = Math.max(1, Math.ceil(dates.length / 6));

  const path = (values: Array<number | null>) => {
    let d = "";
    let pen = false;
    values.forEach((v, i) => {
      if (v == null || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  };

  return (
    <figure style={{ margin: 0 }}>
      <BlockStack gap="200">
        <InlineStack gap="400" wrap>
          {series.map((s) => (
            <InlineStack key={s.label} gap="100" blockAlign="center">
              <svg width="24" height="10" aria-hidden="true">
                <line x1="0" y1="5" x2="24" y2="5" stroke={s.color} strokeWidth="3" strokeDasharray={s.dashed ? "5 3" : undefined} />
              </svg>
              <Text as="span" variant="bodySm">
                {s.label}
              </Text>
            </InlineStack>
          ))}
        </InlineStack>
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          width="100%"
          role="img"
          aria-labelledby={`${id}-title ${id}-desc`}
          style={{ display: "block", maxHeight: 280 }}
        >
          <title id={`${id}-title`}>{title}</title>
          <desc id={`${id}-desc`}>{description}</desc>
          {ticks.map((v) => (
            <g key={v}>
              <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(v)} y2={y(v)} stroke="#e3e3e3" strokeWidth="1" />
              <text x={PAD.left - 8} y={y(v) + 4} textAnchor="end" fontSize="11" fill="#616161">
                {formatValue(v)}
              </text>
            </g>
          ))}
          {dates.map((d, i) =>
            i % labelEvery === 0 || i === dates.length - 1 ? (
              <text key={d} x={x(i)} y={HEIGHT - 8} textAnchor="middle" fontSize="11" fill="#616161">
                {formatDay(d)}
              </text>
            ) : null,
          )}
          {series.map((s) => (
            <path
              key={s.label}
              d={path(s.values)}
              fill="none"
              stroke={s.color}
              strokeWidth="2.5"
              strokeLinejoin="round"
              strokeDasharray={s.dashed ? "6 4" : undefined}
            />
          ))}
        </svg>
        <details>
          <summary style={{ cursor: "pointer" }}>
            <Text as="span" variant="bodySm">
              Show the numbers
            </Text>
          </summary>
          <div style={{ overflowX: "auto" }}>
            <table style={{ borderCollapse: "collapse", fontSize: 12, marginTop: 8 }}>
              <caption style={{ textAlign: "left", padding: "4px 0" }}>{title}</caption>
              <thead>
                <tr>
                  <th scope="col" style={{ textAlign: "left", padding: "2px 8px" }}>
                    Day
                  </th>
                  {series.map((s) => (
                    <th key={s.label} scope="col" style={{ textAlign: "right", padding: "2px 8px" }}>
                      {s.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {dates.map((d, i) => (
                  <tr key={d}>
                    <th scope="row" style={{ textAlign: "left", padding: "2px 8px", fontWeight: 400 }}>
                      {d}
                    </th>
                    {series.map((s) => (
                      <td key={s.label} style={{ textAlign: "right", padding: "2px 8px" }}>
                        {s.values[i] == null ? "—" : formatValue(s.values[i] as number)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </BlockStack>
    </figure>
  );
}

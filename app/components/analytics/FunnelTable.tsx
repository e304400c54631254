import { DataTable } from "@shopify/polaris";
import type { FunnelRow } from "~/services/analytics.server";
import { formatCount, formatPercent } from "./format";

const TIER_LABELS: Record<FunnelRow["tier"], string> = {
  high: "High intent (cart, checkout)",
  mid: "Mid intent (repeat views, return visits)",
  low: "Low intent (browsing)",
  unknown: "Tier not recorded",
  all: "All tiers",
};

function Bar({ share, label }: { share: number; label: string }) {
  const pct = Math.max(0, Math.min(1, share)) * 100;
  return (
    <span style={{ display: "inline-flex", alignItems: "center", gap: 8, justifyContent: "flex-end" }}>
      <span aria-hidden="true" style={{ display: "inline-block", width: 60, height: 6, background: "#e3e3e3", borderRadius: 3 }}>
        <span style={{ display: "block", width: `${pct}%`, height: 6, background: "#2c6ecb", borderRadius: 3 }} />
      </span>
      <span>{label}</span>
    </span>
  );
}

/** Overlay events shown to treated visitors by intent tier: impressions → clicks → conversions. */
export function FunnelTable({ rows }: { rows: FunnelRow[] }) {
  const shown = rows.filter((r) => r.tier === "all" || r.impressions + r.clicks + r.conversions > 0);
  return (
    <DataTable
      columnContentTypes={["text", "numeric", "numeric", "numeric"]}
      headings={["Intent tier", "Impressions", "Clicks (of impressions)", "Conversions (of clicks)"]}
      rows={shown.map((r) => [
        TIER_LABELS[r.tier],
        formatCount(r.impressions),
        <Bar
          key="c"
          share={r.impressions ? r.clicks / r.impressions : 0}
          label={`${formatCount(r.clicks)} · ${formatPercent(r.impressions ? r.clicks / r.impressions : 0, 1)}`}
        />,
        <Bar
          key="v"
          share={r.clicks ? r.conversions / r.clicks : 0}
          label={`${formatCount(r.conversions)} · ${formatPercent(r.clicks ? r.conversions / r.clicks : 0, 1)}`}
        />,
      ])}
    />
  );
}

import { Banner, BlockStack, Layout } from "@shopify/polaris";
import type { ExperimentRow } from "~/services/analytics.server";
import { formatCount, formatPercent } from "./format";

/** Why the last CSV export failed. */
export function ExportErrorBanner({ error, onDismiss }: { error: string | null; onDismiss: () => void }) {
  if (!error) return null;
  return (
    <Layout.Section>
      <Banner tone="critical" onDismiss={onDismiss}>
        {error}
      </Banner>
    </Layout.Section>
  );
}

/** Triggers and flows whose holdout share is off from the one set (a sample ratio mismatch). */
export function SplitWarnings({ mismatches }: { mismatches: ExperimentRow[] }) {
  if (mismatches.length === 0) return null;
  return (
    <Layout.Section>
      <Banner tone="warning" title="Some splits are off: don’t trust these results yet">
        <BlockStack gap="100">
          {mismatches.map((r) => (
            <p key={`${r.kind}-${r.id}`}>
              <strong>{r.name}</strong>: {formatPercent(r.srm.observedControlShare, 1)} of {r.kind === "flow" ? "runs" : "visitors"} are in the holdout, but it
              is set to {formatPercent(r.srm.expectedControlShare, 0)} (p {r.srm.pValue < 0.0001 ? "< 0.0001" : `= ${r.srm.pValue.toFixed(4)}`}). Usually the
              tracker misses one group (a theme or consent change) or the holdout was changed during the test.
            </p>
          ))}
        </BlockStack>
      </Banner>
    </Layout.Section>
  );
}

/** Visitors left out of the comparison because they were seen in both arms. */
export function MixedUsersNotice({ triggers }: { triggers: ExperimentRow[] }) {
  const mixed = triggers.filter((r) => r.mixedUsers > 0);
  if (mixed.length === 0) return null;
  const n = mixed.reduce((s, r) => s + r.mixedUsers, 0);
  return (
    <Layout.Section>
      <Banner tone="info">
        {n === 1 ? "1 visitor was" : `${formatCount(n)} visitors were`} seen both with and without an overlay (its holdout changed during the range) and{" "}
        {n === 1 ? "is" : "are"} left out of the comparison.
      </Banner>
    </Layout.Section>
  );
}

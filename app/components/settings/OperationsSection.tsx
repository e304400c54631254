import { useEffect, useRef } from "react";
import { useFetcher } from "@remix-run/react";
import { BlockStack, Button, Card, InlineStack, Layout, Text } from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { timeAgo } from "~/components/format";
import type { SettingsActionData } from "./values";

/** A fetcher for the page's one-off commands (publish, retry failed jobs), each answer told in a toast. */
function useOpsFetcher() {
  const shopify = useAppBridge();
  const ops = useFetcher<SettingsActionData>();
  const handled = useRef<unknown>(null);
  useEffect(() => {
    const r = ops.data;
    if (ops.state !== "idle" || !r || r === handled.current) return;
    handled.current = r;
    if (!r.ok) shopify.toast.show(r.error ?? "That didn't work", { isError: true });
    else if (r.intent === "retry-dead-jobs") shopify.toast.show(`${r.count} job${r.count === 1 ? "" : "s"} queued again`);
    else if (r.intent === "publish") shopify.toast.show("Published to your storefront");
  }, [ops.state, ops.data, shopify]);
  const running = (intent: string) => ops.state !== "idle" && ops.formData?.get("intent") === intent;
  const run = (intent: string) => ops.submit({ intent }, { method: "post" });
  return { running, run };
}

/** Background work: publishing the storefront config, and retrying jobs that failed for good. */
export function OperationsSection({ publishedAt, deadJobs }: { publishedAt: string | null; deadJobs: number }) {
  const { running, run } = useOpsFetcher();
  return (
    <Layout.AnnotatedSection id="operations" title="Operations" description="Background work for your store.">
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center">
            <BlockStack gap="050">
              <Text as="h3" variant="headingSm">
                Storefront publishing
              </Text>
              <Text as="p" tone="subdued">
                {publishedAt ? `Last published ${timeAgo(publishedAt)}` : "Not published yet"}
              </Text>
            </BlockStack>
            <Button loading={running("publish")} onClick={() => run("publish")}>
              Publish now
            </Button>
          </InlineStack>
          <InlineStack align="space-between" blockAlign="center">
            <BlockStack gap="050">
              <Text as="h3" variant="headingSm">
                Failed jobs
              </Text>
              <Text as="p" tone={deadJobs > 0 ? "critical" : "subdued"}>
                {deadJobs === 0 ? "None. Every background job finished." : `${deadJobs} job${deadJobs === 1 ? "" : "s"} failed after every retry.`}
              </Text>
            </BlockStack>
            {deadJobs > 0 && (
              <Button loading={running("retry-dead-jobs")} onClick={() => run("retry-dead-jobs")}>
                Retry
              </Button>
            )}
          </InlineStack>
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}

import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, List, Box, Button, Card, Divider, Icon, InlineGrid, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { authenticate } from "~/shopify.server";
import { getEnv } from "~/env.server";
import db from "~/db.server";
import { getOnboarding, getShopSettings } from "~/models/shop.server";
import { getShopSummary, rangeForDays } from "~/services/analytics.server";
import { embedActivationUrl, getEmbedStatus } from "~/services/embed-status.server";
import { PublishBanner } from "~/components/PublishBanner";
import { AdminErrorBoundary } from "~/components/RouteErrorBoundary";
import { ArrowRightIcon, CheckCircleIcon, CircleIcon } from "~/components/icons";
import { count, formatMoney, formatNumber, formatRate } from "~/components/format";
import { deliveryProblems } from "~/models/webhook-delivery.server";
import { deliveryProblemSentence } from "~/components/webhook-labels";
import { staleTriggers } from "~/models/trigger.server";
import { ReviewReminder } from "~/components/ReviewReminder";

export const meta: MetaFunction = () => [{ title: "Home · Intentful" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const shop = session.shop;
  await getShopSettings(db, shop);
  const [onboarding, embed, metrics, problems, stale] = await Promise.all([
    getOnboarding(db, shop),
    getEmbedStatus(admin),
    getShopSummary(db, shop, rangeForDays(30)),
    deliveryProblems(db, shop, new Date(Date.now() - 24 * 3_600_000)),
    staleTriggers(db, shop),
  ]);
  return {
    shop,
    embed,
    embedUrl: embedActivationUrl(shop, getEnv().SHOPIFY_API_KEY),
    onboarding,
    metrics,
    problems: problems.map((p) => ({ sentence: deliveryProblemSentence(p.topic, p.outcome, p.count), reason: p.lastReason })),
    staleTriggers: stale.map((t) => ({ id: t.id, name: t.name, updatedAt: t.updatedAt.toISOString() })),
  };
};

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

export default function Home() {
  const { embed, embedUrl, onboarding, metrics, problems, staleTriggers } = useLoaderData<typeof loader>();
  return (
    <Page>
      <TitleBar title="Intentful" />
      <BlockStack gap="500">
        <PublishBanner />
        {problems.length > 0 && <DeliveryProblemsBanner problems={problems} />}
        <ReviewReminder triggers={staleTriggers} />
        <Layout>
          <Layout.Section>
            <BlockStack gap="500">
              <EmbedCard embed={embed} url={embedUrl} />
              <Checklist embedOn={embed.state === "on"} onboarding={onboarding} embedUrl={embedUrl} />
            </BlockStack>
          </Layout.Section>
          <Layout.Section>
            <BlockStack gap="400">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingLg">
                  Last 30 days
                </Text>
                <Button url="/app/analytics" variant="plain">
                  View analytics
                </Button>
              </InlineStack>
              <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                <IncrementalCard metrics={metrics} />
                <RecoveryCard metrics={metrics} />
              </InlineGrid>
              <FunnelCard metrics={metrics} />
            </BlockStack>
          </Layout.Section>
        </Layout>
      </BlockStack>
    </Page>
  );
}

/** Webhook deliveries of the last 24 hours that were not applied: the platform sent what we could not use. */
function DeliveryProblemsBanner({ problems }: { problems: Data["problems"] }) {
  return (
    <Banner
      tone="critical"
      title="Some of Shopify's notifications to Intentful were not applied in the last 24 hours"
      action={{ content: "See deliveries", url: "/app/settings#deliveries" }}
    >
      <List>
        {problems.map((p) => (
          <List.Item key={p.sentence}>
            {p.sentence}
            {p.reason ? `: ${p.reason}` : ""}
          </List.Item>
        ))}
      </List>
    </Banner>
  );
}

function EmbedCard({ embed, url }: { embed: Data["embed"]; url: string }) {
  const theme = embed.themeName ? `your live theme (${embed.themeName})` : "your live theme";
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            App embed
          </Text>
          {embed.state === "on" ? (
            <Badge tone="success">On</Badge>
          ) : embed.state === "off" ? (
            <Badge tone="critical">Off</Badge>
          ) : (
            <Badge tone="attention">Status unknown</Badge>
          )}
        </InlineStack>
        <Text as="p">
          {embed.state === "on"
            ? `Intentful is running on ${theme}: it watches shopper intent and shows your active triggers.`
            : embed.state === "off"
              ? `Intentful's app embed is off in ${theme}, so shoppers see no overlays and no events are recorded. Turn it on in the theme editor, then click Save there.`
              : `We could not read ${theme}'s settings (${"reason" in embed ? embed.reason : "no answer"}). Check the app embed in the theme editor.`}
        </Text>
        <InlineStack>
          <Button url={url} target="_top" variant={embed.state === "on" ? "secondary" : "primary"}>
            {embed.state === "on" ? "Manage in theme editor" : "Turn on in theme editor"}
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

function Checklist({ embedOn, onboarding, embedUrl }: { embedOn: boolean; onboarding: Data["onboarding"]; embedUrl: string }) {
  const steps: SetupStep[] = [
    {
      done: embedOn,
      title: "Turn on the app embed",
      body: "Adds Intentful's lightweight script to your storefront theme.",
      action: { content: "Open theme editor", url: embedUrl, target: "_top" as const },
    },
    {
      done: onboarding.firstTriggerOn,
      title: "Turn on your first trigger",
      body: "Start from a template such as the cart reminder on exit.",
      action: { content: "Go to triggers", url: "/app/triggers" },
    },
    {
      done: onboarding.senderEmailSet,
      title: "Set your sender email",
      body: "Recovery emails go out under your store's name and address.",
      action: { content: "Open settings", url: "/app/settings" },
    },
    {
      done: onboarding.firstFlowOn,
      title: "Turn on a recovery flow",
      body: "Win back abandoned checkouts with a timed series of emails.",
      action: { content: "Go to recovery flows", url: "/app/flows" },
    },
  ];
  const done = steps.filter((s) => s.done).length;
  if (done === steps.length) return null;
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Set up Intentful
          </Text>
          <InlineStack gap="300" blockAlign="center" wrap={false}>
            <Text as="p" tone="subdued">
              {done} of {steps.length} tasks complete
            </Text>
            <div style={{ flex: 1 }}>
              <ProgressBar progress={(done / steps.length) * 100} size="small" tone="primary" />
            </div>
          </InlineStack>
        </BlockStack>
        <ol style={{ listStyle: "none", margin: 0, padding: 0 }} aria-label="Setup tasks">
          {steps.map((s, i) => (
            <ChecklistStep key={s.title} step={s} first={i === 0} />
          ))}
        </ol>
      </BlockStack>
    </Card>
  );
}

interface SetupStep {
  done: boolean;
  title: string;
  body: string;
  action: { content: string; url: string; target?: "_top" };
}

function ChecklistStep({ step: s, first }: { step: SetupStep; first: boolean }) {
  return (
    <li>
      {!first && <Divider />}
      <Box paddingBlock="300">
        <InlineStack gap="300" align="space-between" blockAlign="center" wrap={false}>
          <InlineStack gap="300" blockAlign="start" wrap={false}>
            <span aria-hidden="true">
              <Icon source={s.done ? CheckCircleIcon : CircleIcon} tone={s.done ? "success" : "subdued"} />
            </span>
            <BlockStack gap="050">
              <Text as="h3" variant="headingSm" tone={s.done ? "subdued" : undefined}>
                {s.title}
                <Text as="span" visuallyHidden>
                  {s.done ? " (done)" : " (to do)"}
                </Text>
              </Text>
              {!s.done && (
                <Text as="p" tone="subdued">
                  {s.body}
                </Text>
              )}
            </BlockStack>
          </InlineStack>
          {!s.done && (
            <Button url={s.action.url} target={s.action.target}>
              {s.action.content}
            </Button>
          )}
        </InlineStack>
      </Box>
    </li>
  );
}

function Stat({ label, value, help }: { label: string; value: string; help?: string }) {
  return (
    <BlockStack gap="100">
      <Text as="p" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingXl">
        {value}
      </Text>
      {help && (
        <Text as="p" variant="bodySm" tone="subdued">
          {help}
        </Text>
      )}
    </BlockStack>
  );
}

function IncrementalCard({ metrics }: { metrics: Data["metrics"] }) {
  const o = metrics.overlays;
  const money = (c: number) => formatMoney(c, metrics.currency);
  const noHoldout = o.holdoutVisitors === 0;
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h3" variant="headingMd">
            Incremental impact of overlays
          </Text>
          <Text as="p" tone="subdued">
            Orders and revenue above what the holdout group (shoppers who saw nothing) predicts.
          </Text>
        </BlockStack>
        <InlineGrid columns={2} gap="400">
          <Stat
            label="Incremental conversions"
            value={noHoldout ? "—" : formatSignedNumber(Math.round(o.incrementalConversions))}
            help={`${count(o.attributedOrders, "order")} from ${count(o.exposedVisitors, "shopper")} shown an overlay`}
          />
          <Stat
            label="Incremental revenue"
            value={noHoldout ? "—" : money(Math.round(o.incrementalRevenueCents))}
            help={`Against ${count(o.holdoutVisitors, "shopper")} in holdouts`}
          />
        </InlineGrid>
        {noHoldout && (
          <Text as="p" tone="subdued">
            No holdout shoppers yet. Lift appears once triggers with a holdout have been seen.
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

function RecoveryCard({ metrics }: { metrics: Data["metrics"] }) {
  const f = metrics.flows;
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h3" variant="headingMd">
            Checkout recovery
          </Text>
          <Text as="p" tone="subdued">
            Orders credited to a recovery flow within your {metrics.attributionWindowDays}-day attribution window.
          </Text>
        </BlockStack>
        <InlineGrid columns={2} gap="400">
          <Stat
            label="Recovered checkouts"
            value={formatNumber(f.recoveredCheckouts)}
            help={`${count(f.messagesSent, "email")} sent to ${count(f.runs, "shopper")}`}
          />
          <Stat
            label="Recovered revenue"
            value={formatMoney(f.recoveredRevenueCents, metrics.currency)}
            help={
              f.holdoutRuns > 0
                ? `${formatMoney(Math.round(f.incrementalRevenueCents), metrics.currency)} above the flow holdout`
                : "No flow holdout to compare with"
            }
          />
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}

function FunnelCard({ metrics }: { metrics: Data["metrics"] }) {
  const o = metrics.funnel;
  const steps = [
    { label: "Impressions", value: o.impressions, rate: null as string | null },
    { label: "Clicks", value: o.clicks, rate: formatRate(o.clicks, o.impressions) },
    { label: "Conversions", value: o.conversions, rate: formatRate(o.conversions, o.impressions) },
  ];
  const max = Math.max(1, o.impressions);
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h3" variant="headingMd">
            Overlay funnel
          </Text>
          <Text as="p" tone="subdued">
            Overlays shown, clicked, and the orders that followed (counted per event, not per shopper).
          </Text>
        </BlockStack>
        <InlineGrid columns={{ xs: 1, sm: 3 }} gap="400">
          {steps.map((s, i) => (
            <BlockStack gap="200" key={s.label}>
              <InlineStack gap="200" blockAlign="center" wrap={false}>
                {i > 0 && (
                  <span aria-hidden="true">
                    <Icon source={ArrowRightIcon} tone="subdued" />
                  </span>
                )}
                <Stat
                  label={s.label}
                  value={formatNumber(s.value)}
                  help={i === 0 ? "Overlays shown" : o.impressions > 0 ? `${s.rate} of impressions` : "No impressions yet"}
                />
              </InlineStack>
              <div aria-hidden="true">
                <ProgressBar progress={(s.value / max) * 100} size="small" tone="highlight" />
              </div>
            </BlockStack>
          ))}
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}

function formatSignedNumber(n: number): string {
  return `${n > 0 ? "+" : n < 0 ? "−" : ""}${formatNumber(Math.abs(n))}`;
}

export function ErrorBoundary() {
  return <AdminErrorBoundary />;
}

import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Layout, Page } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { authenticate } from "~/shopify.server";
import { getEnv } from "~/env.server";
import { adminQuery } from "~/services/admin-graphql.server";
import { publishRules } from "~/services/publish.server";
import { deadJobCount, getShopSettings, parseSettings, retryDeadJobs, updateShopSettings, type ShopSettings } from "~/models/shop.server";
import { staleTriggers } from "~/models/trigger.server";
import { ReviewReminder } from "~/components/ReviewReminder";
import { PublishBanner } from "~/components/PublishBanner";
import { AdminErrorBoundary } from "~/components/RouteErrorBoundary";
import { EditorSaveBar } from "~/components/editor/EditorSaveBar";
import { CapsSection } from "~/components/settings/CapsSection";
import { DataSection } from "~/components/settings/DataSection";
import { DeliveriesSection } from "~/components/settings/DeliveriesSection";
import { OperationsSection } from "~/components/settings/OperationsSection";
import { SenderSection } from "~/components/settings/SenderSection";
import { BrandSection } from "~/components/settings/BrandSection";
import { refreshShopifyBrand, storefrontClient } from "~/services/email/brand.server";
import { SettingsErrors } from "~/components/settings/SettingsErrors";
import { SignupsSection } from "~/components/settings/SignupsSection";
import { TimingSection } from "~/components/settings/TimingSection";
import { useSettingsForm } from "~/components/settings/useSettingsForm";
import { SETTINGS_FIELDS, type MailTransport, type SettingsValues } from "~/components/settings/values";
import { recentDeliveries } from "~/models/webhook-delivery.server";
import { SUBSCRIBED_TOPICS } from "~/services/webhooks/topics.server";
import db from "~/db.server";

const SHOP_INFO = `#graphql
  query IntentfulShopInfo {
    shop { name email currencyCode ianaTimezone myshopifyDomain }
  }`;

function toValues(s: ShopSettings): SettingsValues {
  const out = {} as SettingsValues;
  for (const f of SETTINGS_FIELDS) {
    const v = s[f];
    out[f] = v === null || v === undefined ? "" : String(v);
  }
  return out;
}

function mailTransport(): MailTransport {
  const url = getEnv().SMTP_URL;
  if (!url) return { kind: "outbox" };
  try {
    const u = new URL(url);
    return { kind: "smtp", host: `${u.hostname}${u.port ? `:${u.port}` : ""}` };
  } catch {
    return { kind: "smtp", host: "configured" };
  }
}

export const meta: MetaFunction = () => [{ title: "Settings · Intentful" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const shop = session.shop;
  const settings = await getShopSettings(db, shop);
  const [dead, stale, shopInfo, deliveries, shopifyBrand] = await Promise.all([
    deadJobCount(db, shop),
    staleTriggers(db, shop),
    adminQuery<{ shop: { ianaTimezone: string; email: string; name: string } }>(admin, SHOP_INFO).then(
      (d) => d.shop,
      () => null,
    ),
    recentDeliveries(db, shop, SUBSCRIBED_TOPICS),
    refreshShopifyBrand(db, shop, () => storefrontClient(shop)).catch(() => ({})),
  ]);
  return json({
    deliveries: deliveries.map((d) => ({ id: d.webhookId, topic: d.topic, outcome: d.outcome, reason: d.reason, receivedAt: d.receivedAt.toISOString() })),
    values: toValues(settings),
    publishedAt: settings.publishedAt?.toISOString() ?? null,
    deadJobs: dead,
    staleTriggers: stale.map((t) => ({ id: t.id, name: t.name, enabled: t.enabled, updatedAt: t.updatedAt.toISOString() })),
    transport: mailTransport(),
    shopTimezone: shopInfo?.ianaTimezone ?? null,
    shopName: shopInfo?.name ?? null,
    shopifyBrand,
    timezones: Intl.supportedValuesOf("timeZone"),
  });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const shop = session.shop;
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "save");
  await getShopSettings(db, shop);

  if (intent === "publish") {
    const result = await publishRules(db, shop, admin);
    return json(result.ok ? { ok: true as const, intent } : { ok: false as const, intent, error: result.error });
  }
  if (intent === "retry-dead-jobs") {
    const count = await retryDeadJobs(db, shop);
    return json({ ok: true as const, intent, count });
  }
  if (intent !== "save") return json({ ok: false as const, intent, error: `Unknown action "${intent}"` }, { status: 400 });

  const input: Record<string, unknown> = {};
  for (const f of SETTINGS_FIELDS) {
    const v = form.get(f);
    if (typeof v === "string") input[f] = v;
  }
  const parsed = parseSettings(input);
  if (!parsed.valid) return json({ ok: false as const, intent, errors: parsed.errors }, { status: 422 });
  const saved = await updateShopSettings(db, shop, parsed.data);
  // overlaysPerSession and channelGapHours are part of the storefront config.
  const result = await publishRules(db, shop, admin);
  return json({
    ok: true as const,
    intent,
    values: toValues(saved),
    publish: result.ok ? { ok: true as const } : { ok: false as const, error: result.error },
  });
};

export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const form = useSettingsForm(data.values);
  return (
    <Page>
      <TitleBar title="Settings" />
      <EditorSaveBar id="settings-save-bar" open={form.dirty || form.saving} saving={form.saving} onSave={form.save} onDiscard={form.discard} />
      <BlockStack gap="500">
        <PublishBanner />
        <SettingsErrors errors={form.errors} />
        <ReviewReminder triggers={data.staleTriggers} />
        <Layout>
          <SenderSection form={form} shopName={data.shopName} transport={data.transport} />
          <BrandSection form={form} shopify={data.shopifyBrand} />
          <SignupsSection form={form} />
          <TimingSection form={form} timezones={data.timezones} shopTimezone={data.shopTimezone} />
          <CapsSection form={form} />
          <DataSection form={form} />
          <OperationsSection publishedAt={data.publishedAt} deadJobs={data.deadJobs} />
          <DeliveriesSection deliveries={data.deliveries} />
        </Layout>
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary />;
}

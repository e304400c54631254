import { useEffect, useMemo, useRef, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, FormLayout, InlineStack, Layout, List, Page, Select, Text, TextField } from "@shopify/polaris";
import { SaveBar, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { authenticate } from "~/shopify.server";
import { getEnv } from "~/env.server";
import { adminQuery } from "~/services/admin-graphql.server";
import { publishRules } from "~/services/publish.server";
import { deadJobCount, getShopSettings, parseSettings, retryDeadJobs, updateShopSettings, type ShopSettings } from "~/models/shop.server";
import { staleTriggers } from "~/models/trigger.server";
import { ReviewReminder } from "~/components/ReviewReminder";
import { PublishBanner } from "~/components/PublishBanner";
import { AdminErrorBoundary } from "~/components/RouteErrorBoundary";
import { timeAgo } from "~/components/format";
import { recentDeliveries } from "~/models/webhook-delivery.server";
import { SUBSCRIBED_TOPICS } from "~/services/webhooks/topics.server";
import { deliveryNoun, OUTCOME_LABELS } from "~/components/webhook-labels";
import db from "~/db.server";

const SHOP_INFO = `#graphql
  query IntentfulShopInfo {
    shop { name email currencyCode ianaTimezone myshopifyDomain }
  }`;

const FIELDS = [
  "senderName",
  "senderEmail",
  "replyTo",
  "timezone",
  "quietHoursStart",
  "quietHoursEnd",
  "overlaysPerSession",
  "channelGapHours",
  "emailsPerWindow",
  "emailWindowHours",
  "attributionWindowDays",
  "retentionDays",
  "optIn",
] as const;
type Field = (typeof FIELDS)[number];
type Values = Record<Field, string>;

function toValues(s: ShopSettings): Values {
  const out = {} as Values;
  for (const f of FIELDS) {
    const v = s[f];
    out[f] = v === null || v === undefined ? "" : String(v);
  }
  return out;
}

function mailTransport(): { kind: "smtp"; host: string } | { kind: "outbox" } {
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
  const [settings, dead, stale, shopInfo, deliveries] = await Promise.all([
    getShopSettings(db, shop),
    deadJobCount(db, shop),
    staleTriggers(db, shop),
    adminQuery<{ shop: { ianaTimezone: string; email: string; name: string } }>(admin, SHOP_INFO).then(
      (d) => d.shop,
      () => null,
    ),
    recentDeliveries(db, shop, SUBSCRIBED_TOPICS),
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
  for (const f of FIELDS) {
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

type ActionData = {
  ok: boolean;
  intent: string;
  error?: string;
  errors?: Record<string, string>;
  values?: Values;
  count?: number;
  publish?: { ok: boolean; error?: string };
};

const HOURS = [{ value: "", label: "Off" }, ...Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: `${String(h).padStart(2, "0")}:00` }))];

export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const shopify = useAppBridge();
  const saver = useFetcher<ActionData>({ key: "save-settings" });
  const ops = useFetcher<ActionData>();
  const [baseline, setBaseline] = useState<Values>(data.values);
  const [values, setValues] = useState<Values>(data.values);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const handled = useRef<unknown>(null);
  const handledOps = useRef<unknown>(null);
  const dirty = useMemo(() => JSON.stringify(values) !== JSON.stringify(baseline), [values, baseline]);
  const saving = saver.state !== "idle";

  useEffect(() => {
    const r = saver.data;
    if (saver.state !== "idle" || !r || r === handled.current) return;
    handled.current = r;
    if (!r.ok) {
      setErrors(r.errors ?? {});
      shopify.toast.show(r.error ?? "Fix the highlighted fields to save", { isError: true });
      return;
    }
    setErrors({});
    if (r.values) {
      setBaseline(r.values);
      setValues(r.values);
    }
    if (r.publish && !r.publish.ok) shopify.toast.show("Settings saved, but publishing to your storefront failed. We'll retry.", { isError: true });
    else shopify.toast.show("Settings saved");
  }, [saver.state, saver.data, shopify]);

  useEffect(() => {
    const r = ops.data;
    if (ops.state !== "idle" || !r || r === handledOps.current) return;
    handledOps.current = r;
    if (!r.ok) shopify.toast.show(r.error ?? "That didn't work", { isError: true });
    else if (r.intent === "retry-dead-jobs") shopify.toast.show(`${r.count} job${r.count === 1 ? "" : "s"} queued again`);
    else if (r.intent === "publish") shopify.toast.show("Published to your storefront");
  }, [ops.state, ops.data, shopify]);

  const set = (f: Field) => (v: string) => {
    setValues((s) => ({ ...s, [f]: v }));
    setErrors((e) => {
      if (!(f in e)) return e;
      const { [f]: _removed, ...rest } = e;
      return rest;
    });
  };
  const save = () => saver.submit({ intent: "save", ...values }, { method: "post" });
  const discard = () => {
    setValues(baseline);
    setErrors({});
  };
  const field = (f: Field, label: string, extra: Partial<React.ComponentProps<typeof TextField>> = {}) => (
    <TextField label={label} name={f} value={values[f]} onChange={set(f)} error={errors[f]} autoComplete="off" {...extra} />
  );
  const timezoneOptions = useMemo(() => {
    const list = data.timezones.includes(values.timezone) ? data.timezones : [values.timezone, ...data.timezones];
    return list.map((tz) => ({ value: tz, label: tz.replace(/_/g, " ") }));
  }, [data.timezones, values.timezone]);
  const errorCount = Object.keys(errors).length;

  return (
    <Page>
      <TitleBar title="Settings" />
      <SaveBar id="settings-save-bar" open={dirty || saving}>
        <button variant="primary" onClick={save} disabled={saving}>
          {saving ? "Saving…" : "Save"}
        </button>
        <button onClick={discard} disabled={saving}>
          Discard
        </button>
      </SaveBar>
      <BlockStack gap="500">
        <PublishBanner />
        {errorCount > 0 && (
          <Banner tone="critical" title={errorCount === 1 ? "There is 1 error in your settings" : `There are ${errorCount} errors in your settings`}>
            <List>
              {Object.entries(errors).map(([f, m]) => (
                <List.Item key={f}>{m}</List.Item>
              ))}
            </List>
          </Banner>
        )}
        <ReviewReminder triggers={data.staleTriggers} />
        <Layout>
          <Layout.AnnotatedSection
            id="sender"
            title="Sender"
            description="Recovery emails go out under this name and address. Use an address on a domain you've set up for sending (SPF and DKIM)."
          >
            <Card>
              <BlockStack gap="400">
                <FormLayout>
                  {field("senderName", "Sender name", { placeholder: data.shopName ?? "Your store", maxLength: 80 })}
                  <FormLayout.Group>
                    {field("senderEmail", "Sender email", { type: "email", placeholder: "hello@yourstore.com" })}
                    {field("replyTo", "Reply-to address", { type: "email", helpText: "Optional. Replies go here." })}
                  </FormLayout.Group>
                </FormLayout>
                <InlineStack gap="200" blockAlign="center">
                  <Text as="span" fontWeight="semibold">
                    Mail transport
                  </Text>
                  {data.transport.kind === "smtp" ? (
                    <>
                      <Badge tone="success">SMTP configured</Badge>
                      <Text as="span" tone="subdued">
                        {data.transport.host}
                      </Text>
                    </>
                  ) : (
                    <>
                      <Badge tone="attention">Outbox only</Badge>
                      <Text as="span" tone="subdued">
                        Emails are stored, not sent. Set SMTP_URL to send them.
                      </Text>
                    </>
                  )}
                </InlineStack>
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection id="signups" title="Email sign-ups" description="How an email address given in an overlay becomes a subscriber.">
            <Card>
              <Select
                label="Opt-in"
                name="optIn"
                options={[
                  { label: "Double opt-in (recommended)", value: "double" },
                  { label: "Single opt-in", value: "single" },
                ]}
                value={values.optIn || "double"}
                onChange={set("optIn")}
                error={errors.optIn}
                helpText={
                  values.optIn === "single"
                    ? "Addresses count as subscribed as soon as they are given. Anyone can type anyone's address into a storefront form, so someone may receive your emails who never asked for them."
                    : "A confirmation email comes first; the address is subscribed (confirmed opt-in in Shopify) and gets cart and browse reminders only once its owner follows the link. Anyone can type anyone's address into a form: this keeps your emails to people who asked for them, and your sender reputation clean."
                }
              />
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="timing"
            title="Time zone and quiet hours"
            description="No recovery email is sent during quiet hours; it waits until they end."
          >
            <Card>
              <FormLayout>
                <Select
                  label="Time zone"
                  name="timezone"
                  options={timezoneOptions}
                  value={values.timezone}
                  onChange={set("timezone")}
                  error={errors.timezone}
                  helpText={
                    data.shopTimezone && data.shopTimezone !== values.timezone ? (
                      <InlineStack gap="100" blockAlign="center">
                        <span>Your store uses {data.shopTimezone.replace(/_/g, " ")}.</span>
                        <Button variant="plain" onClick={() => set("timezone")(data.shopTimezone!)}>
                          Use it
                        </Button>
                      </InlineStack>
                    ) : data.shopTimezone ? (
                      "Same as your store."
                    ) : undefined
                  }
                />
                <FormLayout.Group condensed>
                  <Select
                    label="Quiet hours start"
                    name="quietHoursStart"
                    options={HOURS}
                    value={values.quietHoursStart}
                    onChange={set("quietHoursStart")}
                    error={errors.quietHoursStart}
                  />
                  <Select
                    label="Quiet hours end"
                    name="quietHoursEnd"
                    options={HOURS}
                    value={values.quietHoursEnd}
                    onChange={set("quietHoursEnd")}
                    error={errors.quietHoursEnd}
                  />
                </FormLayout.Group>
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="caps"
            title="Frequency caps"
            description="Limits across all triggers and flows, on top of each trigger's own caps, so no shopper is flooded."
          >
            <Card>
              <FormLayout>
                {field("overlaysPerSession", "Overlays per visit", {
                  type: "number",
                  min: 0,
                  max: 10,
                  helpText: "At most this many overlays (shown or held out) per shopper visit. 0 turns overlays off.",
                })}
                <FormLayout.Group condensed>
                  {field("emailsPerWindow", "Emails per shopper", { type: "number", min: 1, max: 10, suffix: "emails" })}
                  {field("emailWindowHours", "Within", { type: "number", min: 1, max: 168, suffix: "hours" })}
                </FormLayout.Group>
                <Text as="p" variant="bodySm" tone="subdued">
                  Counts emails from every recovery flow together.
                </Text>
                {field("channelGapHours", "Time between an overlay and an email", {
                  type: "number",
                  min: 0,
                  max: 72,
                  suffix: "hours",
                  helpText:
                    "One budget across channels: a recovery email waits this long after the shopper was shown an overlay, and a shopper a recovery email brought back sees no overlay for this long (unless a trigger allows it). 0 turns this off.",
                })}
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection id="data" title="Measurement and data" description="How orders are credited, and how long shopper data is kept.">
            <Card>
              <FormLayout>
                {field("attributionWindowDays", "Attribution window", {
                  type: "number",
                  min: 1,
                  max: 30,
                  suffix: "days",
                  helpText: "An order counts for an overlay or email seen this many days before it. Default 5.",
                })}
                {field("retentionDays", "Data retention", {
                  type: "number",
                  min: 30,
                  max: 1095,
                  suffix: "days",
                  helpText: "Storefront events, carts and checkouts older than this are deleted.",
                })}
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection id="operations" title="Operations" description="Background work for your store.">
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center">
                  <BlockStack gap="050">
                    <Text as="h3" variant="headingSm">
                      Storefront publishing
                    </Text>
                    <Text as="p" tone="subdued">
                      {data.publishedAt ? `Last published ${timeAgo(data.publishedAt)}` : "Not published yet"}
                    </Text>
                  </BlockStack>
                  <Button
                    loading={ops.state !== "idle" && ops.formData?.get("intent") === "publish"}
                    onClick={() => ops.submit({ intent: "publish" }, { method: "post" })}
                  >
                    Publish now
                  </Button>
                </InlineStack>
                <InlineStack align="space-between" blockAlign="center">
                  <BlockStack gap="050">
                    <Text as="h3" variant="headingSm">
                      Failed jobs
                    </Text>
                    <Text as="p" tone={data.deadJobs > 0 ? "critical" : "subdued"}>
                      {data.deadJobs === 0
                        ? "None. Every background job finished."
                        : `${data.deadJobs} job${data.deadJobs === 1 ? "" : "s"} failed after every retry.`}
                    </Text>
                  </BlockStack>
                  {data.deadJobs > 0 && (
                    <Button
                      loading={ops.state !== "idle" && ops.formData?.get("intent") === "retry-dead-jobs"}
                      onClick={() => ops.submit({ intent: "retry-dead-jobs" }, { method: "post" })}
                    >
                      Retry
                    </Button>
                  )}
                </InlineStack>
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>

          <Layout.AnnotatedSection
            id="deliveries"
            title="Webhook deliveries"
            description="The latest notifications Shopify sent about carts, checkouts, orders and your shop, and what Intentful did with each."
          >
            <Card>
              <DeliveryList deliveries={data.deliveries} />
            </Card>
          </Layout.AnnotatedSection>
        </Layout>
      </BlockStack>
    </Page>
  );
}

function DeliveryList({ deliveries }: { deliveries: Array<{ id: string; topic: string; outcome: string; reason: string | null; receivedAt: string }> }) {
  if (deliveries.length === 0) {
    return (
      <Text as="p" tone="subdued">
        No deliveries yet. They arrive when shoppers start carts and checkouts and place orders.
      </Text>
    );
  }
  return (
    <BlockStack gap="200">
      {deliveries.map((d) => {
        const label = OUTCOME_LABELS[d.outcome] ?? { label: d.outcome };
        return (
          <BlockStack key={d.id} gap="050">
            <InlineStack gap="200" blockAlign="center" wrap={false}>
              <Badge tone={label.tone}>{label.label}</Badge>
              <Text as="span" variant="bodyMd">
                {deliveryNoun(d.topic, 1).replace(/^./, (c) => c.toUpperCase())}
              </Text>
              <Text as="span" tone="subdued">
                {timeAgo(d.receivedAt)}
              </Text>
            </InlineStack>
            {d.reason && (
              <Text as="p" tone={label.tone === "critical" ? "critical" : "subdued"} breakWord>
                {d.reason}
              </Text>
            )}
          </BlockStack>
        );
      })}
    </BlockStack>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary />;
}

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Card,
  Checkbox,
  ChoiceList,
  FormLayout,
  InlineStack,
  Layout,
  List,
  Page,
  RangeSlider,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { SaveBar, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { authenticate } from "~/shopify.server";
import {
  conditionsSchema,
  contentSchema,
  CONTENT_KINDS,
  DEVICES,
  frequencyCapSchema,
  LAYOUTS,
  PAGE_TYPES,
  parseTriggerInput,
  segmentSchema,
  SOURCES,
  TIERS,
  TRIGGER_TYPES,
} from "~/domain/triggers";
import { getTrigger, updateTrigger, type TriggerRecord } from "~/models/trigger.server";
import { getShopSettings } from "~/models/shop.server";
import { publishRules } from "~/services/publish.server";
import { Switch } from "~/components/Switch";
import { PublishBanner } from "~/components/PublishBanner";
import { OverlayPreview } from "~/components/OverlayPreview";
import { AdminErrorBoundary } from "~/components/RouteErrorBoundary";
import { buildInput, FIELDS, PER_PERIOD_ON, previewContent, SCHEDULE_ON, toFormValues, type FormValue, type FormValues } from "~/components/trigger-form";
import {
  CONTENT_LABELS,
  DAY_OPTIONS,
  DEVICE_LABELS,
  END_HOUR_OPTIONS,
  LAYOUT_LABELS,
  PAGE_LABELS,
  SCHEDULE_HELP,
  SOURCE_LABELS,
  START_HOUR_OPTIONS,
  TIER_LABELS,
  TYPE_HELP,
  TYPE_LABELS,
} from "~/components/trigger-labels";
import db from "~/db.server";

/** The stored row with every JSON column filled with the schema's defaults (raw where it doesn't validate). */
function formValuesOf(t: TriggerRecord): FormValues {
  const fill = <T,>(schema: { safeParse(v: unknown): { success: boolean; data?: T } }, v: unknown) => {
    const r = schema.safeParse(v ?? {});
    return r.success ? r.data : v;
  };
  return toFormValues({
    name: t.name,
    type: t.type,
    enabled: t.enabled,
    priority: t.priority,
    holdoutPct: t.holdoutPct,
    conditions: fill(conditionsSchema, t.conditions),
    segment: fill(segmentSchema, t.segment),
    content: fill(contentSchema, t.content),
    frequencyCap: fill(frequencyCapSchema, t.frequencyCap),
  });
}

function currencySymbol(currency: string): string {
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).formatToParts(0).find((p) => p.type === "currency")?.value ?? currency;
  } catch {
    return currency;
  }
}

const notFound = () => new Response("Trigger not found", { status: 404, statusText: "Not Found" });

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${String(data.values.name || "Trigger")} · Triggers · Intentful` : "Trigger not found · Intentful" },
];

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const trigger = await getTrigger(db, session.shop, params.id ?? "");
  if (!trigger) throw notFound();
  const settings = await getShopSettings(db, session.shop);
  return json({ id: trigger.id, values: formValuesOf(trigger), currency: settings.currency, currencySymbol: currencySymbol(settings.currency) });
};

async function readBody(request: Request): Promise<unknown> {
  const type = request.headers.get("Content-Type") ?? "";
  if (type.includes("application/json")) return request.json();
  const form = await request.formData();
  const raw = form.get("trigger");
  if (typeof raw !== "string") throw new Error("missing trigger");
  return JSON.parse(raw);
}

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const shop = session.shop;
  const id = params.id ?? "";
  if (!(await getTrigger(db, shop, id))) throw notFound();
  let body: unknown;
  try {
    body = await readBody(request);
  } catch {
    return json({ ok: false as const, errors: { "": "The form could not be read. Reload the page and try again." } }, { status: 400 });
  }
  const parsed = parseTriggerInput(body);
  if (!parsed.valid) return json({ ok: false as const, errors: parsed.errors }, { status: 422 });
  await getShopSettings(db, shop);
  if (!(await updateTrigger(db, shop, id, parsed.data))) throw notFound();
  const result = await publishRules(shop, admin);
  const saved = await getTrigger(db, shop, id);
  if (!saved) throw notFound();
  return json({
    ok: true as const,
    values: formValuesOf(saved),
    publish: result.ok ? { ok: true as const, live: saved.enabled && !result.skipped.some((s) => s.id === id) } : { ok: false as const, error: result.error },
  });
};

type ActionData =
  { ok: false; errors: Record<string, string> } | { ok: true; values: FormValues; publish: { ok: true; live: boolean } | { ok: false; error: string } };

const options = (values: readonly string[], labels: Record<string, string>) => values.map((value) => ({ value, label: labels[value] ?? value }));

export default function TriggerEditor() {
  const data = useLoaderData<typeof loader>();
  const shopify = useAppBridge();
  const navigate = useNavigate();
  const fetcher = useFetcher<ActionData>({ key: `save-trigger-${data.id}` });
  const [baseline, setBaseline] = useState<FormValues>(data.values);
  const [values, setValues] = useState<FormValues>(data.values);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const handled = useRef<unknown>(null);

  const dirty = useMemo(() => JSON.stringify(values) !== JSON.stringify(baseline), [values, baseline]);
  const saving = fetcher.state !== "idle";

  useEffect(() => {
    const result = fetcher.data;
    if (fetcher.state !== "idle" || !result || result === handled.current) return;
    handled.current = result;
    if (!result.ok) {
      setErrors(result.errors);
      const n = Object.keys(result.errors).length;
      shopify.toast.show(n === 1 ? "Fix 1 error to save" : `Fix ${n} errors to save`, { isError: true });
      return;
    }
    setErrors({});
    setBaseline(result.values);
    setValues(result.values);
    if (!result.publish.ok) shopify.toast.show("Saved, but publishing to your storefront failed. We'll retry.", { isError: true });
    else shopify.toast.show(result.publish.live ? "Trigger saved and live" : "Trigger saved");
  }, [fetcher.state, fetcher.data, shopify]);

  const setValue = useCallback((path: string, value: FormValue) => {
    setValues((v) => ({ ...v, [path]: value }));
    setErrors((e) => {
      // (ticking or unticking the schedule box settles the schedule's own errors too)
      const prefix = path === SCHEDULE_ON ? "conditions.schedule" : path;
      const stale = Object.keys(e).filter((k) => k === path || k === prefix || k.startsWith(`${prefix}.`));
      if (stale.length === 0) return e;
      const rest = { ...e };
      for (const k of stale) delete rest[k];
      return rest;
    });
  }, []);

  const save = () => fetcher.submit(buildInput(values) as never, { method: "post", encType: "application/json" });
  const discard = () => {
    setValues(baseline);
    setErrors({});
  };

  const str = (path: string) => String(values[path] ?? "");
  const bool = (path: string) => values[path] === true;
  const list = (path: string) => (Array.isArray(values[path]) ? (values[path] as string[]) : []);
  /** The field's own message, else the first about a part of it ("conditions.schedule.days.0"). */
  const err = (path: string) => errors[path] ?? Object.entries(errors).find(([k]) => k.startsWith(`${path}.`))?.[1];

  const text = (path: string, label: string, extra: Partial<React.ComponentProps<typeof TextField>> = {}) => (
    <TextField label={label} value={str(path)} onChange={(v) => setValue(path, v)} error={err(path)} autoComplete="off" name={path} {...extra} />
  );
  const num = (path: string, label: string, extra: Partial<React.ComponentProps<typeof TextField>> = {}) =>
    text(path, label, { type: "number", inputMode: "numeric", ...extra });
  const money = (path: string, label: string, extra: Partial<React.ComponentProps<typeof TextField>> = {}) =>
    text(path, label, { type: "text", inputMode: "decimal", prefix: data.currencySymbol, placeholder: "0.00", ...extra });
  const select = (path: string, label: string, opts: Array<{ value: string; label: string }>, helpText?: string) => (
    <Select label={label} options={opts} value={str(path)} onChange={(v) => setValue(path, v)} error={err(path)} helpText={helpText} name={path} />
  );
  const check = (path: string, label: string, helpText?: string) => (
    <Checkbox label={label} checked={bool(path)} onChange={(v) => setValue(path, v)} error={err(path)} helpText={helpText} />
  );
  const choices = (path: string, title: string, opts: Array<{ value: string; label: string }>, helpText?: string) => (
    <BlockStack gap="100">
      <ChoiceList allowMultiple title={title} choices={opts} selected={list(path)} onChange={(v) => setValue(path, v)} error={err(path)} />
      {helpText && (
        <Text as="p" variant="bodySm" tone="subdued">
          {helpText}
        </Text>
      )}
    </BlockStack>
  );

  const type = str("type");
  const kind = str("content.kind");
  const content = useMemo(() => previewContent(values), [values]);
  const order = Object.keys(FIELDS);
  const errorList = Object.entries(errors).sort(([a], [b]) => rank(order, a) - rank(order, b));

  return (
    <Page>
      <TitleBar title={str("name") || "Trigger"}>
        <button variant="breadcrumb" onClick={() => navigate("/app/triggers")}>
          Triggers
        </button>
      </TitleBar>
      <SaveBar id="trigger-save-bar" open={dirty || saving}>
        <button variant="primary" onClick={save} disabled={saving}>
          {saving ? "Saving…" : "Save"}
        </button>
        <button onClick={discard} disabled={saving}>
          Discard
        </button>
      </SaveBar>
      <BlockStack gap="400">
        <PublishBanner />
        {errorList.length > 0 && (
          <Banner
            tone="critical"
            title={errorList.length === 1 ? "There is 1 error with this trigger" : `There are ${errorList.length} errors with this trigger`}
          >
            <List>
              {errorList.map(([path, message]) => (
                <List.Item key={path}>{message}</List.Item>
              ))}
            </List>
          </Banner>
        )}
        <Layout>
          <Layout.Section>
            <BlockStack gap="400">
              <Card>
                <BlockStack gap="400">
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="h2" variant="headingMd">
                      Trigger
                    </Text>
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="span" tone={bool("enabled") ? "success" : "subdued"} id="enabled-label">
                        {bool("enabled") ? "Active" : "Off"}
                      </Text>
                      <Switch checked={bool("enabled")} label="Trigger active" onChange={(v) => setValue("enabled", v)} />
                    </InlineStack>
                  </InlineStack>
                  <FormLayout>
                    {text("name", "Name", { maxLength: 80, showCharacterCount: true, helpText: "Only you see this name." })}
                    {select("type", "Fires on", options(TRIGGER_TYPES, TYPE_LABELS), TYPE_HELP[type])}
                  </FormLayout>
                </BlockStack>
              </Card>

              <Card>
                <BlockStack gap="400">
                  <Text as="h2" variant="headingMd">
                    Content
                  </Text>
                  <FormLayout>
                    <FormLayout.Group>
                      {select("content.kind", "Overlay shows", options(CONTENT_KINDS, CONTENT_LABELS))}
                      {select("content.layout", "Layout", options(LAYOUTS, LAYOUT_LABELS))}
                    </FormLayout.Group>
                    {text("content.headline", "Headline", { maxLength: 100, showCharacterCount: true })}
                    {text("content.body", "Text", { multiline: 3, maxLength: 300, showCharacterCount: true })}
                    {text("content.button", "Button text", {
                      maxLength: 40,
                      helpText: "Leave empty for the default for this overlay, in the shopper's language.",
                    })}
                    {kind === "cart_reminder" && (
                      <>
                        <Text as="p" tone="subdued">
                          Products: the shopper's cart.
                        </Text>
                        {check("content.showCheckout", "Show a checkout button")}
                      </>
                    )}
                    {kind === "recently_viewed" && (
                      <>
                        <Text as="p" tone="subdued">
                          Products: the ones this shopper viewed, newest first.
                        </Text>
                        {num("content.limit", "Products shown", { min: 1, max: 8 })}
                      </>
                    )}
                    {kind === "recommendations" && (
                      <FormLayout.Group>
                        {select(
                          "content.intent",
                          "Product source",
                          [
                            { value: "related", label: "Related products" },
                            { value: "complementary", label: "Complementary products (Search & Discovery)" },
                          ],
                          "Shopify's recommendations for the product being viewed.",
                        )}
                        {num("content.limit", "Products shown", { min: 1, max: 10 })}
                      </FormLayout.Group>
                    )}
                    {kind === "email_capture" && (
                      <>
                        {text("content.consentLabel", "Consent text", { helpText: "Leave empty for the default, in the shopper's language." })}
                        {check("content.requireConsent", "Require the consent box to be ticked")}
                        {text("content.successText", "Thank-you text")}
                        {text("content.code", "Discount code after sign-up", {
                          helpText: "Optional. Create the code in Shopify Discounts; Intentful shows it.",
                        })}
                      </>
                    )}
                    {kind === "discount_reveal" &&
                      text("content.code", "Discount code", { helpText: "Create the code in Shopify Discounts first; Intentful reveals it." })}
                    {kind === "message" &&
                      text("content.url", "Link", {
                        placeholder: "/collections/all",
                        helpText: "A page of your store (starting with /) or an https:// address.",
                      })}
                  </FormLayout>
                </BlockStack>
              </Card>

              <Card>
                <BlockStack gap="400">
                  <Text as="h2" variant="headingMd">
                    Conditions
                  </Text>
                  <FormLayout>
                    {choices("conditions.pageTypes", "Pages", options(PAGE_TYPES, PAGE_LABELS), "Leave all unticked to allow every page.")}
                    {select("conditions.minTier", "Minimum shopper intent", options(TIERS, TIER_LABELS))}
                    <FormLayout.Group condensed>
                      {num("conditions.minSeconds", "Time on page", { suffix: "seconds", min: 0 })}
                      {num("conditions.scrollPct", "Scroll depth", { suffix: "%", min: 0, max: 100 })}
                      {num("conditions.minPages", "Pages this visit", { min: 0 })}
                    </FormLayout.Group>
                    <FormLayout.Group condensed>
                      {num("conditions.minProductViews", "Views of the product", { min: 0 })}
                      {num("conditions.minCartItems", "Items in cart (at least)", { min: 0 })}
                      {money("conditions.maxCartCents", "Cart value below", { helpText: "Empty: no limit" })}
                    </FormLayout.Group>
                    <FormLayout.Group condensed>
                      {num("conditions.minDaysAway", "Days since last visit", { min: 0, helpText: "Returning shoppers only when above 0" })}
                      {type === "inactivity" ? num("conditions.idleSec", "Inactive for", { suffix: "seconds", min: 5 }) : null}
                    </FormLayout.Group>
                  </FormLayout>
                  {type === "exit_intent" && (
                    <BlockStack gap="300">
                      <Text as="h3" variant="headingSm">
                        Exit intent detection
                      </Text>
                      <FormLayout>
                        <FormLayout.Group condensed>
                          {num("conditions.exit.topZonePx", "Exit zone height (desktop)", { suffix: "px", min: 5, max: 100 })}
                          {num("conditions.exit.minDwellMs", "Not before", { suffix: "ms on the page", min: 0 })}
                          {num("conditions.exit.ignoreLeftPct", "Ignore left edge", { suffix: "%", min: 0, max: 30 })}
                        </FormLayout.Group>
                        {check("conditions.exit.scrollUp", "Mobile: a fast scroll up counts as leaving")}
                        {check("conditions.exit.tabReturn", "Leaving the tab and coming back counts")}
                        {num("conditions.exit.idleSec", "Mobile: inactivity counts as leaving after", {
                          suffix: "seconds",
                          min: 0,
                          helpText: "0 turns this off.",
                        })}
                        {check("conditions.exit.backTrap", "Mobile: catch the back button once", "Some shoppers find this intrusive; off by default.")}
                      </FormLayout>
                    </BlockStack>
                  )}
                </BlockStack>
              </Card>

              <Card>
                <BlockStack gap="400">
                  <Text as="h2" variant="headingMd">
                    Schedule
                  </Text>
                  <FormLayout>
                    {check(SCHEDULE_ON, "Only show at certain times", bool(SCHEDULE_ON) ? undefined : "Off: any day, any time.")}
                    {bool(SCHEDULE_ON) && (
                      <>
                        {choices("conditions.schedule.days", "Days", DAY_OPTIONS)}
                        <FormLayout.Group condensed>
                          {select("conditions.schedule.startHour", "From", START_HOUR_OPTIONS)}
                          {select("conditions.schedule.endHour", "Until", END_HOUR_OPTIONS)}
                        </FormLayout.Group>
                        <Text as="p" variant="bodySm" tone="subdued">
                          {SCHEDULE_HELP}
                        </Text>
                      </>
                    )}
                  </FormLayout>
                </BlockStack>
              </Card>

              <Card>
                <BlockStack gap="400">
                  <Text as="h2" variant="headingMd">
                    Audience
                  </Text>
                  <FormLayout>
                    <FormLayout.Group condensed>
                      {select("segment.visitor", "Visitors", [
                        { value: "any", label: "New and returning" },
                        { value: "new", label: "New visitors" },
                        { value: "returning", label: "Returning visitors" },
                      ])}
                      {select("segment.purchaser", "Purchase history", [
                        { value: "any", label: "Anyone" },
                        { value: "first_time", label: "Not purchased yet" },
                        { value: "repeat", label: "Repeat customers" },
                      ])}
                      {select("segment.discount", "Discount sensitivity", [
                        { value: "any", label: "Anyone" },
                        { value: "sensitive", label: "Discount seekers" },
                        { value: "not_sensitive", label: "Full-price shoppers" },
                      ])}
                    </FormLayout.Group>
                    <FormLayout.Group>
                      {money("segment.minCartCents", "Cart value at least", { helpText: "Today's cart. Empty: any cart value" })}
                      {money("segment.minAovCents", "Average order value at least", {
                        helpText: "From past orders: a logged-in customer's, or a shopper who gave their email here. Empty: anyone",
                      })}
                    </FormLayout.Group>
                    <FormLayout.Group>
                      {choices("segment.devices", "Devices", options(DEVICES, DEVICE_LABELS), "None ticked: all devices.")}
                      {choices("segment.sources", "Traffic sources", options(SOURCES, SOURCE_LABELS), "None ticked: all sources.")}
                    </FormLayout.Group>
                    {text("segment.countries", "Countries", {
                      placeholder: "US, CA, GB",
                      helpText: "Two-letter codes, separated by commas. Empty: all countries.",
                    })}
                  </FormLayout>
                </BlockStack>
              </Card>

              <Card>
                <BlockStack gap="400">
                  <Text as="h2" variant="headingMd">
                    Frequency and testing
                  </Text>
                  <FormLayout>
                    {num("frequencyCap.perSession", "Times per visit", { min: 0, max: 20, helpText: "0: no limit per visit." })}
                    {check(PER_PERIOD_ON, "Limit how often a shopper sees it across visits")}
                    {bool(PER_PERIOD_ON) && (
                      <FormLayout.Group condensed>
                        {num("frequencyCap.perPeriod.count", "At most", { suffix: "times", min: 1 })}
                        {num("frequencyCap.perPeriod.days", "Every", { suffix: "days", min: 1 })}
                      </FormLayout.Group>
                    )}
                    {check("frequencyCap.stopAfterConversion", "Stop showing after the shopper buys")}
                    {check("frequencyCap.stopAfterDismiss", "Stop showing after the shopper closes it")}
                    {check(
                      "frequencyCap.afterEmail",
                      "Show it even right after a recovery email brought the shopper back",
                      "Otherwise it waits for the time between an overlay and an email set in Settings.",
                    )}
                    <RangeSlider
                      label="Holdout"
                      min={0}
                      max={50}
                      step={1}
                      value={Number(str("holdoutPct")) || 0}
                      onChange={(v) => setValue("holdoutPct", String(v))}
                      output
                      suffix={<Text as="span" numeric>{`${str("holdoutPct") || 0}%`}</Text>}
                      error={err("holdoutPct")}
                      helpText="This share of shoppers who would see the overlay see nothing instead, so you can measure the lift it causes. 10% is a good start."
                    />
                    {num("priority", "Priority", {
                      min: 0,
                      max: 1000,
                      helpText: "When several triggers fire at once, the highest priority wins.",
                    })}
                  </FormLayout>
                </BlockStack>
              </Card>
            </BlockStack>
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <div style={{ position: "sticky", top: "1rem" }}>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Preview
                  </Text>
                  <OverlayPreview content={content} currency={data.currency} />
                  <Text as="p" variant="bodySm" tone="subdued">
                    Drawn by the same code your storefront runs, with sample products. Colors and fonts follow the app embed's settings in the theme editor.
                  </Text>
                </BlockStack>
              </Card>
            </div>
          </Layout.Section>
        </Layout>
      </BlockStack>
    </Page>
  );
}

function rank(order: string[], path: string): number {
  const i = order.findIndex((f) => f === path || f.startsWith(`${path}.`) || path.startsWith(`${f}.`));
  return i < 0 ? order.length : i;
}

export function ErrorBoundary() {
  return <AdminErrorBoundary resource="trigger" backUrl="/app/triggers" backLabel="Back to triggers" />;
}

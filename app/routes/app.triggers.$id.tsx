import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData, useNavigate } from "@remix-run/react";
import { BlockStack, Layout, Page } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { authenticate } from "~/shopify.server";
import { conditionsSchema, contentSchema, frequencyCapSchema, parseTriggerInput, segmentSchema } from "~/domain/triggers";
import { getTrigger, updateTrigger, type TriggerRecord } from "~/models/trigger.server";
import { getShopSettings } from "~/models/shop.server";
import { publishRules } from "~/services/publish.server";
import { getPreviewLook } from "~/services/theme-settings.server";
import { PublishBanner } from "~/components/PublishBanner";
import { AdminErrorBoundary } from "~/components/RouteErrorBoundary";
import { toFormValues, type FormValues } from "~/components/trigger-form";
import { EditorSaveBar } from "~/components/editor/EditorSaveBar";
import { AudienceCard } from "~/components/triggers/AudienceCard";
import { ConditionsCard } from "~/components/triggers/ConditionsCard";
import { ContentCard } from "~/components/triggers/ContentCard";
import { triggerFields } from "~/components/triggers/fields";
import { FrequencyCard } from "~/components/triggers/FrequencyCard";
import { ScheduleCard } from "~/components/triggers/ScheduleCard";
import { TriggerErrors } from "~/components/triggers/TriggerErrors";
import { TriggerPreview } from "~/components/triggers/TriggerPreview";
import { TriggerStatusCard } from "~/components/triggers/TriggerStatusCard";
import { useTriggerForm } from "~/components/triggers/useTriggerForm";
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
  const { session, admin } = await authenticate.admin(request);
  // the preview's look: the live theme's app embed settings (cached per shop; never throws)
  const look = getPreviewLook(admin, session.shop);
  const trigger = await getTrigger(db, session.shop, params.id ?? "");
  if (!trigger) throw notFound();
  const settings = await getShopSettings(db, session.shop);
  return json({
    id: trigger.id,
    values: formValuesOf(trigger),
    currency: settings.currency,
    currencySymbol: currencySymbol(settings.currency),
    look: await look,
  });
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
  const result = await publishRules(db, shop, admin);
  const saved = await getTrigger(db, shop, id);
  if (!saved) throw notFound();
  return json({
    ok: true as const,
    values: formValuesOf(saved),
    publish: result.ok ? { ok: true as const, live: saved.enabled && !result.skipped.some((s) => s.id === id) } : { ok: false as const, error: result.error },
  });
};

export default function TriggerEditor() {
  const data = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const form = useTriggerForm(data);
  const f = triggerFields(form.values, form.errors, form.setValue, data.currencySymbol);

  return (
    // fullWidth: the preview column then holds a storefront-sized slide-in (380 px) and the 375 px phone unscaled
    <Page fullWidth>
      <TitleBar title={f.str("name") || "Trigger"}>
        <button variant="breadcrumb" onClick={() => navigate("/app/triggers")}>
          Triggers
        </button>
      </TitleBar>
      <EditorSaveBar id="trigger-save-bar" open={form.dirty || form.saving} saving={form.saving} onSave={form.save} onDiscard={form.discard} />
      <BlockStack gap="400">
        <PublishBanner />
        <TriggerErrors errors={form.errors} />
        <div className="if-editor">
          <Layout>
            <Layout.Section>
              <BlockStack gap="400">
                <TriggerStatusCard f={f} />
                <ContentCard f={f} />
                <ConditionsCard f={f} />
                <ScheduleCard f={f} />
                <AudienceCard f={f} />
                <FrequencyCard f={f} />
              </BlockStack>
            </Layout.Section>
            <Layout.Section variant="oneThird">
              <TriggerPreview values={form.values} currency={data.currency} look={data.look} />
            </Layout.Section>
          </Layout>
        </div>
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary resource="trigger" backUrl="/app/triggers" backLabel="Back to triggers" />;
}

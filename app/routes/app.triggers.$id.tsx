import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate } from "@remix-run/react";
import { useCallback, useState } from "react";
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
import { addArm, armIds, armPath, removeArm, toFormValues, type FormValues } from "~/components/trigger-form";
import { VariantsCard } from "~/components/triggers/VariantsCard";
import { armLabel } from "~/domain/experiments/variants";
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
    // the A/B arms, each variant's content filled like the trigger's own
    variants: Array.isArray(t.variants)
      ? t.variants.map((a) =>
          a && typeof a === "object" && !Array.isArray(a) && a.content !== undefined ? { ...a, content: fill(contentSchema, a.content) } : a,
        )
      : null,
    autoPromote: t.autoPromote,
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
    testStartedAt: trigger.testStartedAt?.toISOString() ?? null,
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
    testStartedAt: saved.testStartedAt?.toISOString() ?? null,
    publish: result.ok ? { ok: true as const, live: saved.enabled && !result.skipped.some((s) => s.id === id) } : { ok: false as const, error: result.error },
  });
};

/** Adding or removing a variant renumbers the arms: their old errors no longer point at the right one. */
const withoutVariantErrors = (e: Record<string, string>) =>
  Object.fromEntries(Object.entries(e).filter(([k]) => k !== "variants" && !k.startsWith("variants.")));

/** The saved test's start: the loader's, then the last save's answer (the same fetcher the form saves with). */
function useTestStart(loaded: string | null): string | null {
  const { id } = useLoaderData<typeof loader>();
  const saved = useFetcher<typeof action>({ key: `save-trigger-${id}` });
  const data = saved.data as { ok: boolean; testStartedAt?: string | null } | undefined;
  return data?.ok && data.testStartedAt !== undefined ? data.testStartedAt : loaded;
}

export default function TriggerEditor() {
  const data = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const form = useTriggerForm(data);
  const f = triggerFields(form.values, form.errors, form.setValue, data.currencySymbol);
  // the A/B variant the content card edits and the preview shows (0 = A, the trigger's own content)
  const [selected, setSelected] = useState(0);
  const arms = armIds(form.values);
  const arm = arms.length >= 2 ? Math.min(selected, arms.length - 1) : 0;
  const content = arm > 0 ? triggerFields(form.values, form.errors, form.setValue, data.currencySymbol, (p) => armPath(arm, p)) : f;
  const testStartedAt = useTestStart(data.testStartedAt);
  const { setValues, setErrors } = form;
  const addVariant = useCallback(() => {
    const next = addArm(form.values, arm);
    setValues(next.values);
    setErrors((e) => withoutVariantErrors(e));
    setSelected(next.arm);
  }, [form.values, arm, setValues, setErrors]);
  const removeVariant = useCallback(
    (i: number) => {
      setValues((v) => removeArm(v, i));
      setErrors((e) => withoutVariantErrors(e));
      setSelected((s) => (s >= i ? Math.max(0, s - 1) : s));
    },
    [setValues, setErrors],
  );

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
                <VariantsCard
                  f={f}
                  errors={form.errors}
                  arm={arm}
                  testStartedAt={testStartedAt}
                  onSelect={setSelected}
                  onAdd={addVariant}
                  onRemove={removeVariant}
                />
                <ContentCard f={content} title={arms.length >= 2 ? `Content: variant ${armLabel(arm)}` : "Content"} />
                <ConditionsCard f={f} />
                <ScheduleCard f={f} />
                <AudienceCard f={f} />
                <FrequencyCard f={f} />
              </BlockStack>
            </Layout.Section>
            <Layout.Section variant="oneThird">
              <TriggerPreview values={form.values} currency={data.currency} look={data.look} arm={arm} onSelectArm={setSelected} />
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

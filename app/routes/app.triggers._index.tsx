import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { BlockStack, Page, Text } from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { authenticate } from "~/shopify.server";
import { TEMPLATE_KEYS, templateInfo, triggerTemplates, type TemplateKey } from "~/domain/triggers";
import { armsOf } from "~/domain/experiments/variants";
import { createTriggerFromTemplate, deleteTrigger, duplicateTrigger, listTriggers, setTriggerEnabled, staleTriggers } from "~/models/trigger.server";
import { ReviewReminder } from "~/components/ReviewReminder";
import db from "~/db.server";
import { getAnalytics, rangeForDays } from "~/services/analytics.server";
import { getShopSettings } from "~/models/shop.server";
import { publishRules, type PublishResult } from "~/services/publish.server";
import { PublishBanner } from "~/components/PublishBanner";
import { AdminErrorBoundary } from "~/components/RouteErrorBoundary";
import { describeLift } from "~/components/format";
import { DeleteTriggerModal } from "~/components/triggers/DeleteTriggerModal";
import type { TriggerListItem } from "~/components/triggers/list";
import { TEMPLATE_PICKER, TemplatePicker } from "~/components/triggers/TemplatePicker";
import { TriggerTable } from "~/components/triggers/TriggerTable";

const STATS_DAYS = 30;

export const meta: MetaFunction = () => [{ title: "Triggers · Intentful" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  await getShopSettings(db, shop);
  // The same figures as the analytics page: exposed visitors per arm, orders credited within the
  // attribution window, always-valid (sequential) intervals so a daily look is safe.
  const [triggers, analytics, stale] = await Promise.all([
    listTriggers(db, shop),
    getAnalytics(db, shop, { ...rangeForDays(STATS_DAYS), sequential: true }),
    staleTriggers(db, shop),
  ]);
  const stats = new Map(analytics.triggers.map((r) => [r.id, r]));
  return json({
    triggers: triggers.map((t) => {
      const s = stats.get(t.id);
      return {
        id: t.id,
        name: t.name,
        type: t.type,
        kind: (t.content as { kind?: string } | null)?.kind ?? "",
        enabled: t.enabled,
        holdoutPct: t.holdoutPct,
        /** arms of a running A/B test (0: none) */
        variants: armsOf(t.variants)?.length ?? 0,
        impressions: s?.treatment.users ?? 0,
        controls: s?.control.users ?? 0,
        lift: describeLift(s && s.control.users > 0 ? s.conversion : null),
      };
    }),
    templates: TEMPLATE_KEYS.map((key) => ({ key, ...templateInfo[key], content: triggerTemplates[key].content })),
    staleTriggers: stale.map((t) => ({ id: t.id, name: t.name, updatedAt: t.updatedAt.toISOString() })),
  });
};

/** What the page needs to know about a publish: whether it worked, and whether a trigger was left out. */
function publishSummary(result: PublishResult) {
  return result.ok ? { ok: true as const, skipped: result.skipped.map((s) => s.id) } : { ok: false as const, error: result.error };
}

const notFound = () => json({ ok: false as const, error: "Trigger not found" }, { status: 404 });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin, redirect } = await authenticate.admin(request);
  const shop = session.shop;
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const id = String(form.get("id") ?? "");
  await getShopSettings(db, shop);

  if (intent === "create") {
    const template = String(form.get("template") ?? "");
    if (!(TEMPLATE_KEYS as readonly string[]).includes(template)) {
      return json({ ok: false as const, error: "Choose a template", errors: { template: "Choose a template" } }, { status: 400 });
    }
    const created = await createTriggerFromTemplate(db, shop, template as TemplateKey);
    return redirect(`/app/triggers/${created.id}`);
  }
  if (intent === "toggle") {
    const enabled = String(form.get("enabled") ?? "");
    if (enabled !== "true" && enabled !== "false") {
      return json({ ok: false as const, error: "Say whether the trigger is on", errors: { enabled: "Must be true or false" } }, { status: 400 });
    }
    if (!(await setTriggerEnabled(db, shop, id, enabled === "true"))) return notFound();
    const publish = publishSummary(await publishRules(db, shop, admin));
    return json({ ok: true as const, intent, id, enabled: enabled === "true", publish });
  }
  if (intent === "duplicate") {
    const copy = await duplicateTrigger(db, shop, id);
    if (!copy) return notFound();
    return redirect(`/app/triggers/${copy.id}`);
  }
  if (intent === "delete") {
    if (!(await deleteTrigger(db, shop, id))) return notFound();
    const publish = publishSummary(await publishRules(db, shop, admin));
    return json({ ok: true as const, intent, id, publish });
  }
  return json({ ok: false as const, error: `Unknown action "${intent}"` }, { status: 400 });
};

export default function TriggersPage() {
  const { triggers, templates, staleTriggers: stale } = useLoaderData<typeof loader>();
  const [pendingDelete, setPendingDelete] = useState<TriggerListItem | null>(null);
  const shopify = useAppBridge();
  const creator = useFetcher();

  const openTemplates = () => shopify.modal.show(TEMPLATE_PICKER);
  const createFrom = (key: string) => {
    shopify.modal.hide(TEMPLATE_PICKER);
    creator.submit({ intent: "create", template: key }, { method: "post" });
  };

  return (
    <Page>
      <TitleBar title="Triggers">
        <button variant="primary" onClick={openTemplates}>
          Create trigger
        </button>
      </TitleBar>
      <BlockStack gap="400">
        <PublishBanner />
        <ReviewReminder triggers={stale} />
        <Text as="p" tone="subdued">
          Triggers decide which overlay a shopper sees, and when. Each one keeps a holdout group that sees nothing, so the lift shown here is the change your
          overlay caused. Figures cover the last {STATS_DAYS} days.
        </Text>
        <TriggerTable triggers={triggers} onCreate={openTemplates} onDelete={setPendingDelete} />
      </BlockStack>
      <TemplatePicker templates={templates} onChoose={createFrom} />
      <DeleteTriggerModal trigger={pendingDelete} onClose={() => setPendingDelete(null)} />
    </Page>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary resource="trigger" backUrl="/app/triggers" backLabel="Back to triggers" />;
}

import { useEffect, useRef, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, EmptyState, IndexTable, InlineStack, Page, Text, Tooltip } from "@shopify/polaris";
import { Modal, TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { authenticate } from "~/shopify.server";
import { TEMPLATE_KEYS, templateInfo, type TemplateKey } from "~/domain/triggers";
import { createTriggerFromTemplate, deleteTrigger, duplicateTrigger, listTriggers, setTriggerEnabled, staleTriggers } from "~/models/trigger.server";
import { ReviewReminder } from "~/components/ReviewReminder";
import db from "~/db.server";
import { getAnalytics, rangeForDays } from "~/services/analytics.server";
import { getShopSettings } from "~/models/shop.server";
import { publishRules, type PublishResult } from "~/services/publish.server";
import { Switch } from "~/components/Switch";
import { PublishBanner } from "~/components/PublishBanner";
import { AdminErrorBoundary, EMPTY_LIST_IMAGE } from "~/components/RouteErrorBoundary";
import { describeLift, formatNumber } from "~/components/format";
import { CONTENT_LABELS, TYPE_LABELS } from "~/components/trigger-labels";

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
        impressions: s?.treatment.users ?? 0,
        controls: s?.control.users ?? 0,
        lift: describeLift(s && s.control.users > 0 ? s.conversion : null),
      };
    }),
    templates: TEMPLATE_KEYS.map((key) => ({ key, ...templateInfo[key] })),
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

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type Row = LoaderData["triggers"][number];
type ActionData = {
  ok: boolean;
  error?: string;
  intent?: string;
  id?: string;
  enabled?: boolean;
  publish?: { ok: boolean; error?: string; skipped?: string[] };
};

export default function TriggersPage() {
  const { triggers, templates, staleTriggers: stale } = useLoaderData<typeof loader>();
  const [pendingDelete, setPendingDelete] = useState<Row | null>(null);
  const shopify = useAppBridge();
  const deleter = useFetcher<ActionData>();
  const creator = useFetcher();
  const lastDelete = useRef<unknown>(null);

  useEffect(() => {
    if (deleter.state !== "idle" || !deleter.data || deleter.data === lastDelete.current) return;
    lastDelete.current = deleter.data;
    if (!deleter.data.ok) shopify.toast.show(deleter.data.error ?? "Could not delete the trigger", { isError: true });
    else if (deleter.data.publish && !deleter.data.publish.ok)
      shopify.toast.show("Trigger deleted. Publishing to your storefront failed; we'll retry.", { isError: true });
    else shopify.toast.show("Trigger deleted");
  }, [deleter.state, deleter.data, shopify]);

  const openTemplates = () => shopify.modal.show("template-picker");
  const createFrom = (key: string) => {
    shopify.modal.hide("template-picker");
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
        <Card padding="0">
          {triggers.length === 0 ? (
            <EmptyState heading="Create your first trigger" action={{ content: "Choose a template", onAction: openTemplates }} image={EMPTY_LIST_IMAGE}>
              <p>Start from a proven template: cart reminders on exit, recommendations, welcome-back offers and more.</p>
            </EmptyState>
          ) : (
            <IndexTable
              resourceName={{ singular: "trigger", plural: "triggers" }}
              itemCount={triggers.length}
              selectable={false}
              headings={[
                { title: "Trigger" },
                { title: "Status" },
                { title: "Fires on" },
                { title: "Impressions", alignment: "end" },
                { title: "Lift (95% interval)", alignment: "end" },
                { title: "Actions", alignment: "end" },
              ]}
            >
              {triggers.map((t, index) => (
                <TriggerRow key={t.id} row={t} index={index} onDelete={() => setPendingDelete(t)} />
              ))}
            </IndexTable>
          )}
        </Card>
      </BlockStack>

      <Modal id="template-picker" variant="base">
        <TitleBar title="Create a trigger from a template" />
        <Box padding="400">
          <BlockStack gap="300">
            {templates.map((t) => (
              <Card key={t.key} background="bg-surface-secondary">
                <InlineStack align="space-between" blockAlign="center" gap="400" wrap={false}>
                  <BlockStack gap="100">
                    <Text as="h3" variant="headingSm">
                      {t.title}
                    </Text>
                    <Text as="p" tone="subdued">
                      {t.description}
                    </Text>
                  </BlockStack>
                  <Button onClick={() => createFrom(t.key)} accessibilityLabel={`Use template: ${t.title}`}>
                    Use
                  </Button>
                </InlineStack>
              </Card>
            ))}
          </BlockStack>
        </Box>
      </Modal>

      <Modal id="delete-trigger" open={pendingDelete !== null} onHide={() => setPendingDelete(null)} variant="small">
        <TitleBar title="Delete trigger?">
          <button
            variant="primary"
            tone="critical"
            onClick={() => {
              if (pendingDelete) deleter.submit({ intent: "delete", id: pendingDelete.id }, { method: "post" });
              setPendingDelete(null);
            }}
          >
            Delete
          </button>
          <button onClick={() => setPendingDelete(null)}>Cancel</button>
        </TitleBar>
        <Box padding="400">
          <Text as="p">
            {pendingDelete ? `“${pendingDelete.name}” will stop showing on your storefront. ` : ""}
            This can't be undone. Reports keep the events it already recorded.
          </Text>
        </Box>
      </Modal>
    </Page>
  );
}

function TriggerRow({ row, index, onDelete }: { row: Row; index: number; onDelete: () => void }) {
  const shopify = useAppBridge();
  const toggler = useFetcher<ActionData>({ key: `toggle-${row.id}` });
  const duplicator = useFetcher();
  const navigation = useNavigation();
  const seen = useRef<unknown>(null);

  // Optimistic: while the request runs, show the state the merchant asked for.
  const pending = toggler.formData?.get("enabled");
  const enabled = pending != null ? pending === "true" : row.enabled;

  useEffect(() => {
    const data = toggler.data;
    if (toggler.state !== "idle" || !data || data === seen.current) return;
    seen.current = data;
    if (!data.ok) shopify.toast.show(data.error ?? "Could not change the trigger", { isError: true });
    else if (data.publish && !data.publish.ok) shopify.toast.show("Saved, but publishing to your storefront failed. We'll retry.", { isError: true });
    else if (data.enabled && data.publish?.skipped?.includes(row.id))
      shopify.toast.show(`${row.name} is on but has errors, so it isn't live. Open it to fix them.`, { isError: true });
    else shopify.toast.show(data.enabled ? `${row.name} turned on` : `${row.name} turned off`);
  }, [toggler.state, toggler.data, row.id, row.name, shopify]);

  const stop = (e: React.SyntheticEvent) => e.stopPropagation();
  const duplicating = duplicator.state !== "idle" || (navigation.state !== "idle" && navigation.formData?.get("id") === row.id);

  return (
    <IndexTable.Row id={row.id} position={index}>
      <IndexTable.Cell>
        <BlockStack gap="050">
          <Link to={`/app/triggers/${row.id}`} style={{ color: "inherit", fontWeight: 600 }}>
            {row.name}
          </Link>
          <Text as="span" variant="bodySm" tone="subdued">
            Shows {CONTENT_LABELS[row.kind]?.toLowerCase() ?? row.kind} · {row.holdoutPct}% holdout
          </Text>
        </BlockStack>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <div onClick={stop} onKeyDown={stop} role="presentation">
          <InlineStack gap="200" blockAlign="center" wrap={false}>
            <Switch
              checked={enabled}
              label={`${row.name}: active`}
              onChange={(next) => toggler.submit({ intent: "toggle", id: row.id, enabled: String(next) }, { method: "post" })}
            />
            <Badge tone={enabled ? "success" : undefined}>{enabled ? "Active" : "Off"}</Badge>
          </InlineStack>
        </div>
      </IndexTable.Cell>
      <IndexTable.Cell>{TYPE_LABELS[row.type] ?? row.type}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {formatNumber(row.impressions)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <Tooltip content={row.lift.description}>
          <BlockStack gap="050" inlineAlign="end">
            <Text as="span" numeric tone={row.lift.tone === "success" ? "success" : row.lift.tone === "critical" ? "critical" : undefined}>
              {row.lift.value}
            </Text>
            <Text as="span" variant="bodySm" tone="subdued" numeric>
              {row.lift.interval ?? (row.controls === 0 ? "No holdout data yet" : row.lift.description)}
            </Text>
          </BlockStack>
        </Tooltip>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <div onClick={stop} onKeyDown={stop} role="presentation">
          <InlineStack gap="100" align="end" wrap={false}>
            <Button
              variant="tertiary"
              loading={duplicating}
              accessibilityLabel={`Duplicate ${row.name}`}
              onClick={() => duplicator.submit({ intent: "duplicate", id: row.id }, { method: "post" })}
            >
              Duplicate
            </Button>
            <Button variant="tertiary" tone="critical" accessibilityLabel={`Delete ${row.name}`} onClick={onDelete}>
              Delete
            </Button>
          </InlineStack>
        </div>
      </IndexTable.Cell>
    </IndexTable.Row>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary resource="trigger" backUrl="/app/triggers" backLabel="Back to triggers" />;
}

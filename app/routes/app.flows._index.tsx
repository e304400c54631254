import { useEffect, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, EmptyState, IndexTable, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { Modal, TitleBar } from "@shopify/app-bridge-react";
import { z } from "zod";
import db from "~/db.server";
import { FLOW_KINDS, flowTemplates } from "~/domain/recovery";
import { createFlowFromTemplate, deleteFlow, duplicateFlow, listFlows, setFlowEnabled } from "~/models/flow.server";
import { authenticate } from "~/shopify.server";
import { FlowSwitch } from "~/components/flows/FlowSwitch";
import { AUDIENCE_LABELS, KIND_LABELS, describeDelay } from "~/components/flows/draft";
import { useNotice } from "~/components/flows/notice";
import { AdminErrorBoundary, EMPTY_LIST_IMAGE } from "~/components/RouteErrorBoundary";

export const meta: MetaFunction = () => [{ title: "Recovery flows · Intentful" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const flows = await listFlows(db, session.shop);
  return {
    flows: flows.map((f) => ({ ...f, updatedAt: f.updatedAt.toISOString() })),
    templates: FLOW_KINDS.map((kind) => ({
      kind,
      name: flowTemplates[kind].name,
      emails: flowTemplates[kind].steps.length,
      firstDelayMinutes: flowTemplates[kind].steps[0].delayMinutes,
    })),
  };
};

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), kind: z.enum(FLOW_KINDS, { error: "Pick a template" }) }),
  z.object({ intent: z.literal("toggle"), id: z.string().min(1), enabled: z.enum(["true", "false"]) }),
  z.object({ intent: z.literal("duplicate"), id: z.string().min(1) }),
  z.object({ intent: z.literal("delete"), id: z.string().min(1) }),
]);

export type FlowListActionResult =
  { ok: true; intent: "toggle"; id: string; enabled: boolean } | { ok: true; intent: "delete"; id: string } | { ok: false; error: string };

const notFound = () => json<FlowListActionResult>({ ok: false, error: "This flow does not exist (or belongs to another shop)." }, { status: 404 });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const shop = session.shop;
  const parsed = actionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    return json<FlowListActionResult>({ ok: false, error: parsed.error.issues[0]?.message ?? "Invalid request" }, { status: 400 });
  }
  const input = parsed.data;
  switch (input.intent) {
    case "create": {
      const { id } = await createFlowFromTemplate(db, shop, input.kind);
      return redirect(`/app/flows/${id}`);
    }
    case "toggle": {
      const enabled = input.enabled === "true";
      if (!(await setFlowEnabled(db, shop, input.id, enabled))) return notFound();
      return json<FlowListActionResult>({ ok: true, intent: "toggle", id: input.id, enabled });
    }
    case "duplicate": {
      const copy = await duplicateFlow(db, shop, input.id);
      if (!copy) return notFound();
      return redirect(`/app/flows/${copy.id}`);
    }
    case "delete": {
      if (!(await deleteFlow(db, shop, input.id))) return notFound();
      return json<FlowListActionResult>({ ok: true, intent: "delete", id: input.id });
    }
  }
};

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type FlowRow = LoaderData["flows"][number];

export default function FlowsIndex() {
  const { flows, templates } = useLoaderData<typeof loader>();
  const { notify, element: notice } = useNotice();
  const [confirmDelete, setConfirmDelete] = useState<FlowRow | null>(null);
  const deleter = useFetcher<FlowListActionResult>();
  const navigation = useNavigation();
  const creating = navigation.state !== "idle" && navigation.formData?.get("intent") === "create" ? navigation.formData.get("kind") : null;

  useEffect(() => {
    if (deleter.state !== "idle" || !deleter.data) return;
    if (deleter.data.ok) notify("Flow deleted");
    else notify(deleter.data.error, { isError: true });
  }, [deleter.state, deleter.data, notify]);

  return (
    <Page>
      <TitleBar title="Recovery flows" />
      <Layout>
        <Layout.Section>
          <Text as="p" tone="subdued">
            Emails that bring shoppers back to a checkout they left, and stop the moment they buy.
          </Text>
        </Layout.Section>
        {notice ? <Layout.Section>{notice}</Layout.Section> : null}
        <Layout.Section>
          {flows.length === 0 ? (
            <Card>
              <EmptyState heading="Recover checkouts shoppers leave behind" image={EMPTY_LIST_IMAGE}>
                <p>Start from a template below. Flows start switched off so you can review them first.</p>
              </EmptyState>
            </Card>
          ) : (
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: "flow", plural: "flows" }}
                itemCount={flows.length}
                selectable={false}
                headings={[
                  { title: "Flow" },
                  { title: "On" },
                  { title: "Emails" },
                  { title: "Audience" },
                  { title: "Holdout", alignment: "end" },
                  { title: "Actions", alignment: "end" },
                ]}
              >
                {flows
                  .filter((f) => !(deleter.formData?.get("intent") === "delete" && deleter.formData.get("id") === f.id))
                  .map((flow, index) => (
                    <FlowRowView key={flow.id} flow={flow} index={index} notify={notify} onDelete={() => setConfirmDelete(flow)} />
                  ))}
              </IndexTable>
            </Card>
          )}
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Create a flow
              </Text>
              <InlineGrid columns={{ xs: 1, md: 3 }} gap="300">
                {templates.map((t) => (
                  <Form method="post" key={t.kind}>
                    <input type="hidden" name="intent" value="create" />
                    <input type="hidden" name="kind" value={t.kind} />
                    <Card background="bg-surface-secondary">
                      <BlockStack gap="200">
                        <Text as="h3" variant="headingSm">
                          {t.name}
                        </Text>
                        <Text as="p" tone="subdued">
                          {t.emails} {t.emails === 1 ? "email" : "emails"}, the first {describeDelay(t.firstDelayMinutes)} after the shopper leaves.
                        </Text>
                        <InlineStack>
                          <Button submit loading={creating === t.kind} accessibilityLabel={`Use template: ${t.name}`}>
                            Use template
                          </Button>
                        </InlineStack>
                      </BlockStack>
                    </Card>
                  </Form>
                ))}
              </InlineGrid>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>

      <Modal id="delete-flow" open={confirmDelete !== null} onHide={() => setConfirmDelete(null)} variant="small">
        <TitleBar title="Delete flow?">
          <button
            variant="primary"
            tone="critical"
            onClick={() => {
              if (confirmDelete) deleter.submit({ intent: "delete", id: confirmDelete.id }, { method: "post" });
              setConfirmDelete(null);
            }}
          >
            Delete
          </button>
          <button onClick={() => setConfirmDelete(null)}>Cancel</button>
        </TitleBar>
        <Box padding="400">
          <Text as="p">
            {confirmDelete ? `“${confirmDelete.name}” will be deleted. ` : ""}
            Emails not yet sent for this flow are not sent. Its results stay in Analytics.
          </Text>
        </Box>
      </Modal>
    </Page>
  );
}

function FlowRowView({
  flow,
  index,
  notify,
  onDelete,
}: {
  flow: FlowRow;
  index: number;
  notify: (message: string, options?: { isError?: boolean }) => void;
  onDelete: () => void;
}) {
  const toggler = useFetcher<FlowListActionResult>();
  const duplicator = useFetcher<FlowListActionResult>();
  // Optimistic: show the requested state while the request runs; a failure falls back to the loader's.
  const pending = toggler.formData?.get("enabled");
  const enabled = pending != null ? pending === "true" : flow.enabled;

  useEffect(() => {
    if (toggler.state !== "idle" || !toggler.data) return;
    const data = toggler.data;
    if (data.ok && data.intent === "toggle") notify(data.enabled ? `${flow.name} is on` : `${flow.name} is off`);
    else if (!data.ok) notify(data.error, { isError: true });
  }, [toggler.state, toggler.data, flow.name, notify]);

  return (
    <IndexTable.Row id={flow.id} position={index}>
      <IndexTable.Cell>
        <BlockStack gap="100">
          <Link to={`/app/flows/${flow.id}`} style={{ color: "inherit", fontWeight: 600 }}>
            {flow.name}
          </Link>
          {flow.name !== KIND_LABELS[flow.kind] || flow.deliverVia === "shopify_flow" ? (
            <InlineStack gap="100">
              {flow.name !== KIND_LABELS[flow.kind] ? <Badge>{KIND_LABELS[flow.kind]}</Badge> : null}
              {flow.deliverVia === "shopify_flow" ? <Badge tone="info">Shopify Flow</Badge> : null}
            </InlineStack>
          ) : null}
        </BlockStack>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <InlineStack gap="200" blockAlign="center" wrap={false}>
          <FlowSwitch
            checked={enabled}
            label={`${flow.name}: ${enabled ? "on" : "off"}`}
            onChange={(next) => toggler.submit({ intent: "toggle", id: flow.id, enabled: String(next) }, { method: "post" })}
          />
          <Text as="span" tone={enabled ? "success" : "subdued"}>
            {enabled ? "On" : "Off"}
          </Text>
        </InlineStack>
      </IndexTable.Cell>
      <IndexTable.Cell>
        {flow.stepCount} {flow.stepCount === 1 ? "email" : "emails"}
        {flow.firstDelayMinutes != null ? `, first after ${describeDelay(flow.firstDelayMinutes)}` : ""}
      </IndexTable.Cell>
      <IndexTable.Cell>{AUDIENCE_LABELS[flow.audience]}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {flow.holdoutPct}%
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <InlineStack gap="200" align="end" wrap={false}>
          <Button url={`/app/flows/${flow.id}`} accessibilityLabel={`Edit ${flow.name}`}>
            Edit
          </Button>
          <Button
            loading={duplicator.state !== "idle"}
            onClick={() => duplicator.submit({ intent: "duplicate", id: flow.id }, { method: "post" })}
            accessibilityLabel={`Duplicate ${flow.name}`}
          >
            Duplicate
          </Button>
          <Button tone="critical" variant="plain" onClick={onDelete} accessibilityLabel={`Delete ${flow.name}`}>
            Delete
          </Button>
        </InlineStack>
      </IndexTable.Cell>
    </IndexTable.Row>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary resource="page" backUrl="/app/flows" backLabel="Reload" />;
}

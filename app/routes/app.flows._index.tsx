import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { z } from "zod";
import db from "~/db.server";
import { FLOW_KINDS, flowTemplates } from "~/domain/recovery";
import { createFlowFromTemplate, deleteFlow, duplicateFlow, listFlows, setFlowEnabled } from "~/models/flow.server";
import { authenticate } from "~/shopify.server";
import { DeleteListedFlowModal, useFlowDeleter } from "~/components/flows/DeleteListedFlowModal";
import { FlowTable } from "~/components/flows/FlowTable";
import { FlowTemplates } from "~/components/flows/FlowTemplates";
import type { FlowListActionResult, FlowListRow } from "~/components/flows/list";
import { useNotice } from "~/components/flows/notice";
import { AdminErrorBoundary } from "~/components/RouteErrorBoundary";

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

export type { FlowListActionResult };

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

export default function FlowsIndex() {
  const { flows, templates } = useLoaderData<typeof loader>();
  const { notify, element: notice } = useNotice();
  const [confirmDelete, setConfirmDelete] = useState<FlowListRow | null>(null);
  const { deletingId, remove } = useFlowDeleter(notify);

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
          <FlowTable flows={flows} deletingId={deletingId} notify={notify} onDelete={setConfirmDelete} />
        </Layout.Section>
        <Layout.Section>
          <FlowTemplates templates={templates} />
        </Layout.Section>
      </Layout>
      <DeleteListedFlowModal flow={confirmDelete} onClose={() => setConfirmDelete(null)} onDelete={remove} />
    </Page>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary resource="page" backUrl="/app/flows" backLabel="Reload" />;
}

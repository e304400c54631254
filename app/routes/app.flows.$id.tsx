import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData, useNavigate } from "@remix-run/react";
import { BlockStack, Layout, Page } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { z } from "zod";
import db from "~/db.server";
import { getEnv } from "~/env.server";
import { MAX_STEPS, flowFieldErrors, flowInputSchema, stepInputSchema, type StepInput } from "~/domain/recovery";
import { deleteFlow, duplicateFlow, flowToInput, getEmailSettings, getFlow, setFlowEnabled, updateFlow } from "~/models/flow.server";
import { previewProducts, renderStepPreview, sendTestEmail } from "~/services/email/flow-preview.server";
import { refreshShopifyBrand, storefrontClient } from "~/services/email/brand.server";
import { authenticate } from "~/shopify.server";
import { EditorSaveBar } from "~/components/editor/EditorSaveBar";
import { useSaveBarAvailable } from "~/components/flows/app-bridge";
import { DeleteFlowModal } from "~/components/flows/DeleteFlowModal";
import { DeliveryCard } from "~/components/flows/DeliveryCard";
import { EmailPreview, type PreviewEmail } from "~/components/flows/EmailPreview";
import { FlowAudienceCard } from "~/components/flows/FlowAudienceCard";
import { FlowErrors } from "~/components/flows/FlowErrors";
import { FlowNameCard } from "~/components/flows/FlowNameCard";
import { FlowStatusLine } from "~/components/flows/FlowStatusLine";
import { HoldoutCard } from "~/components/flows/HoldoutCard";
import { StepsList } from "~/components/flows/StepsList";
import { UnsavedBanner } from "~/components/flows/UnsavedBanner";
import { useEmailPreview } from "~/components/flows/useEmailPreview";
import { useFlowCommands } from "~/components/flows/useFlowCommands";
import { useFlowForm } from "~/components/flows/useFlowForm";
import { useTestEmail } from "~/components/flows/useTestEmail";
import { AdminErrorBoundary } from "~/components/RouteErrorBoundary";
import { armLabel, MAX_ARMS } from "~/domain/experiments/variants";
import { useNotice } from "~/components/flows/notice";
import type { StepDraft } from "~/components/flows/draft";

const notFoundResponse = () => new Response("Flow not found", { status: 404, statusText: "Not Found" });

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.input.name.trim() || "Untitled flow"} · Recovery flows · Intentful` : "Flow not found · Intentful" },
];

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const shop = session.shop;
  const flow = await getFlow(db, shop, params.id ?? "");
  if (!flow) throw notFoundResponse();
  // Shopify's brand (read at most daily) before the settings that resolve the kit from it.
  const [products] = await Promise.all([previewProducts(shop, admin), refreshShopifyBrand(db, shop, () => storefrontClient(shop)).catch(() => null)]);
  const settings = await getEmailSettings(db, shop);
  const input = flowToInput(flow);
  const env = getEnv();
  let preview: PreviewEmail | null = null;
  try {
    const first = stepInputSchema.safeParse(input.steps[0]);
    if (first.success) {
      const rendered = await renderStepPreview(shop, settings, first.data, env.SHOPIFY_APP_URL, products);
      preview = { subject: rendered.subject, preheader: rendered.preheader ?? "", html: rendered.html };
    }
  } catch {
    // A stored step that no longer renders still opens in the editor, without a preview.
  }
  return {
    id: flow.id,
    updatedAt: flow.updatedAt.toISOString(),
    input,
    /** when each saved email's A/B comparison started (ISO), by position */
    testStarts: flow.steps.map((s) => s.testStartedAt?.toISOString() ?? null),
    preview,
    shop: {
      currency: settings.currency,
      senderLabel: settings.senderEmail ? `${settings.shopName} <${settings.senderEmail}>` : settings.shopName,
      senderEmail: settings.senderEmail,
      timezone: settings.timezone,
      quietHoursStart: settings.quietHoursStart,
      quietHoursEnd: settings.quietHoursEnd,
    },
    smtpConfigured: Boolean(env.SMTP_URL),
  };
};

export type FlowEditorActionResult =
  | { ok: true; intent: "save"; updatedAt: string }
  | { ok: true; intent: "toggle"; enabled: boolean }
  | { ok: true; intent: "preview"; preview: PreviewEmail }
  | { ok: true; intent: "test-email"; delivery: "smtp" | "outbox"; to: string }
  | { ok: false; intent?: string; error: string; errors?: Record<string, string> };

const intentSchema = z.enum(["save", "toggle", "delete", "duplicate", "preview", "test-email"], {
  error: "Unknown action",
});

/** Form posts carry JSON in the `flow`/`step` fields; JSON posts carry objects. */
async function readBody(request: Request): Promise<Record<string, unknown> | null> {
  try {
    if ((request.headers.get("Content-Type") ?? "").includes("application/json")) {
      const body: unknown = await request.json();
      return body && typeof body === "object" ? (body as Record<string, unknown>) : null;
    }
    const out: Record<string, unknown> = Object.fromEntries(await request.formData());
    for (const key of ["flow", "step"]) if (typeof out[key] === "string") out[key] = JSON.parse(out[key] as string);
    return out;
  } catch {
    return null;
  }
}

const fail = (status: number, body: Omit<Extract<FlowEditorActionResult, { ok: false }>, "ok">) =>
  json<FlowEditorActionResult>({ ok: false, ...body }, { status });

type AdminContext = Awaited<ReturnType<typeof authenticate.admin>>;

/** What each intent's handler works from: the signed-in admin, the shop, the flow's id, the posted body and the 404 answer. */
interface IntentContext {
  auth: AdminContext;
  shop: string;
  id: string;
  body: Record<string, unknown>;
  notFound: () => ReturnType<typeof fail>;
}

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const auth = await authenticate.admin(request);
  const body = await readBody(request);
  if (!body) return fail(400, { error: "The request body is not valid JSON or form data." });
  const intent = intentSchema.safeParse(body.intent);
  if (!intent.success) return fail(400, { error: "Unknown action" });
  const notFound = () => fail(404, { intent: intent.data, error: "This flow does not exist (or belongs to another shop)." });
  const ctx: IntentContext = { auth, shop: auth.session.shop, id: params.id ?? "", body, notFound };

  switch (intent.data) {
    case "save":
      return saveIntent(ctx);
    case "toggle":
      return toggleIntent(ctx);
    case "delete":
      return deleteIntent(ctx);
    case "duplicate":
      return duplicateIntent(ctx);
    case "preview":
    case "test-email":
      return emailIntent(ctx, intent.data);
  }
};

async function saveIntent({ shop, id, body, notFound }: IntentContext) {
  const parsed = flowInputSchema.safeParse(body.flow);
  if (!parsed.success) {
    // Ownership first: another shop's id answers 404 whatever the body says.
    if (!(await getFlow(db, shop, id))) return notFound();
    return fail(422, { intent: "save", error: "Some fields need attention.", errors: flowFieldErrors(parsed.error) });
  }
  if (!(await updateFlow(db, shop, id, parsed.data))) return notFound();
  return json<FlowEditorActionResult>({ ok: true, intent: "save", updatedAt: new Date().toISOString() });
}

async function toggleIntent({ shop, id, body, notFound }: IntentContext) {
  const enabled = z.enum(["true", "false"]).or(z.boolean()).safeParse(body.enabled);
  if (!enabled.success) return fail(400, { intent: "toggle", error: "enabled must be true or false" });
  const value = enabled.data === true || enabled.data === "true";
  if (!(await setFlowEnabled(db, shop, id, value))) return notFound();
  return json<FlowEditorActionResult>({ ok: true, intent: "toggle", enabled: value });
}

async function deleteIntent({ auth, shop, id, notFound }: IntentContext) {
  if (!(await deleteFlow(db, shop, id))) return notFound();
  return auth.redirect("/app/flows");
}

async function duplicateIntent({ auth, shop, id, notFound }: IntentContext) {
  const copy = await duplicateFlow(db, shop, id);
  if (!copy) return notFound();
  return auth.redirect(`/app/flows/${copy.id}`);
}

/** The email posted for a preview or a test send; its errors land on the fields of the A/B variant it is (0 = A, the step's own fields). */
function postedStep(body: Record<string, unknown>): { success: true; data: StepInput } | { success: false; errors: Record<string, string> } {
  const stepIndex = z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_STEPS)
    .catch(0)
    .parse(body.stepIndex ?? 0);
  const arm = z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_ARMS - 1)
    .catch(0)
    .parse(body.arm ?? 0);
  const at = arm > 0 ? `steps.${stepIndex}.variants.${arm}.step` : `steps.${stepIndex}`;
  const step = stepInputSchema.safeParse(body.step);
  if (step.success) return { success: true, data: step.data as StepInput };
  return { success: false, errors: Object.fromEntries(Object.entries(flowFieldErrors(step.error)).map(([path, message]) => [`${at}.${path}`, message])) };
}

async function emailIntent(ctx: IntentContext, intent: "preview" | "test-email") {
  if (!(await getFlow(db, ctx.shop, ctx.id))) return ctx.notFound();
  const step = postedStep(ctx.body);
  if (!step.success) return fail(422, { intent, error: "This email has fields that need attention.", errors: step.errors });
  return intent === "preview" ? previewIntent(ctx, step.data) : testEmailIntent(ctx, step.data);
}

async function previewIntent({ auth, shop }: IntentContext, step: StepInput) {
  const env = getEnv();
  const settings = await getEmailSettings(db, shop);
  const rendered = await renderStepPreview(shop, settings, step, env.SHOPIFY_APP_URL, await previewProducts(shop, auth.admin));
  return json<FlowEditorActionResult>({
    ok: true,
    intent: "preview",
    preview: { subject: rendered.subject, preheader: rendered.preheader ?? "", html: rendered.html },
  });
}

async function testEmailIntent({ auth, shop, id, body }: IntentContext, step: StepInput) {
  const env = getEnv();
  const to = z.string().trim().email("Enter a valid email address").safeParse(body.to);
  if (!to.success) return fail(422, { intent: "test-email", error: "Enter a valid email address", errors: { to: "Enter a valid email address" } });
  const sent = await sendTestEmail(
    db,
    shop,
    { flowId: id, step, to: to.data },
    { smtpUrl: env.SMTP_URL, emailFrom: env.EMAIL_FROM, appUrl: env.SHOPIFY_APP_URL, products: await previewProducts(shop, auth.admin) },
  );
  if (!sent.ok) return fail(502, { intent: "test-email", error: `The test email was not sent: ${sent.reason}` });
  return json<FlowEditorActionResult>({ ok: true, intent: "test-email", delivery: sent.delivery, to: to.data });
}

export default function FlowEditor() {
  const data = useLoaderData<typeof loader>();
  // Remount on another flow so no state leaks between them.
  return <Editor key={data.id} data={data} />;
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function Editor({ data }: { data: LoaderData }) {
  const navigate = useNavigate();
  const { notify, element: notice } = useNotice();
  const saveBarAvailable = useSaveBarAvailable();
  const form = useFlowForm(data.input, notify);
  const { values: draft, errors, update } = form;
  const preview = useEmailPreview(draft.steps, form.baseline.steps[0], data.preview);
  const test = useTestEmail({
    initialTo: data.shop.senderEmail,
    index: preview.index,
    arm: preview.arm,
    step: preview.step,
    notify,
    setErrors: form.setErrors,
  });
  const commands = useFlowCommands(notify);
  const [confirmDelete, setConfirmDelete] = useState(false);

  return (
    <Page>
      <TitleBar title={draft.name.trim() || "Untitled flow"}>
        <button variant="breadcrumb" onClick={() => navigate("/app/flows")}>
          Recovery flows
        </button>
        <button onClick={commands.duplicate}>Duplicate</button>
        <button tone="critical" onClick={() => setConfirmDelete(true)}>
          Delete
        </button>
      </TitleBar>
      {saveBarAvailable ? (
        <EditorSaveBar id="flow-editor-save-bar" open={form.dirty || form.saving} saving={form.saving} onSave={form.save} onDiscard={form.discard} />
      ) : null}
      <Layout>
        <FlowStatusLine enabled={draft.enabled} kind={draft.kind} />
        {!saveBarAvailable && form.dirty ? <UnsavedBanner saving={form.saving} onSave={form.save} onDiscard={form.discard} /> : null}
        {notice ? <Layout.Section>{notice}</Layout.Section> : null}
        <FlowErrors errors={errors} />

        <Layout.Section>
          <BlockStack gap="400">
            <FlowNameCard draft={draft} errors={errors} update={update} />
            <FlowAudienceCard draft={draft} errors={errors} currency={data.shop.currency} update={update} />
            <DeliveryCard draft={draft} errors={errors} shop={data.shop} update={update} />
            <HoldoutCard draft={draft} errors={errors} update={update} />
            <StepsList
              steps={draft.steps}
              errors={errors}
              previewIndex={preview.index}
              testStarts={data.testStarts}
              onStepsChange={(change) => form.setValues((d) => ({ ...d, steps: change(d.steps) }))}
              onRemoved={(i) => {
                if (preview.selected >= i && preview.selected > 0) preview.select(preview.selected - 1);
              }}
              onPreview={preview.select}
            />
          </BlockStack>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <PreviewColumn data={data} steps={draft.steps} errors={errors} preview={preview} test={test} />
        </Layout.Section>
      </Layout>

      <DeleteFlowModal open={confirmDelete} name={form.baseline.name} onClose={() => setConfirmDelete(false)} onDelete={commands.remove} />
    </Page>
  );
}

/** The sticky column beside the form: the email previewed (and its variant) and the test send. */
function PreviewColumn({
  data,
  steps,
  errors,
  preview,
  test,
}: {
  data: LoaderData;
  steps: StepDraft[];
  errors: Record<string, string>;
  preview: ReturnType<typeof useEmailPreview>;
  test: ReturnType<typeof useTestEmail>;
}) {
  return (
    <div style={{ position: "sticky", top: 16 }}>
      <EmailPreview
        title={`Email ${preview.index + 1}${steps[preview.index]?.arms.length >= 2 ? `, variant ${armLabel(preview.arm)}` : ""}`}
        preview={preview.preview}
        stale={preview.stale}
        loading={preview.loading}
        senderLabel={data.shop.senderLabel}
        testTo={test.testTo}
        testError={errors.to}
        sending={test.sending}
        sendHelp={
          data.smtpConfigured ? "Sent through your mail server with the subject marked [Test]." : "No mail server is set up, so the test lands in the outbox."
        }
        onTestToChange={test.setTestTo}
        onSendTest={test.sendTest}
      />
    </div>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary resource="flow" backUrl="/app/flows" backLabel="Back to recovery flows" />;
}

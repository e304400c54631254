import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  ChoiceList,
  InlineStack,
  Layout,
  List,
  Page,
  RangeSlider,
  Text,
  TextField,
} from "@shopify/polaris";
import { Modal, SaveBar, TitleBar } from "@shopify/app-bridge-react";
import { z } from "zod";
import db from "~/db.server";
import { getEnv } from "~/env.server";
import { AUDIENCES, DELIVERY_CHANNELS, MAX_HOLDOUT_PCT, MAX_STEPS, flowFieldErrors, flowInputSchema, stepInputSchema, type StepInput } from "~/domain/recovery";
import { deleteFlow, duplicateFlow, flowToInput, getEmailSettings, getFlow, setFlowEnabled, updateFlow } from "~/models/flow.server";
import { renderStepPreview, sendTestEmail } from "~/services/email/flow-preview.server";
import { authenticate } from "~/shopify.server";
import { useSaveBarAvailable } from "~/components/flows/app-bridge";
import {
  AUDIENCE_LABELS,
  DELIVERY_LABELS,
  KIND_LABELS,
  draftSignature,
  newStep,
  toFlowDraft,
  toFlowDraftInput,
  toStepInput,
  type FlowDraft,
  type StepDraft,
} from "~/components/flows/draft";
import { EmailPreview, type PreviewEmail } from "~/components/flows/EmailPreview";
import { FlowSwitch } from "~/components/flows/FlowSwitch";
import { AdminErrorBoundary } from "~/components/RouteErrorBoundary";
import { useNotice } from "~/components/flows/notice";
import { StepCard } from "~/components/flows/StepCard";

const notFoundResponse = () => new Response("Flow not found", { status: 404, statusText: "Not Found" });

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.input.name.trim() || "Untitled flow"} · Recovery flows · Intentful` : "Flow not found · Intentful" },
];

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = session.shop;
  const flow = await getFlow(db, shop, params.id ?? "");
  if (!flow) throw notFoundResponse();
  const settings = await getEmailSettings(db, shop);
  const input = flowToInput(flow);
  const env = getEnv();
  let preview: PreviewEmail | null = null;
  try {
    const first = stepInputSchema.safeParse(input.steps[0]);
    if (first.success) {
      const rendered = await renderStepPreview(shop, settings, first.data, env.SHOPIFY_APP_URL);
      preview = { subject: rendered.subject, preheader: first.data.preheader, html: rendered.html };
    }
  } catch {
    // A stored step that no longer renders still opens in the editor, without a preview.
  }
  return {
    id: flow.id,
    updatedAt: flow.updatedAt.toISOString(),
    input,
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

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const shop = session.shop;
  const id = params.id ?? "";
  const body = await readBody(request);
  if (!body) return fail(400, { error: "The request body is not valid JSON or form data." });
  const intent = intentSchema.safeParse(body.intent);
  if (!intent.success) return fail(400, { error: "Unknown action" });
  const notFound = () => fail(404, { intent: intent.data, error: "This flow does not exist (or belongs to another shop)." });

  switch (intent.data) {
    case "save": {
      const parsed = flowInputSchema.safeParse(body.flow);
      if (!parsed.success) {
        // Ownership first: another shop's id answers 404 whatever the body says.
        if (!(await getFlow(db, shop, id))) return notFound();
        return fail(422, { intent: "save", error: "Some fields need attention.", errors: flowFieldErrors(parsed.error) });
      }
      if (!(await updateFlow(db, shop, id, parsed.data))) return notFound();
      return json<FlowEditorActionResult>({ ok: true, intent: "save", updatedAt: new Date().toISOString() });
    }
    case "toggle": {
      const enabled = z.enum(["true", "false"]).or(z.boolean()).safeParse(body.enabled);
      if (!enabled.success) return fail(400, { intent: "toggle", error: "enabled must be true or false" });
      const value = enabled.data === true || enabled.data === "true";
      if (!(await setFlowEnabled(db, shop, id, value))) return notFound();
      return json<FlowEditorActionResult>({ ok: true, intent: "toggle", enabled: value });
    }
    case "delete": {
      if (!(await deleteFlow(db, shop, id))) return notFound();
      return redirect("/app/flows");
    }
    case "duplicate": {
      const copy = await duplicateFlow(db, shop, id);
      if (!copy) return notFound();
      return redirect(`/app/flows/${copy.id}`);
    }
    case "preview":
    case "test-email": {
      if (!(await getFlow(db, shop, id))) return notFound();
      const stepIndex = z.coerce
        .number()
        .int()
        .min(0)
        .max(MAX_STEPS)
        .catch(0)
        .parse(body.stepIndex ?? 0);
      const step = stepInputSchema.safeParse(body.step);
      if (!step.success) {
        const errors = Object.fromEntries(Object.entries(flowFieldErrors(step.error)).map(([path, message]) => [`steps.${stepIndex}.${path}`, message]));
        return fail(422, { intent: intent.data, error: "This email has fields that need attention.", errors });
      }
      const env = getEnv();
      if (intent.data === "preview") {
        const settings = await getEmailSettings(db, shop);
        const rendered = await renderStepPreview(shop, settings, step.data as StepInput, env.SHOPIFY_APP_URL);
        return json<FlowEditorActionResult>({
          ok: true,
          intent: "preview",
          preview: { subject: rendered.subject, preheader: step.data.preheader, html: rendered.html },
        });
      }
      const to = z.string().trim().email("Enter a valid email address").safeParse(body.to);
      if (!to.success) return fail(422, { intent: "test-email", error: "Enter a valid email address", errors: { to: "Enter a valid email address" } });
      const sent = await sendTestEmail(
        db,
        shop,
        { flowId: id, step: step.data as StepInput, to: to.data },
        { smtpUrl: env.SMTP_URL, emailFrom: env.EMAIL_FROM, appUrl: env.SHOPIFY_APP_URL },
      );
      if (!sent.ok) return fail(502, { intent: "test-email", error: `The test email was not sent: ${sent.reason}` });
      return json<FlowEditorActionResult>({ ok: true, intent: "test-email", delivery: sent.delivery, to: to.data });
    }
  }
};

const AUDIENCE_CHOICES = AUDIENCES.map((value) => ({ label: AUDIENCE_LABELS[value], value }));
const DELIVERY_CHOICES = DELIVERY_CHANNELS.map((value) => ({ label: DELIVERY_LABELS[value], value }));

function formatHour(hour: number): string {
  return `${String(hour).padStart(2, "0")}:00`;
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
  const [baseline, setBaseline] = useState<FlowDraft>(() => toFlowDraft(data.input));
  const [draft, setDraft] = useState<FlowDraft>(baseline);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [previewIndex, setPreviewIndex] = useState(0);
  const [preview, setPreview] = useState<PreviewEmail | null>(data.preview);
  const [previewStale, setPreviewStale] = useState(false);
  const [testTo, setTestTo] = useState(data.shop.senderEmail);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const saver = useFetcher<FlowEditorActionResult>();
  const previewer = useFetcher<FlowEditorActionResult>();
  const tester = useFetcher<FlowEditorActionResult>();
  const deleter = useFetcher<FlowEditorActionResult>();
  const submitted = useRef<FlowDraft | null>(null);

  const dirty = useMemo(() => draftSignature(draft) !== draftSignature(baseline), [draft, baseline]);
  const saving = saver.state !== "idle";

  const update = useCallback((patch: Partial<FlowDraft>) => setDraft((d) => ({ ...d, ...patch })), []);
  const updateStep = (index: number, step: StepDraft) => setDraft((d) => ({ ...d, steps: d.steps.map((s, i) => (i === index ? step : s)) }));

  const save = () => {
    submitted.current = draft;
    saver.submit({ intent: "save", flow: JSON.stringify(toFlowDraftInput(draft)) }, { method: "post" });
  };
  const discard = () => {
    setDraft(baseline);
    setErrors({});
  };

  useEffect(() => {
    if (saver.state !== "idle" || !saver.data) return;
    if (saver.data.ok) {
      if (submitted.current) setBaseline(submitted.current);
      setErrors({});
      notify("Flow saved");
    } else {
      setErrors(saver.data.errors ?? {});
      notify(saver.data.error, { isError: true });
    }
    submitted.current = null;
  }, [saver.state, saver.data, notify]);

  // Re-render the previewed email shortly after its content stops changing.
  const index = Math.min(previewIndex, draft.steps.length - 1);
  const previewStep = draft.steps[index];
  const previewSignature = JSON.stringify(toStepInput(previewStep));
  const lastRendered = useRef(JSON.stringify(toStepInput(baseline.steps[0])));
  useEffect(() => {
    if (previewSignature === lastRendered.current) return;
    const timer = setTimeout(() => {
      lastRendered.current = previewSignature;
      previewer.submit({ intent: "preview", stepIndex: String(index), step: previewSignature }, { method: "post" });
    }, 400);
    return () => clearTimeout(timer);
    // previewer.submit is stable enough; re-running on it would resubmit in a loop.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [previewSignature, index]);
  useEffect(() => {
    if (previewer.state !== "idle" || !previewer.data) return;
    const result = previewer.data;
    if (result.ok && result.intent === "preview") {
      setPreview(result.preview);
      setPreviewStale(false);
    } else if (!result.ok) setPreviewStale(true);
  }, [previewer.state, previewer.data]);

  useEffect(() => {
    if (tester.state !== "idle" || !tester.data) return;
    const result = tester.data;
    if (result.ok && result.intent === "test-email") {
      setErrors((e) => {
        const { to: _to, ...rest } = e;
        return rest;
      });
      notify(
        result.delivery === "outbox" ? "No mail server is set up (SMTP_URL), so the test email was saved to the outbox." : `Test email sent to ${result.to}`,
      );
    } else if (!result.ok) {
      setErrors((e) => ({ ...e, ...(result.errors ?? {}) }));
      notify(result.error, { isError: true });
    }
  }, [tester.state, tester.data, notify]);

  useEffect(() => {
    if (deleter.state === "idle" && deleter.data && !deleter.data.ok) notify(deleter.data.error, { isError: true });
  }, [deleter.state, deleter.data, notify]);

  const sendTest = () =>
    tester.submit({ intent: "test-email", stepIndex: String(index), step: JSON.stringify(toStepInput(previewStep)), to: testTo }, { method: "post" });

  const generalErrors = Object.entries(errors).filter(([path]) => path === "_" || path === "steps" || path === "kind" || path === "enabled");
  const errorCount = Object.keys(errors).length;
  const quiet =
    data.shop.quietHoursStart != null && data.shop.quietHoursEnd != null
      ? `Your quiet hours are ${formatHour(data.shop.quietHoursStart)}–${formatHour(data.shop.quietHoursEnd)} (${data.shop.timezone}); emails due then wait until they end.`
      : "No quiet hours are set for your shop yet (Settings).";

  return (
    <Page>
      <TitleBar title={draft.name.trim() || "Untitled flow"}>
        <button variant="breadcrumb" onClick={() => navigate("/app/flows")}>
          Recovery flows
        </button>
        <button onClick={() => deleter.submit({ intent: "duplicate" }, { method: "post" })}>Duplicate</button>
        <button tone="critical" onClick={() => setConfirmDelete(true)}>
          Delete
        </button>
      </TitleBar>
      {saveBarAvailable ? (
        <SaveBar id="flow-editor-save-bar" open={dirty || saving}>
          <button variant="primary" onClick={save} disabled={saving}>
            {saving ? "Saving…" : "Save"}
          </button>
          <button onClick={discard} disabled={saving}>
            Discard
          </button>
        </SaveBar>
      ) : null}
      <Layout>
        <Layout.Section>
          <InlineStack gap="200" blockAlign="center">
            {draft.enabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>}
            <Text as="span" tone="subdued">
              {KIND_LABELS[draft.kind]}
            </Text>
          </InlineStack>
        </Layout.Section>
        {!saveBarAvailable && dirty ? (
          <Layout.Section>
            <Banner
              tone="warning"
              title="Unsaved changes"
              action={{ content: "Save", onAction: save, loading: saving }}
              secondaryAction={{ content: "Discard", onAction: discard }}
            />
          </Layout.Section>
        ) : null}
        {notice ? <Layout.Section>{notice}</Layout.Section> : null}
        {errorCount > 0 ? (
          <Layout.Section>
            <Banner tone="critical" title={`${errorCount} ${errorCount === 1 ? "field needs" : "fields need"} attention`}>
              {generalErrors.length > 0 ? (
                <List>
                  {generalErrors.map(([path, message]) => (
                    <List.Item key={path}>{message}</List.Item>
                  ))}
                </List>
              ) : (
                <p>They are marked below.</p>
              )}
            </Banner>
          </Layout.Section>
        ) : null}

        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <TextField
                  label="Name"
                  autoComplete="off"
                  value={draft.name}
                  onChange={(name) => update({ name })}
                  error={errors.name}
                  maxLength={80}
                  helpText="Only you see this."
                />
                <InlineStack gap="200" blockAlign="center">
                  <FlowSwitch checked={draft.enabled} label="Flow is on" onChange={(enabled) => update({ enabled })} />
                  <Text as="span">{draft.enabled ? "On: new checkouts enter this flow" : "Off: nothing is sent"}</Text>
                </InlineStack>
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Who gets it
                </Text>
                <ChoiceList
                  title="Audience"
                  titleHidden
                  choices={AUDIENCE_CHOICES}
                  selected={[draft.audience]}
                  onChange={([audience]) => update({ audience: audience as FlowDraft["audience"] })}
                  error={errors.audience}
                />
                {draft.audience === "min_value" ? (
                  <TextField
                    label="Minimum cart value"
                    type="number"
                    min={0}
                    step={0.01}
                    prefix={data.shop.currency}
                    autoComplete="off"
                    value={draft.minCartValue}
                    onChange={(minCartValue) => update({ minCartValue })}
                    error={errors.minCartCents}
                  />
                ) : null}
                <Box>
                  <Text as="h3" variant="headingSm">
                    Stops when
                  </Text>
                  <List>
                    <List.Item>the shopper places an order (matched by checkout, cart, email or customer)</List.Item>
                    <List.Item>the shopper unsubscribes</List.Item>
                    <List.Item>the checkout is completed</List.Item>
                  </List>
                  <Text as="p" tone="subdued">
                    Each email also checks, right before it goes out, that the shopper still qualifies and has not had another email from any flow too recently.
                  </Text>
                </Box>
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Delivery
                </Text>
                <ChoiceList
                  title="Deliver via"
                  titleHidden
                  choices={DELIVERY_CHOICES}
                  selected={[draft.deliverVia]}
                  onChange={([deliverVia]) => update({ deliverVia: deliverVia as FlowDraft["deliverVia"] })}
                  error={errors.deliverVia}
                />
                {draft.deliverVia === "shopify_flow" ? (
                  <Banner tone="info">
                    At each email’s time Intentful starts your Shopify Flow workflow instead of sending; the workflow decides what goes out. The emails below
                    are kept for when you switch back.
                  </Banner>
                ) : null}
                <Checkbox label="Respect quiet hours" checked={draft.respectQuiet} onChange={(respectQuiet) => update({ respectQuiet })} helpText={quiet} />
              </BlockStack>
            </Card>

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Measure the lift
                </Text>
                <RangeSlider
                  label="Holdout"
                  min={0}
                  max={MAX_HOLDOUT_PCT}
                  value={draft.holdoutPct}
                  onChange={(value) => update({ holdoutPct: Array.isArray(value) ? value[0] : value })}
                  output
                  suffix={<Text as="span">{draft.holdoutPct}%</Text>}
                  error={errors.holdoutPct}
                  helpText={
                    draft.holdoutPct === 0
                      ? "Everyone gets the emails, so Analytics cannot tell how many orders they added."
                      : `${draft.holdoutPct}% of shoppers get no email, so Analytics can compare and show the orders the flow really added.`
                  }
                />
              </BlockStack>
            </Card>

            {draft.steps.map((step, i) => (
              <StepCard
                key={step.key}
                step={step}
                index={i}
                count={draft.steps.length}
                errors={errors}
                previewing={i === index}
                onChange={(s) => updateStep(i, s)}
                onRemove={() => {
                  setDraft((d) => ({ ...d, steps: d.steps.filter((_, j) => j !== i) }));
                  if (previewIndex >= i && previewIndex > 0) setPreviewIndex(previewIndex - 1);
                }}
                onPreview={() => setPreviewIndex(i)}
              />
            ))}
            <InlineStack>
              <Button
                disabled={draft.steps.length >= MAX_STEPS}
                onClick={() => setDraft((d) => ({ ...d, steps: [...d.steps, newStep(d.steps[d.steps.length - 1])] }))}
              >
                Add email
              </Button>
            </InlineStack>
          </BlockStack>
        </Layout.Section>

        <Layout.Section variant="oneThird">
          <div style={{ position: "sticky", top: 16 }}>
            <EmailPreview
              title={`Email ${index + 1}`}
              preview={preview}
              stale={previewStale}
              loading={previewer.state !== "idle"}
              senderLabel={data.shop.senderLabel}
              testTo={testTo}
              testError={errors.to}
              sending={tester.state !== "idle"}
              sendHelp={
                data.smtpConfigured
                  ? "Sent through your mail server with the subject marked [Test]."
                  : "No mail server is set up, so the test lands in the outbox."
              }
              onTestToChange={setTestTo}
              onSendTest={sendTest}
            />
          </div>
        </Layout.Section>
      </Layout>

      <Modal id="delete-this-flow" open={confirmDelete} onHide={() => setConfirmDelete(false)} variant="small">
        <TitleBar title="Delete flow?">
          <button
            variant="primary"
            tone="critical"
            onClick={() => {
              deleter.submit({ intent: "delete" }, { method: "post" });
              setConfirmDelete(false);
            }}
          >
            Delete
          </button>
          <button onClick={() => setConfirmDelete(false)}>Cancel</button>
        </TitleBar>
        <Box padding="400">
          <Text as="p">
            {`“${baseline.name.trim() || "Untitled flow"}” will be deleted. `}
            Emails not yet sent for this flow are not sent. Its results stay in Analytics.
          </Text>
        </Box>
      </Modal>
    </Page>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary resource="flow" backUrl="/app/flows" backLabel="Back to recovery flows" />;
}

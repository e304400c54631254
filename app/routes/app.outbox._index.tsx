import { useState } from "react";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useRouteError, isRouteErrorResponse } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, EmptyState, IndexTable, InlineStack, Link, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import db from "~/db.server";
import { getEnv } from "~/env.server";
import { authenticate } from "~/shopify.server";
import { listDataExports, listMessages } from "~/models/message.server";
import { AdminErrorBoundary, EMPTY_LIST_IMAGE } from "~/components/RouteErrorBoundary";
import { downloadFile } from "~/components/download";

/**
 * A send is claimed ("sending") right before the SMTP call and marked sent right after; a worker
 * that stopped in between leaves it so for good — it is never resent, since it may have gone out
 * (decision 012). After this long without an answer the log says so instead of "sending".
 */
const UNCONFIRMED_AFTER_MS = 15 * 60_000;

export const meta: MetaFunction = () => [{ title: "Email log · Intentful" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [messages, exports] = await Promise.all([listMessages(db, session.shop), listDataExports(db, session.shop)]);
  const now = Date.now();
  return {
    transport: getEnv().SMTP_URL ? "smtp" : "outbox",
    messages: messages.map((m) => {
      const interrupted = m.status === "sending" && m.sentAt !== null && now - m.sentAt.getTime() > UNCONFIRMED_AFTER_MS;
      return {
        ...m,
        status: interrupted ? "unconfirmed" : m.status,
        reason: interrupted ? "The send was interrupted: this email may or may not have arrived, and it will not be sent again." : m.reason,
        sentAt: m.sentAt?.toISOString() ?? null,
        createdAt: m.createdAt.toISOString(),
        clickedAt: m.clickedAt?.toISOString() ?? null,
      };
    }),
    exports: exports.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
  };
};

const tone: Record<string, "success" | "attention" | "warning" | "critical" | "info" | undefined> = {
  sent: "success",
  sending: "attention",
  unconfirmed: "warning",
  pending: "info",
  suppressed: undefined,
  failed: "critical",
};

export default function Outbox() {
  const { transport, messages, exports } = useLoaderData<typeof loader>();
  return (
    <Page>
      {/* The page's one heading is the admin's title bar (App Bridge): Polaris's Page has none. */}
      <TitleBar title="Email log" />
      <BlockStack gap="500">
        <Text as="p" tone="subdued">
          {transport === "smtp"
            ? "Emails go out through your SMTP server."
            : "No SMTP server is configured: emails are kept here (outbox) instead of being sent."}
        </Text>
        <Card padding="0">
          {messages.length === 0 ? (
            <EmptyState heading="No emails yet" image={EMPTY_LIST_IMAGE}>
              <p>Recovery emails appear here when a flow sends one, or decides not to (and why).</p>
            </EmptyState>
          ) : (
            <IndexTable
              resourceName={{ singular: "email", plural: "emails" }}
              itemCount={messages.length}
              selectable={false}
              headings={[{ title: "Subject" }, { title: "To" }, { title: "Status" }, { title: "When" }]}
            >
              {messages.map((m, i) => (
                <IndexTable.Row id={m.id} key={m.id} position={i}>
                  <IndexTable.Cell>
                    {m.status === "sent" ? <Link url={`/app/outbox/${m.id}`}>{m.subject || "(no subject)"}</Link> : <Text as="span">{m.subject || "—"}</Text>}
                  </IndexTable.Cell>
                  <IndexTable.Cell>{m.email}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <Badge tone={tone[m.status]}>{m.status}</Badge>{" "}
                    {m.reason ? (
                      <Text as="span" tone="subdued">
                        {m.reason}
                      </Text>
                    ) : null}
                    {m.clickedAt ? <Badge tone="info">clicked</Badge> : null}
                  </IndexTable.Cell>
                  <IndexTable.Cell>{new Date(m.sentAt ?? m.createdAt).toLocaleString()}</IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          )}
        </Card>
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Customer data requests
            </Text>
            {exports.length === 0 ? (
              <Text as="p" tone="subdued">
                When a customer asks for their data, Shopify tells the app and an export appears here for you to send them.
              </Text>
            ) : (
              exports.map((e) => (
                <ExportDownload key={e.id} id={e.id} label={`${e.email ?? `Customer ${e.customerId}`} — ${new Date(e.createdAt).toLocaleDateString()}`} />
              ))
            )}
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}

/** A data export, downloaded through fetch (with the session token) and saved from a blob. */
function ExportDownload({ id, label }: { id: string; label: string }) {
  const [state, setState] = useState<"idle" | "loading" | "failed">("idle");
  const download = async () => {
    setState("loading");
    try {
      await downloadFile(`/app/outbox/export/${id}`, `customer-data-${id}.json`);
      setState("idle");
    } catch {
      setState("failed");
    }
  };
  return (
    <InlineStack gap="200" blockAlign="center">
      <Button variant="plain" onClick={download} loading={state === "loading"} accessibilityLabel={`Download the data export for ${label}`}>
        {label}
      </Button>
      {state === "failed" && (
        <Text as="span" tone="critical">
          The download failed. Try again.
        </Text>
      )}
    </InlineStack>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <AdminErrorBoundary resource="email" backUrl="/app/outbox" backLabel="Email log" />;
  throw error;
}

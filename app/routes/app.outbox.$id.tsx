import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useNavigate, useRouteError, isRouteErrorResponse } from "@remix-run/react";
import { BlockStack, Card, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";
import { getMessage } from "~/models/message.server";
import { AdminErrorBoundary } from "~/components/RouteErrorBoundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.subject || "Email"} · Email log · Intentful` }];

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const message = await getMessage(db, session.shop, params.id ?? "");
  if (!message) throw new Response("Not found", { status: 404 });
  return { ...message, sentAt: message.sentAt?.toISOString() ?? null, createdAt: message.createdAt.toISOString() };
};

export default function OutboxMessage() {
  const m = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  return (
    <Page>
      {/* One heading, the subject, in the admin's title bar, with the way back as its breadcrumb. */}
      <TitleBar title={m.subject || "Email"}>
        <button variant="breadcrumb" onClick={() => navigate("/app/outbox")}>
          Email log
        </button>
      </TitleBar>
      <Card>
        <BlockStack gap="300">
          <Text as="p">
            To {m.email} · {m.status} {m.sentAt ? `· ${new Date(m.sentAt).toLocaleString()}` : ""}
          </Text>
          {/* The email as rendered, isolated: no scripts, no same-origin access. */}
          <iframe
            title="Email preview"
            sandbox=""
            srcDoc={m.html ?? `<pre>${(m.text ?? "").replace(/[<&]/g, (c) => (c === "<" ? "&lt;" : "&amp;"))}</pre>`}
            style={{ width: "100%", height: 720, border: "1px solid #e3e3e3", borderRadius: 8 }}
          />
        </BlockStack>
      </Card>
    </Page>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <AdminErrorBoundary resource="email" backUrl="/app/outbox" backLabel="Email log" />;
  throw error;
}

import { Badge, BlockStack, Card, FormLayout, InlineStack, Layout, Text } from "@shopify/polaris";
import type { SettingsForm } from "./useSettingsForm";
import type { MailTransport } from "./values";

/** The sender's name and addresses, and how the mail leaves. */
export function SenderSection({ form, shopName, transport }: { form: SettingsForm; shopName: string | null; transport: MailTransport }) {
  const { field } = form;
  return (
    <Layout.AnnotatedSection
      id="sender"
      title="Sender"
      description="Recovery emails go out under this name and address. Use an address on a domain you've set up for sending (SPF and DKIM)."
    >
      <Card>
        <BlockStack gap="400">
          <FormLayout>
            {field("senderName", "Sender name", { placeholder: shopName ?? "Your store", maxLength: 80 })}
            <FormLayout.Group>
              {field("senderEmail", "Sender email", { type: "email", placeholder: "hello@yourstore.com" })}
              {field("replyTo", "Reply-to address", { type: "email", helpText: "Optional. Replies go here." })}
            </FormLayout.Group>
          </FormLayout>
          <TransportLine transport={transport} />
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}

function TransportLine({ transport }: { transport: MailTransport }) {
  return (
    <InlineStack gap="200" blockAlign="center">
      <Text as="span" fontWeight="semibold">
        Mail transport
      </Text>
      {transport.kind === "smtp" ? (
        <>
          <Badge tone="success">SMTP configured</Badge>
          <Text as="span" tone="subdued">
            {transport.host}
          </Text>
        </>
      ) : (
        <>
          <Badge tone="attention">Outbox only</Badge>
          <Text as="span" tone="subdued">
            Emails are stored, not sent. Set SMTP_URL to send them.
          </Text>
        </>
      )}
    </InlineStack>
  );
}

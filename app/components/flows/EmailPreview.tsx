import { BlockStack, Box, Button, Card, InlineStack, Spinner, Text, TextField } from "@shopify/polaris";

export interface PreviewEmail {
  subject: string;
  preheader: string;
  html: string;
}

/**
 * The email as the shopper gets it, filled with a sample checkout. The HTML goes into an iframe
 * with an empty `sandbox`: no scripts, no same-origin access, no navigation, no forms.
 */
export function EmailPreview({
  title,
  preview,
  stale,
  loading,
  senderLabel,
  testTo,
  testError,
  sending,
  sendHelp,
  onTestToChange,
  onSendTest,
}: {
  title: string;
  preview: PreviewEmail | null;
  /** The draft has errors, so the preview shows the last version that rendered. */
  stale: boolean;
  loading: boolean;
  senderLabel: string;
  testTo: string;
  testError?: string;
  sending: boolean;
  sendHelp: string;
  onTestToChange: (value: string) => void;
  onSendTest: () => void;
}) {
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Preview: {title}
          </Text>
          {loading ? <Spinner size="small" accessibilityLabel="Updating preview" /> : null}
        </InlineStack>
        {stale ? (
          <Text as="p" tone="caution">
            Fix the highlighted fields to update the preview.
          </Text>
        ) : null}
        {preview ? (
          <RenderedEmail preview={preview} senderLabel={senderLabel} />
        ) : (
          <Text as="p" tone="subdued">
            No preview yet.
          </Text>
        )}
        <BlockStack gap="200">
          <TextField
            label="Send a test to"
            type="email"
            autoComplete="email"
            value={testTo}
            onChange={onTestToChange}
            error={testError}
            helpText={sendHelp}
            connectedRight={
              <Button onClick={onSendTest} loading={sending}>
                Send test
              </Button>
            }
          />
        </BlockStack>
      </BlockStack>
    </Card>
  );
}

/** The envelope (sender, subject, preview text) over the sandboxed HTML. */
function RenderedEmail({ preview, senderLabel }: { preview: PreviewEmail; senderLabel: string }) {
  return (
    <BlockStack gap="200">
      <Box padding="200" background="bg-surface-secondary" borderRadius="200">
        <BlockStack gap="050">
          <Text as="p" variant="bodySm" tone="subdued">
            From {senderLabel}
          </Text>
          <Text as="p" fontWeight="semibold" breakWord>
            {preview.subject}
          </Text>
          {preview.preheader ? (
            <Text as="p" variant="bodySm" tone="subdued" breakWord>
              {preview.preheader}
            </Text>
          ) : null}
        </BlockStack>
      </Box>
      <iframe
        title={`Email preview: ${preview.subject}`}
        sandbox=""
        srcDoc={preview.html}
        style={{ width: "100%", height: 640, border: "1px solid var(--p-color-border, #e3e3e3)", borderRadius: 8, background: "#fff" }}
      />
      <Text as="p" variant="bodySm" tone="subdued">
        Sample data: Alex, two of your products in the cart and three recommended (samples until your store has five with images). Discount codes show as
        SAMPLE-CODE.
      </Text>
    </BlockStack>
  );
}

import { BlockStack, Box, Card, FormLayout, InlineStack, Layout, Text } from "@shopify/polaris";
import { DEFAULT_BRAND, readableTextOn, resolveBrandKit, type BrandValues } from "~/domain/recovery/brand";
import type { SettingsForm } from "./useSettingsForm";

/**
 * The recovery emails' brand kit: Shopify's brand settings unless overridden here. The sample
 * shows the button as the emails draw it (black or white text, whichever reads on the colour).
 */
export function BrandSection({ form, shopify }: { form: SettingsForm; shopify: BrandValues }) {
  const { field, values } = form;
  const kit = resolveBrandKit({ logoUrl: values.brandLogoUrl, primaryColor: values.brandColor, accentColor: values.brandAccentColor }, shopify);
  const from =
    shopify.logoUrl || shopify.primaryColor
      ? "Empty fields use your brand settings in Shopify (Settings → Brand)."
      : "Empty fields use a neutral look; set your brand in Shopify (Settings → Brand) or here.";
  return (
    <Layout.AnnotatedSection id="brand" title="Email branding" description={`The logo and colours of your recovery emails. ${from}`}>
      <Card>
        <BlockStack gap="400">
          <FormLayout>
            {field("brandLogoUrl", "Logo URL", {
              type: "url",
              placeholder: shopify.logoUrl ?? "https://cdn.shopify.com/…/logo.png",
              helpText: "An https:// image, shown 160 px wide at the top of each email.",
            })}
            <FormLayout.Group>
              {field("brandColor", "Brand colour", {
                placeholder: shopify.primaryColor ?? DEFAULT_BRAND.primaryColor,
                helpText: "Buttons and links, as #rrggbb.",
              })}
              {field("brandAccentColor", "Accent colour", {
                placeholder: shopify.accentColor ?? DEFAULT_BRAND.accentColor,
                helpText: "Behind the discount code.",
              })}
            </FormLayout.Group>
          </FormLayout>
          <InlineStack gap="300" blockAlign="center">
            {kit.logoUrl ? <img src={kit.logoUrl} alt="Your logo" width={80} style={{ maxHeight: 40, objectFit: "contain" }} /> : null}
            <Box padding="200" borderRadius="200" background="bg-surface-secondary">
              <span
                data-testid="brand-sample-button"
                style={{ background: kit.primaryColor, color: readableTextOn(kit.primaryColor), padding: "8px 16px", borderRadius: 6, display: "inline-block" }}
              >
                Complete my order
              </span>
            </Box>
            <span style={{ background: kit.accentColor, color: readableTextOn(kit.accentColor), padding: "8px 16px", borderRadius: 6 }}>SAMPLE-CODE</span>
            <Text as="span" tone="subdued">
              Sample
            </Text>
          </InlineStack>
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}

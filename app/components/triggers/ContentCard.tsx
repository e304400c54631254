import type { ReactNode } from "react";
import { SectionCard } from "~/components/editor/SectionCard";
import { FormLayout, Text } from "@shopify/polaris";
import { CONTENT_KINDS, LAYOUTS } from "~/domain/triggers";
import { CONTENT_LABELS, LAYOUT_LABELS } from "~/components/trigger-labels";
import { options, type TriggerFields } from "./fields";

/** What the overlay says, and the fields its kind adds. */
export function ContentCard({ f, title = "Content" }: { f: TriggerFields; title?: string }) {
  return (
    <SectionCard title={title}>
      <FormLayout>
        <FormLayout.Group>
          {f.select("content.kind", "Overlay shows", options(CONTENT_KINDS, CONTENT_LABELS))}
          {f.select(
            "content.layout",
            "Layout",
            options(LAYOUTS, LAYOUT_LABELS),
            "A top bar holds one line: messages and discount codes. Forms and products show as a corner slide-in there.",
          )}
        </FormLayout.Group>
        {f.text("content.headline", "Headline", { maxLength: 100, showCharacterCount: true })}
        {f.text("content.body", "Text", { multiline: 3, maxLength: 300, showCharacterCount: true })}
        {f.text("content.button", "Button text", {
          maxLength: 40,
          helpText: "Leave empty for the default for this overlay, in the shopper's language.",
        })}
        {kindFields(f, f.str("content.kind"))}
      </FormLayout>
    </SectionCard>
  );
}

const RECOMMENDATION_SOURCES = [
  { value: "related", label: "Related products" },
  { value: "complementary", label: "Complementary products (Search & Discovery)" },
];

/** A countdown and a teaser tab, for the kinds that offer a code. */
function offerFields(f: TriggerFields): ReactNode {
  return (
    <FormLayout.Group>
      {f.num("content.expiresMinutes", "Offer ends after (minutes)", {
        min: 0,
        max: 1440,
        helpText: "0 = no countdown. Counted from the shopper's first sight of the offer; give the code the same end in Shopify Discounts.",
      })}
      {f.text("content.teaser", "Teaser tab", {
        maxLength: 40,
        helpText: "Optional. A small tab that reopens the offer after the shopper closes it; each reopening counts in the frequency cap.",
      })}
    </FormLayout.Group>
  );
}

/**
 * The fields one content kind has and the others don't: one FormLayout child (or none), so
 * FormLayout lays it out as it does its own children.
 */
function kindFields(f: TriggerFields, kind: string): ReactNode {
  switch (kind) {
    case "cart_reminder":
      return (
        <>
          <Text as="p" tone="subdued">
            Products: the shopper's cart.
          </Text>
          {f.check("content.showCheckout", "Show a checkout button")}
        </>
      );
    case "recently_viewed":
      return (
        <>
          <Text as="p" tone="subdued">
            Products: the ones this shopper viewed, newest first.
          </Text>
          {f.num("content.limit", "Products shown", { min: 1, max: 8 })}
          {f.check("content.addToCart", "Add-to-cart buttons", "Each product gets a button that adds it to the cart without leaving the page.")}
        </>
      );
    case "recommendations":
      return (
        <FormLayout.Group>
          {f.select("content.intent", "Product source", RECOMMENDATION_SOURCES, "Shopify's recommendations for the product being viewed.")}
          {f.num("content.limit", "Products shown", { min: 1, max: 10 })}
          {f.check("content.addToCart", "Add-to-cart buttons", "Each product gets a button that adds it to the cart without leaving the page.")}
        </FormLayout.Group>
      );
    case "email_capture":
      return (
        <>
          {f.text("content.consentLabel", "Consent text", { helpText: "Leave empty for the default, in the shopper's language." })}
          {f.check("content.requireConsent", "Require the consent box to be ticked")}
          {f.text("content.successText", "Thank-you text")}
          {f.text("content.code", "Discount code after sign-up", { helpText: "Optional. Create the code in Shopify Discounts; Intentful shows it." })}
          {f.text("content.question", "Two-step question", {
            maxLength: 120,
            helpText: 'Optional. A yes-or-no question shown first ("Would you like 10% off?"); the form opens after a yes, no closes it.',
          })}
          {offerFields(f)}
        </>
      );
    case "discount_reveal":
      return (
        <>
          {f.text("content.code", "Discount code", { helpText: "Create the code in Shopify Discounts first; Intentful reveals it." })}
          {offerFields(f)}
        </>
      );
    case "message":
      return (
        <>
          {f.text("content.url", "Link", { placeholder: "/collections/all", helpText: "A page of your store (starting with /) or an https:// address." })}
          {f.money("content.goalCents", "Free-shipping goal", {
            helpText: "Optional. Shows a progress bar from the cart's value to this amount, and how much is still to go.",
          })}
        </>
      );
    default:
      return null;
  }
}

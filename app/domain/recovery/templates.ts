import type { FlowInput, FlowKind } from "./schema";

const greeting = 'Hi {{ first_name | default: "there" }},';

/**
 * Starting points offered in the editor. Only checkout recovery is on: it needs no
 * marketing consent (the shopper asked to buy) and Shopify sends the checkout webhooks
 * for it. Cart and browse follow-ups reach people who did not start a checkout, so they
 * wait for the merchant to switch them on and go only to marketing-consented shoppers.
 */
export const flowTemplates: Readonly<Record<FlowKind, FlowInput>> = {
  checkout: {
    name: "Checkout recovery",
    kind: "checkout",
    enabled: true,
    audience: "any_email",
    minCartCents: 0,
    holdoutPct: 10,
    respectQuiet: true,
    deliverVia: "email",
    steps: [
      {
        delayMinutes: 60,
        subject: "You left something in your checkout",
        preheader: "Your items are saved. Pick up where you left off.",
        body: [
          { type: "heading", text: "Still want these?" },
          { type: "text", text: `${greeting} we saved your checkout at {{ shop_name }} so you can finish in a click.` },
          { type: "items" },
          { type: "button", text: "Return to checkout" },
        ],
      },
      {
        delayMinutes: 24 * 60,
        subject: "Still thinking it over? Here is {{ discount }} off",
        preheader: "Your checkout is saved, and this code takes {{ discount }} off until {{ discount_expires }}.",
        body: [
          { type: "heading", text: "A little something to help you decide" },
          { type: "text", text: `${greeting} your items are still waiting. Finish your order today and save {{ discount }}.` },
          { type: "items" },
          { type: "discount" },
          { type: "button", text: "Complete my order" },
          { type: "recommendations" },
        ],
        discountPercent: 10,
        discountExpiryDays: 7,
      },
    ],
  },
  cart: {
    name: "Cart reminder",
    kind: "cart",
    enabled: false,
    audience: "marketing_consented",
    minCartCents: 0,
    holdoutPct: 10,
    respectQuiet: true,
    deliverVia: "email",
    steps: [
      {
        delayMinutes: 2 * 60,
        subject: "Your cart at {{ shop_name }} is waiting",
        preheader: "We kept your items for you.",
        body: [
          { type: "heading", text: "Your cart is waiting" },
          { type: "text", text: `${greeting} you left a few things in your cart. They are still there when you are ready.` },
          { type: "items" },
          { type: "button", text: "View my cart" },
          { type: "recommendations" },
        ],
      },
    ],
  },
  browse: {
    name: "Browse follow-up",
    kind: "browse",
    enabled: false,
    audience: "marketing_consented",
    minCartCents: 0,
    holdoutPct: 10,
    respectQuiet: true,
    deliverVia: "email",
    steps: [
      {
        delayMinutes: 4 * 60,
        subject: "Still looking?",
        preheader: "Here is what caught your eye at {{ shop_name }}.",
        body: [
          { type: "heading", text: "Still looking?" },
          { type: "text", text: `${greeting} here is what you were looking at. Take another look any time.` },
          { type: "items" },
          { type: "button", text: "Take another look" },
          { type: "recommendations", text: "You might also like" },
        ],
      },
    ],
  },
};

import { triggerInputSchema, type TriggerFormInput, type TriggerInput } from "./schema";

export const TEMPLATE_KEYS = [
  "exit_offer",
  "exit_intent_cart_reminder",
  "exit_intent_recommendations",
  "browse_abandonment",
  "cart_value_nudge",
  "returning_welcome",
  "first_visit_offer",
  "two_step_capture",
  "checkout_hesitation",
] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

/** Short copy for the template picker. */
export const templateInfo: Record<TemplateKey, { title: string; description: string }> = {
  exit_offer: {
    title: "Exit offer with countdown",
    description: "A shopper turns to leave: reveal a discount that runs out in 15 minutes, with a tab to reopen it.",
  },
  exit_intent_cart_reminder: {
    title: "Cart reminder on exit",
    description: "A shopper with items in the cart is about to leave: show the cart with a checkout button.",
  },
  exit_intent_recommendations: {
    title: "Recommendations on exit",
    description: "A shopper leaves a product page without buying: suggest related products.",
  },
  browse_abandonment: {
    title: "Browse abandonment",
    description: "A shopper viewed the same product twice and goes idle or leaves: bring back what they viewed.",
  },
  cart_value_nudge: {
    title: "Free-shipping progress",
    description: "A top bar shows how far the cart is from free shipping, and points the shopper to more products.",
  },
  returning_welcome: {
    title: "Welcome back",
    description: "A returning visitor starts a new visit: greet them with a small offer.",
  },
  first_visit_offer: {
    title: "First-visit sign-up",
    description: "A new visitor has read for a while: offer a discount for their email address.",
  },
  two_step_capture: {
    title: "Two-step sign-up",
    description: "Ask a yes-or-no question first; the email form opens only after a yes, so fewer shoppers feel ambushed.",
  },
  checkout_hesitation: {
    title: "Checkout hesitation",
    description: "A shopper with a full cart hesitates on the cart page or turns to leave: offer a small discount.",
  },
};

const raw: Record<TemplateKey, TriggerFormInput> = {
  exit_offer: {
    name: "Exit offer with countdown",
    type: "exit_intent",
    conditions: { minSeconds: 10 },
    segment: { purchaser: "first_time" },
    content: {
      kind: "discount_reveal",
      headline: "Wait, take 10% with you",
      body: "Use it on anything in the store. The code is yours for the next 15 minutes.",
      code: "STAY10",
      expiresMinutes: 15,
      teaser: "10% off",
    },
    frequencyCap: { perSession: 3, perPeriod: { count: 4, days: 7 } },
    priority: 70,
  },
  exit_intent_cart_reminder: {
    name: "Cart reminder on exit",
    type: "exit_intent",
    conditions: { minCartItems: 1, pageTypes: [] },
    content: {
      kind: "cart_reminder",
      headline: "Your cart is waiting",
      body: "Your items are saved. Complete your order before they sell out.",
      showCheckout: true,
    },
    frequencyCap: { perSession: 1, perPeriod: { count: 1, days: 1 } },
    priority: 90,
  },
  exit_intent_recommendations: {
    name: "Recommendations on exit",
    type: "exit_intent",
    conditions: { pageTypes: ["product"], minSeconds: 5 },
    content: {
      kind: "recommendations",
      headline: "Before you go",
      body: "Shoppers who looked at this also liked these.",
      intent: "related",
      limit: 4,
    },
    frequencyCap: { perSession: 1, perPeriod: { count: 2, days: 7 } },
    priority: 50,
  },
  browse_abandonment: {
    name: "Browse abandonment",
    type: "exit_intent",
    conditions: { minProductViews: 2, exit: { idleSec: 45 } },
    content: {
      kind: "recently_viewed",
      headline: "Still thinking it over?",
      body: "Here is what you looked at.",
      limit: 4,
    },
    frequencyCap: { perSession: 1, perPeriod: { count: 1, days: 3 } },
    priority: 40,
  },
  cart_value_nudge: {
    name: "Free-shipping progress",
    type: "cart_change",
    conditions: { minCartItems: 1, maxCartCents: 5000 },
    segment: { minCartCents: 2000 },
    content: {
      kind: "message",
      headline: "You're close to free shipping",
      body: "Add a little more to your cart and shipping is on us.",
      button: "Keep shopping",
      url: "/collections/all",
      layout: "bar",
      goalCents: 5000,
    },
    frequencyCap: { perSession: 1 },
    priority: 60,
  },
  returning_welcome: {
    name: "Welcome back",
    type: "page_engagement",
    conditions: { minSeconds: 3, minDaysAway: 1 },
    segment: { visitor: "returning" },
    content: {
      kind: "discount_reveal",
      headline: "Welcome back",
      body: "Good to see you again. Here is 10% off your next order.",
      code: "WELCOMEBACK10",
      layout: "slide_in",
    },
    frequencyCap: { perSession: 1, perPeriod: { count: 1, days: 14 }, stopAfterDismiss: true },
    priority: 30,
  },
  first_visit_offer: {
    name: "First-visit sign-up",
    type: "page_engagement",
    conditions: { minSeconds: 8, scrollPct: 30 },
    segment: { visitor: "new", purchaser: "first_time" },
    content: {
      kind: "email_capture",
      headline: "Get 10% off your first order",
      body: "Join our list for new arrivals and offers.",
      code: "WELCOME10",
      requireConsent: true,
    },
    frequencyCap: { perSession: 1, perPeriod: { count: 1, days: 5 }, stopAfterDismiss: true },
    priority: 20,
  },
  two_step_capture: {
    name: "Two-step sign-up",
    type: "page_engagement",
    conditions: { minSeconds: 15, minPages: 2 },
    segment: { visitor: "new", purchaser: "first_time" },
    content: {
      kind: "email_capture",
      headline: "New here?",
      question: "Would you like 10% off your first order?",
      body: "",
      code: "HELLO10",
      requireConsent: true,
      layout: "slide_in",
    },
    frequencyCap: { perSession: 1, perPeriod: { count: 1, days: 7 }, stopAfterDismiss: true },
    priority: 25,
  },
  checkout_hesitation: {
    name: "Checkout hesitation",
    type: "exit_intent",
    conditions: { pageTypes: ["cart"], minCartItems: 1, minTier: "high", exit: { idleSec: 30 } },
    content: {
      kind: "discount_reveal",
      headline: "Need a little nudge?",
      body: "Complete your order today and save 5%.",
      code: "COMPLETE5",
    },
    frequencyCap: { perSession: 1, perPeriod: { count: 1, days: 7 } },
    priority: 100,
  },
};

/** Each template as a complete, valid trigger input (defaults filled in, disabled until the merchant turns it on). */
export const triggerTemplates = Object.fromEntries(TEMPLATE_KEYS.map((key) => [key, triggerInputSchema.parse(raw[key])])) as Record<TemplateKey, TriggerInput>;

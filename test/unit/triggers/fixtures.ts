import { compileConfig, type TriggerRow } from "~/domain/triggers/compile";
import { triggerInputSchema, type TriggerFormInput } from "~/domain/triggers/schema";
import type { CompiledConfig, VisitorState } from "~/domain/triggers/types";

export const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
export const DAY = 86_400_000;

/** A first-time visitor on a product page, desktop, with consent, nothing shown yet. */
export function visitor(overrides: Partial<VisitorState> = {}): VisitorState {
  return {
    visitorId: "visitor-1",
    visits: 1,
    daysSinceLastVisit: null,
    pagesThisSession: 1,
    pageType: "product",
    productViews: 1,
    cartItems: 0,
    cartCents: 0,
    cartAdds: 0,
    checkoutStarted: false,
    msOnPage: 10_000,
    scrollPct: 0,
    idleMs: 0,
    device: "desktop",
    source: "direct",
    country: "US",
    customer: { loggedIn: false, ordersCount: 0, aovCents: 0 },
    discountSensitive: false,
    consent: { analytics: true, marketing: true },
    caps: { page: 0, session: 0, byTrigger: {} },
    ...overrides,
  };
}

let n = 0;
/** A DB-shaped row from form input (parsed, so defaults are filled in like the admin would store them). */
export function row(input: TriggerFormInput, extra: Partial<TriggerRow> = {}): TriggerRow {
  const t = triggerInputSchema.parse(input);
  n++;
  return { id: `t${n}`, salt: `salt-${n}`, ...t, enabled: true, ...extra };
}

export function config(rows: TriggerRow[], overlaysPerSession = 3): CompiledConfig {
  return compileConfig(rows, { overlaysPerSession });
}

export const exitRecommendations: TriggerFormInput = {
  name: "Exit recs",
  type: "exit_intent",
  conditions: { pageTypes: ["product"] },
  content: { kind: "recommendations", headline: "Before you go" },
  holdoutPct: 0,
};

export const mouseExit = { kind: "exit", via: "mouse", y: 5, xPct: 50 } as const;

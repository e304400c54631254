/**
 * Every job kind the worker runs and the payload it carries: `enqueue` checks a known kind's
 * payload against this map at compile time, and `jobHandlers()` must handle each kind with a
 * handler for its payload. (Handlers that read untrusted JSON still parse it with zod at run
 * time: a payload written by an older release may differ.)
 */
export interface JobPayloads {
  "publish-rules": { shop: string };
  "recovery.start": { shop: string; checkoutToken: string };
  "recovery.cart": { shop: string; cartToken: string };
  "recovery.browse": { shop: string; visitorId: string; productId: string };
  "recovery.step": { runId: string; stepId: string; position?: number };
  "recovery.flow-trigger": { runId: string };
  "contact.sync": { shop: string; email: string; marketingConsent: boolean; level?: "SINGLE_OPT_IN" | "CONFIRMED_OPT_IN" };
  "contact.confirm": { shop: string; email: string };
  "order.attribute": { shop: string; orderId: string };
  "privacy.export": { shop: string; customer: CustomerRef };
  "privacy.redact-customer": { shop: string; customer: CustomerRef; orders?: Array<string | number> };
  "privacy.redact-shop": { shop: string };
  "retention.sweep": Record<string, never>;
  "experiments.auto-promote": Record<string, never>;
}

export type CustomerRef = { id?: string | null; email?: string | null };

export type JobKind = keyof JobPayloads;

/** A known kind's payload; any other kind (tests, a kind from a newer release) carries unknown. */
export type PayloadOf<K extends string> = K extends JobKind ? JobPayloads[K] : unknown;

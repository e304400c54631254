import { SessionNotFoundError } from "@shopify/shopify-app-remix/server";
import { z } from "zod";
import type { Db } from "~/db.server";
import { unauthenticated } from "~/shopify.server";
import { adminQuery, AdminApiError, type AdminGraphql } from "./admin-graphql.server";
import { enqueue } from "./jobs.server";
import { logger } from "./logger.server";

/**
 * Emails captured on the storefront. Anyone can type anyone's address into a storefront form, so
 * a capture is a claim, not proof:
 * - a Contact row per shop and email, tied to the visitor id that first gave it — a later capture
 *   never moves it to another visitor (that would hand the owner's flows to whoever typed it);
 * - with the consent box ticked and the shop on double opt-in (the default), a confirmation email
 *   with a signed link (`contact.confirm`, once per contact); marketing consent, the Shopify sync
 *   as SUBSCRIBED / CONFIRMED_OPT_IN and the cart and browse flows only once it is followed;
 * - on single opt-in, consent at once (SINGLE_OPT_IN), but never over a Shopify customer who
 *   unsubscribed (syncContact);
 * - the consent evidence (when, where, the words shown) on the Contact.
 * Consent is only ever added here, never withdrawn: a capture without the box is not an unsubscribe.
 */
export const CONTACT_SYNC = "contact.sync";
export const CONTACT_CONFIRM = "contact.confirm";

export const contactSyncPayload = z.object({
  shop: z.string().min(1),
  email: z.string().email(),
  marketingConsent: z.boolean(),
  /** how the consent was given; a confirmed (double) opt-in may re-subscribe an unsubscribed customer */
  level: z.enum(["SINGLE_OPT_IN", "CONFIRMED_OPT_IN"]).default("SINGLE_OPT_IN"),
});
export type ContactSyncPayload = z.input<typeof contactSyncPayload>;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface CapturedEmail {
  shop: string;
  email: string;
  visitorId: string;
  marketingConsent: boolean;
  /** the overlay it was given in, for the consent evidence */
  triggerId?: string | null;
}

/** The words beside the consent box when the trigger sets none (the theme's locale default). */
export const DEFAULT_CONSENT_TEXT = "Email me news and offers. I can unsubscribe at any time.";

async function consentEvidence(db: Db, shop: string, triggerId: string | null | undefined) {
  const trigger = triggerId ? await db.trigger.findFirst({ where: { shop, id: triggerId }, select: { id: true, name: true, content: true } }) : null;
  const label = (trigger?.content as { consentLabel?: string } | null)?.consentLabel;
  return {
    consentSource: trigger ? `storefront overlay "${trigger.name}" (${trigger.id})` : "storefront overlay",
    consentText: label?.trim() || DEFAULT_CONSENT_TEXT,
  };
}

/** Creates or updates the Contact; then the Shopify sync, or the confirmation email first. */
export async function recordCapturedEmail(db: Db, input: CapturedEmail, now: Date = new Date()): Promise<void> {
  const email = normalizeEmail(input.email);
  const shop = await db.shop.findUnique({ where: { shop: input.shop }, select: { optIn: true } });
  const double = (shop?.optIn ?? "double") !== "single";
  const existing = await db.contact.findUnique({ where: { shop_email: { shop: input.shop, email } } });
  const wantsConsent = input.marketingConsent && !existing?.marketingConsent && existing?.consentStatus !== "refused";
  const evidence = wantsConsent ? await consentEvidence(db, input.shop, input.triggerId) : {};
  const consent = !wantsConsent
    ? {}
    : double
      ? existing?.consentStatus === "pending"
        ? {}
        : { consentStatus: "pending", ...evidence }
      : { marketingConsent: true, consentStatus: "confirmed", consentLevel: "SINGLE_OPT_IN", consentAt: now, ...evidence };
  if (!existing) {
    try {
      await db.contact.create({ data: { shop: input.shop, email, visitorId: input.visitorId, ...consent } });
    } catch (error) {
      // created by a concurrent capture: treat as existing (its visitor stays)
      if ((error as { code?: string }).code !== "P2002") throw error;
      if (Object.keys(consent).length) await db.contact.updateMany({ where: { shop: input.shop, email, marketingConsent: false }, data: consent });
    }
  } else if (Object.keys(consent).length) {
    // never the visitor id: an existing contact stays with the visitor that first gave the address
    await db.contact.update({ where: { id: existing.id }, data: consent });
  }
  if (wantsConsent && double) {
    // one confirmation per contact, however often the address is typed in
    await enqueue(db, {
      kind: CONTACT_CONFIRM,
      shop: input.shop,
      payload: { shop: input.shop, email },
      runAt: now,
      dedupeKey: `contact.confirm:${input.shop}:${email}`,
    });
    return;
  }
  await enqueue(db, {
    kind: CONTACT_SYNC,
    shop: input.shop,
    payload: { shop: input.shop, email, marketingConsent: wantsConsent && !double, level: "SINGLE_OPT_IN" } satisfies ContactSyncPayload,
  });
}

const CUSTOMER_BY_EMAIL = `#graphql
  query IntentfulCustomerByEmail($query: String!) {
    customers(first: 1, query: $query) {
      nodes {
        id
        defaultEmailAddress { marketingState }
      }
    }
  }`;

const CUSTOMER_CREATE = `#graphql
  mutation IntentfulCustomerCreate($input: CustomerInput!) {
    customerCreate(input: $input) {
      customer { id }
      userErrors { field message }
    }
  }`;

const CUSTOMER_CONSENT = `#graphql
  mutation IntentfulCustomerConsent($input: CustomerEmailMarketingConsentUpdateInput!) {
    customerEmailMarketingConsentUpdate(input: $input) {
      customer { id }
      userErrors { field message }
    }
  }`;

interface UserError {
  field?: string[] | null;
  message: string;
}

function subscribed(now: Date, level: "SINGLE_OPT_IN" | "CONFIRMED_OPT_IN") {
  return { marketingState: "SUBSCRIBED", marketingOptInLevel: level, consentUpdatedAt: now.toISOString() };
}

export async function findCustomer(admin: AdminGraphql, email: string) {
  const data = await adminQuery<{
    customers: { nodes: Array<{ id: string; defaultEmailAddress?: { marketingState?: string } | null }> };
  }>(admin, CUSTOMER_BY_EMAIL, { query: `email:${email}` });
  return data.customers.nodes[0] ?? null;
}

export type SyncOutcome = { customerId: string; action: "created" | "subscribed" | "unchanged" | "kept_unsubscribed" };

/**
 * Finds the shop's customer by email or creates one; with consent, records email marketing
 * consent (SUBSCRIBED, single opt-in). Stores the customer id on the Contact.
 */
export async function syncContact(db: Db, payload: ContactSyncPayload, admin: AdminGraphql, now: Date = new Date()): Promise<SyncOutcome> {
  const { shop, marketingConsent, level } = contactSyncPayload.parse(payload);
  const email = normalizeEmail(payload.email);
  let outcome: SyncOutcome;

  let customer = await findCustomer(admin, email);
  if (!customer) {
    const result = await adminQuery<{ customerCreate: { customer: { id: string } | null; userErrors: UserError[] } }>(admin, CUSTOMER_CREATE, {
      input: { email, ...(marketingConsent ? { emailMarketingConsent: subscribed(now, level) } : {}) },
    });
    const errors = result.customerCreate.userErrors;
    if (result.customerCreate.customer && !errors.length) {
      outcome = { customerId: result.customerCreate.customer.id, action: "created" };
    } else {
      // Someone created the customer in between (a checkout, another capture): use theirs.
      customer = await findCustomer(admin, email);
      if (!customer) throw new AdminApiError(`customerCreate failed: ${errors.map((e) => e.message).join("; ")}`, false);
    }
  }
  if (customer) {
    outcome = { customerId: customer.id, action: "unchanged" };
    const state = customer.defaultEmailAddress?.marketingState;
    if (marketingConsent && state === "UNSUBSCRIBED" && level !== "CONFIRMED_OPT_IN") {
      // The customer unsubscribed; a storefront form anyone can fill in does not undo that.
      outcome = { customerId: customer.id, action: "kept_unsubscribed" };
      await db.contact.updateMany({
        where: { shop, email },
        data: { marketingConsent: false, consentStatus: "refused", consentLevel: null, consentAt: null },
      });
    } else if (marketingConsent && state !== "SUBSCRIBED") {
      const result = await adminQuery<{ customerEmailMarketingConsentUpdate: { userErrors: UserError[] } }>(admin, CUSTOMER_CONSENT, {
        input: { customerId: customer.id, emailMarketingConsent: subscribed(now, level) },
      });
      const errors = result.customerEmailMarketingConsentUpdate.userErrors;
      if (errors.length) throw new AdminApiError(`customerEmailMarketingConsentUpdate failed: ${errors.map((e) => e.message).join("; ")}`, false);
      outcome = { customerId: customer.id, action: "subscribed" };
    }
  }
  await db.contact.updateMany({ where: { shop, email }, data: { customerId: outcome!.customerId } });
  return outcome!;
}

/** The contact.sync job (wired in job-handlers.server.ts). */
export async function contactSyncJob(db: Db, raw: unknown): Promise<void> {
  const payload = contactSyncPayload.parse(raw);
  let admin: AdminGraphql;
  try {
    ({ admin } = await unauthenticated.admin(payload.shop));
  } catch (error) {
    if (error instanceof SessionNotFoundError) {
      // Uninstalled (no offline session): there is no store to sync to; retrying cannot help.
      logger.warn("contact.sync skipped: the shop has no session", { shop: payload.shop });
      return;
    }
    throw error;
  }
  const outcome = await syncContact(db, payload, admin);
  logger.info("contact synced", { shop: payload.shop, action: outcome.action });
}

import { SessionNotFoundError } from "@shopify/shopify-app-remix/server";
import { z } from "zod";
import db, { type Db } from "~/db.server";
import { unauthenticated } from "~/shopify.server";
import { adminQuery, AdminApiError, type AdminGraphql } from "./admin-graphql.server";
import { enqueue } from "./jobs.server";
import { logger } from "./logger.server";

/**
 * Emails captured on the storefront: a Contact row per shop and email (tied to the visitor id),
 * and a job that syncs the person to Shopify as a customer, subscribed to email marketing when
 * they ticked the consent box. Consent is only ever added here, never withdrawn: a later capture
 * without the box ticked is not an unsubscribe.
 */
export const CONTACT_SYNC = "contact.sync";

export const contactSyncPayload = z.object({
  shop: z.string().min(1),
  email: z.string().email(),
  marketingConsent: z.boolean(),
});
export type ContactSyncPayload = z.infer<typeof contactSyncPayload>;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface CapturedEmail {
  shop: string;
  email: string;
  visitorId: string;
  marketingConsent: boolean;
}

/** Creates or updates the Contact and enqueues the Shopify sync. */
export async function recordCapturedEmail(input: CapturedEmail, database: Db = db): Promise<void> {
  const email = normalizeEmail(input.email);
  await database.contact.upsert({
    where: { shop_email: { shop: input.shop, email } },
    create: { shop: input.shop, email, visitorId: input.visitorId, marketingConsent: input.marketingConsent },
    update: { visitorId: input.visitorId, ...(input.marketingConsent ? { marketingConsent: true } : {}) },
    select: { id: true },
  });
  await enqueue(database, {
    kind: CONTACT_SYNC,
    shop: input.shop,
    payload: { shop: input.shop, email, marketingConsent: input.marketingConsent } satisfies ContactSyncPayload,
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

function subscribed(now: Date) {
  return { marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN", consentUpdatedAt: now.toISOString() };
}

async function findCustomer(admin: AdminGraphql, email: string) {
  const data = await adminQuery<{
    customers: { nodes: Array<{ id: string; defaultEmailAddress?: { marketingState?: string } | null }> };
  }>(admin, CUSTOMER_BY_EMAIL, { query: `email:${email}` });
  return data.customers.nodes[0] ?? null;
}

export type SyncOutcome = { customerId: string; action: "created" | "subscribed" | "unchanged" };

/**
 * Finds the shop's customer by email or creates one; with consent, records email marketing
 * consent (SUBSCRIBED, single opt-in). Stores the customer id on the Contact.
 */
export async function syncContact(
  payload: ContactSyncPayload,
  admin: AdminGraphql,
  options: { database?: Db; now?: Date } = {},
): Promise<SyncOutcome> {
  const { shop, marketingConsent } = contactSyncPayload.parse(payload);
  const email = normalizeEmail(payload.email);
  const now = options.now ?? new Date();
  let outcome: SyncOutcome;

  let customer = await findCustomer(admin, email);
  if (!customer) {
    const result = await adminQuery<{ customerCreate: { customer: { id: string } | null; userErrors: UserError[] } }>(admin, CUSTOMER_CREATE, {
      input: { email, ...(marketingConsent ? { emailMarketingConsent: subscribed(now) } : {}) },
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
    if (marketingConsent && customer.defaultEmailAddress?.marketingState !== "SUBSCRIBED") {
      const result = await adminQuery<{ customerEmailMarketingConsentUpdate: { userErrors: UserError[] } }>(admin, CUSTOMER_CONSENT, {
        input: { customerId: customer.id, emailMarketingConsent: subscribed(now) },
      });
      const errors = result.customerEmailMarketingConsentUpdate.userErrors;
      if (errors.length) throw new AdminApiError(`customerEmailMarketingConsentUpdate failed: ${errors.map((e) => e.message).join("; ")}`, false);
      outcome = { customerId: customer.id, action: "subscribed" };
    }
  }
  await (options.database ?? db).contact.updateMany({ where: { shop, email }, data: { customerId: outcome!.customerId } });
  return outcome!;
}

/** The contact.sync job (wired in job-handlers.server.ts). */
export async function contactSyncJob(raw: unknown): Promise<void> {
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
  const outcome = await syncContact(payload, admin);
  logger.info("contact synced", { shop: payload.shop, action: outcome.action });
}

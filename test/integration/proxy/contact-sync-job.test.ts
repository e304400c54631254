import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startMockAdminApi } from "~/demo/mock-admin.server";
import { readDemoState } from "~/demo/shopify-state.server";
import { seedSession } from "../../support/shopify";
import { installTestDb } from "./helpers";

// The library captures globalThis.fetch when its adapter loads, so the Admin API mock (msw) has
// to be listening before anything imports ~/shopify.server — as server.ts does in the demo.
const dir = mkdtempSync(path.join(os.tmpdir(), "intentful-contacts-"));
process.env.DEMO_STATE_FILE = path.join(dir, "state.json");
const mock = startMockAdminApi();
const t = await installTestDb();
const { CONTACT_SYNC, recordCapturedEmail } = await import("~/services/contacts.server");
const { jobHandlers } = await import("~/services/job-handlers.server");
const { drainDue } = await import("~/services/jobs.server");

afterAll(async () => {
  mock.close();
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const SHOP = "shop-a.myshopify.com";

describe("contact.sync job", () => {
  it("creates the customer, subscribed (single opt-in), through the library's Admin client", async () => {
    // GIVEN an installed shop on single opt-in and a captured email with consent
    await seedSession(t.db, SHOP);
    await t.db.shop.upsert({ where: { shop: SHOP }, create: { shop: SHOP, optIn: "single" }, update: { optIn: "single" } });
    await recordCapturedEmail(t.db, { shop: SHOP, email: "Job@Example.com", visitorId: "v9", marketingConsent: true });
    expect(jobHandlers()[CONTACT_SYNC]).toBeTypeOf("function");
    // WHEN the worker runs the queue
    const result = await drainDue({ db: t.db, handlers: jobHandlers() });
    // THEN the store has the customer, subscribed, and the contact knows its id
    const job = await t.db.job.findFirstOrThrow({ where: { kind: CONTACT_SYNC } });
    expect({ ...result, lastError: job.lastError }).toEqual({ ran: 1, failed: 0, lastError: null });
    const customer = readDemoState().customers.find((c) => c.email === "job@example.com");
    expect(customer).toMatchObject({ emailMarketingConsent: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN" });
    const contact = await t.db.contact.findUniqueOrThrow({ where: { shop_email: { shop: SHOP, email: "job@example.com" } } });
    expect(contact.customerId).toBe(customer!.id);
  });

  it("finishes without retrying when the shop has no session (uninstalled)", async () => {
    await recordCapturedEmail(t.db, { shop: "gone.myshopify.com", email: "x@example.com", visitorId: "v", marketingConsent: true });
    const result = await drainDue({ db: t.db, handlers: jobHandlers() });
    expect(result).toEqual({ ran: 1, failed: 0 });
  });
});

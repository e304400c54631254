import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AdminGraphql } from "~/services/admin-graphql.server";
import { recordCapturedEmail, syncContact } from "~/services/contacts.server";
import { installTestDb, type ProxyTestDb } from "./helpers";

let t: ProxyTestDb;
const SHOP = "shop-a.myshopify.com";
const NOW = new Date("2026-11-20T10:00:00Z");

beforeAll(async () => {
  t = await installTestDb();
});
afterAll(async () => {
  await t.cleanup();
});
beforeEach(async () => {
  await t.db.contact.deleteMany({});
  await t.db.job.deleteMany({});
});

type Call = { name: string; variables: Record<string, any> };

/** An Admin API stand-in answering by operation name, recording what was asked. */
function fakeAdmin(customers: Array<{ id: string; email: string; state?: string }> = []) {
  const calls: Call[] = [];
  const admin: AdminGraphql = {
    async graphql(query, options) {
      const name = /\b(?:query|mutation)\s+(\w+)/.exec(query)![1];
      const variables: Call["variables"] = options?.variables ?? {};
      calls.push({ name, variables });
      let data: unknown;
      if (name === "IntentfulCustomerByEmail") {
        const email = String(variables.query).replace(/^email:/, "");
        const c = customers.find((x) => x.email === email);
        data = { customers: { nodes: c ? [{ id: c.id, defaultEmailAddress: { marketingState: c.state ?? "NOT_SUBSCRIBED" } }] : [] } };
      } else if (name === "IntentfulCustomerCreate") {
        data = { customerCreate: { customer: { id: "gid://shopify/Customer/900" }, userErrors: [] } };
      } else if (name === "IntentfulCustomerConsent") {
        data = { customerEmailMarketingConsentUpdate: { customer: { id: variables.input.customerId }, userErrors: [] } };
      }
      return Response.json({ data });
    },
  };
  return { admin, calls };
}

describe("contact sync", () => {
  it("creates a missing customer subscribed to email marketing (single opt-in)", async () => {
    await recordCapturedEmail(t.db, { shop: SHOP, email: "new@example.com", visitorId: "v1", marketingConsent: true });
    const { admin, calls } = fakeAdmin();
    const outcome = await syncContact(t.db, { shop: SHOP, email: "new@example.com", marketingConsent: true }, admin, NOW);
    expect(outcome).toEqual({ customerId: "gid://shopify/Customer/900", action: "created" });
    expect(calls.map((c) => c.name)).toEqual(["IntentfulCustomerByEmail", "IntentfulCustomerCreate"]);
    expect(calls[0].variables).toEqual({ query: "email:new@example.com" });
    expect(calls[1].variables.input).toEqual({
      email: "new@example.com",
      emailMarketingConsent: { marketingState: "SUBSCRIBED", marketingOptInLevel: "SINGLE_OPT_IN", consentUpdatedAt: NOW.toISOString() },
    });
    const contact = await t.db.contact.findUniqueOrThrow({ where: { shop_email: { shop: SHOP, email: "new@example.com" } } });
    expect(contact.customerId).toBe("gid://shopify/Customer/900");
  });

  it("creates a customer without consent when the box was not ticked", async () => {
    const { admin, calls } = fakeAdmin();
    await syncContact(t.db, { shop: SHOP, email: "quiet@example.com", marketingConsent: false }, admin, NOW);
    expect(calls[1].variables.input).toEqual({ email: "quiet@example.com" });
  });

  it("subscribes an existing customer who consented", async () => {
    const { admin, calls } = fakeAdmin([{ id: "gid://shopify/Customer/5", email: "known@example.com" }]);
    const outcome = await syncContact(t.db, { shop: SHOP, email: "known@example.com", marketingConsent: true }, admin, NOW);
    expect(outcome.action).toBe("subscribed");
    expect(calls.map((c) => c.name)).toEqual(["IntentfulCustomerByEmail", "IntentfulCustomerConsent"]);
    expect(calls[1].variables.input).toMatchObject({ customerId: "gid://shopify/Customer/5", emailMarketingConsent: { marketingState: "SUBSCRIBED" } });
  });

  it("changes nothing for an existing customer without consent, or one already subscribed", async () => {
    const a = fakeAdmin([{ id: "gid://shopify/Customer/6", email: "a@example.com" }]);
    expect((await syncContact(t.db, { shop: SHOP, email: "a@example.com", marketingConsent: false }, a.admin)).action).toBe("unchanged");
    const b = fakeAdmin([{ id: "gid://shopify/Customer/7", email: "b@example.com", state: "SUBSCRIBED" }]);
    expect((await syncContact(t.db, { shop: SHOP, email: "b@example.com", marketingConsent: true }, b.admin)).action).toBe("unchanged");
    expect([...a.calls, ...b.calls].map((c) => c.name)).toEqual(["IntentfulCustomerByEmail", "IntentfulCustomerByEmail"]);
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../support/db";

/**
 * customers/redact leaves nothing of the customer, and customers/data_request exports the same
 * set (issue 15). The personal-data columns are derived from prisma/schema.prisma: every column
 * named like an email, a customer id, a visitor id or a cart token, and every Json column. The
 * test seeds the customer into each of them (a column added later fails here until it is seeded
 * and erased), runs the redact, then reads every row of every model and finds none of the
 * customer's identifiers — only the suppression's hash, which keeps an unsubscribe honoured.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const SHOP = "erase.myshopify.com";
const OTHER = "keep.myshopify.com";
const EMAIL = "erase.me@example.com";
const CUSTOMER = "603851970716743426";
const GID = `gid://shopify/Customer/${CUSTOMER}`;
const V1 = "v-erase-laptop";
const V2 = "v-erase-phone"; // tied only by an event that carried their cart's token
const CART = "ct-erase-0123456789";
const NEEDLES = [EMAIL, CUSTOMER, V1, V2, CART];

/**
 * The Session table is the merchant's staff login (Shopify's session storage), not a customer's;
 * Shop.shopifyBrand is the shop's own brand (logo URL and colours from Shopify's brand settings);
 * an ExperimentRecord is an ended A/B test's arms (the merchant's copy) and aggregate figures.
 */
const NOT_CUSTOMER_DATA = new Set(["Session.email", "Shop.shopifyBrand", "ExperimentRecord.arms", "ExperimentRecord.summary"]);
const PERSONAL = /^(email|customerId|visitorId|cartToken|token)$/;

function schemaColumns() {
  const schema = readFileSync(path.join(ROOT, "prisma/schema.prisma"), "utf8");
  const models: Record<string, Array<{ name: string; type: string }>> = {};
  for (const m of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    models[m[1]] = m[2]
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("//") && !l.startsWith("@@"))
      .map((l) => {
        const [name, type] = l.split(/\s+/);
        return { name, type: type.replace(/[?[\]]/g, "") };
      });
  }
  return models;
}
const MODELS = schemaColumns();
const personalColumns = Object.entries(MODELS)
  .flatMap(([model, cols]) => cols.filter((c) => PERSONAL.test(c.name) || c.type === "Json").map((c) => `${model}.${c.name}`))
  .filter((c) => !NOT_CUSTOMER_DATA.has(c))
  .sort();

let t: TestDb;
const delegate = (model: string) => (t.db as unknown as Record<string, { findMany(a?: object): Promise<unknown[]> }>)[model[0].toLowerCase() + model.slice(1)];

/** What the seed below puts the customer into: each personal column of the schema must be here. */
const SEEDED = [
  "Attribution.visitorId",
  "Cart.customerId",
  "Cart.email",
  "Cart.lineItems",
  "Cart.token",
  "Cart.visitorId",
  "Checkout.cartToken",
  "Checkout.customerId",
  "Checkout.email",
  "Checkout.lineItems",
  "Checkout.token",
  "Checkout.visitorId",
  "Contact.customerId",
  "Contact.email",
  "Contact.visitorId",
  "DataExport.customerId",
  "DataExport.email",
  "DataExport.payload",
  "Event.cartToken",
  "Event.visitorId",
  "Exposure.visitorId",
  "FlowRun.cartToken",
  "FlowRun.customerId",
  "FlowRun.email",
  "FlowRun.visitorId",
  "Job.payload",
  "Message.email",
  "Order.cartToken",
  "Order.customerId",
  "Order.email",
  "Order.visitorId",
  "RecoveryStep.body",
  "RecoveryStep.variants",
  "Suppression.email",
  "Trigger.conditions",
  "Trigger.content",
  "Trigger.frequencyCap",
  "Trigger.segment",
  "Trigger.variants",
].sort();

async function seed(shop: string) {
  const db = t.db;
  const flow = await db.recoveryFlow.create({ data: { shop, name: "Checkout recovery", kind: "checkout" } });
  // the merchant's copy (Json), no customer data: seeded so the scan covers the table
  const step = await db.recoveryStep.create({
    data: {
      flowId: flow.id,
      position: 0,
      delayMinutes: 60,
      subject: "Back?",
      body: [{ type: "text", text: "Hi" }],
      // an A/B test: the merchant's copy again
      variants: [
        { id: "arma", weight: 50 },
        { id: "armb", weight: 50, step: { delayMinutes: 120, subject: "Still there?", preheader: "", body: [{ type: "text", text: "Hello" }] } },
      ],
      testStartedAt: new Date(),
    },
  });
  const checkout = await db.checkout.create({
    data: {
      shop,
      token: `tok-${shop}`,
      cartToken: CART,
      email: EMAIL,
      customerId: CUSTOMER,
      visitorId: V1,
      lineItems: [{ title: "Shirt", email: EMAIL }],
      shopifyUpdatedAt: new Date(),
    },
  });
  await db.cart.create({
    data: { shop, token: CART, visitorId: V1, email: EMAIL, customerId: CUSTOMER, lineItems: [{ title: "Shirt" }], shopifyUpdatedAt: new Date() },
  });
  await db.order.create({
    data: {
      shop,
      orderId: `9${shop.length}`,
      email: EMAIL,
      customerId: CUSTOMER,
      visitorId: V1,
      cartToken: CART,
      checkoutToken: checkout.token,
      totalCents: 5000,
      orderedAt: new Date(),
    },
  });
  await db.contact.create({ data: { shop, email: EMAIL, customerId: GID, visitorId: V2, marketingConsent: true, consentStatus: "confirmed" } });
  const run = await db.flowRun.create({
    data: {
      shop,
      flowId: flow.id,
      subjectKey: `checkout:${checkout.token}`,
      checkoutId: checkout.id,
      cartToken: CART,
      email: EMAIL,
      customerId: CUSTOMER,
      visitorId: V1,
    },
  });
  await db.message.create({
    data: { shop, idempotencyKey: `${run.id}:1`, flowRunId: run.id, arm: "armb", email: EMAIL, subject: "Your cart", html: `<p>${EMAIL}</p>`, status: "sent" },
  });
  // the run's arm of the step (A/B test): goes with the run's messages
  await db.stepExposure.create({ data: { shop, flowId: flow.id, stepId: step.id, runId: run.id, arm: "armb", at: new Date() } });
  // an ended test's record: the shop's, not the customer's (kept)
  await db.experimentRecord.create({
    data: {
      shop,
      flowId: flow.id,
      stepId: step.id,
      startedAt: new Date(),
      winner: "armb",
      how: "manual",
      arms: [{ id: "arma", weight: 50 }],
      summary: { units: 2 },
    },
  });
  await db.event.createMany({
    data: [
      { shop, visitorId: V2, kind: "cart_add", cartToken: CART, occurredAt: new Date() },
      { shop, visitorId: V1, kind: "product_view", productId: "1", occurredAt: new Date() },
    ],
  });
  await db.exposure.create({ data: { shop, triggerId: "t1", visitorId: V1, variant: "treatment", firstAt: new Date(), lastAt: new Date() } });
  await db.attribution.create({
    data: {
      shop,
      orderId: "91",
      totalCents: 5000,
      source: "overlay",
      triggerId: "t1",
      visitorId: V1,
      variant: "treatment",
      key: `91:overlay:t1:${shop}`,
      occurredAt: new Date(),
    },
  });
  await db.suppression.create({ data: { shop, email: EMAIL, reason: "unsubscribed" } });
  await db.dataExport.create({ data: { shop, email: EMAIL, customerId: CUSTOMER, payload: { contacts: [{ email: EMAIL }] } } });
  await db.job.createMany({
    data: [
      { shop, kind: "contact.sync", payload: { shop, email: EMAIL, marketingConsent: true }, status: "pending" },
      { shop, kind: "contact.confirm", payload: { shop, email: EMAIL }, status: "done", finishedAt: new Date() },
      {
        shop,
        kind: "privacy.export",
        payload: { shop, customer: { id: Number(CUSTOMER.slice(0, 15)), email: EMAIL } },
        status: "done",
        finishedAt: new Date(),
      },
    ],
  });
  // Triggers hold the merchant's copy (Json), no customer data: seeded so the scan covers them.
  await db.trigger.create({
    data: { shop, name: "Exit", type: "exit_intent", conditions: {}, segment: {}, content: { kind: "message", headline: "Hi" }, frequencyCap: {}, salt: "s" },
  });
}

async function everyRow(shop: string): Promise<string> {
  const dump: Record<string, unknown[]> = {};
  for (const model of Object.keys(MODELS)) {
    const rows = await delegate(model).findMany();
    dump[model] = rows.filter((r) => (r as { shop?: string }).shop === shop);
  }
  return JSON.stringify(dump, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  await seed(SHOP);
  await seed(OTHER);
});
afterAll(async () => {
  await t?.cleanup();
});

describe(`erasure (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("knows every personal-data column of the schema (a new one fails here until it is seeded and erased)", () => {
    expect(personalColumns).toEqual(SEEDED);
  });

  it("customers/data_request exports every table that holds the customer", async () => {
    const { exportCustomerData } = await import("~/services/privacy.server");
    await exportCustomerData(t.db, { shop: SHOP, customer: { id: CUSTOMER, email: EMAIL } });
    const exp = await t.db.dataExport.findFirstOrThrow({
      where: { shop: SHOP, payload: { not: { equals: { contacts: [{ email: EMAIL }] } } } },
      orderBy: { createdAt: "desc" },
    });
    const payload = exp.payload as Record<string, Array<Record<string, unknown>>>;
    for (const key of ["checkouts", "orders", "contacts", "carts", "recoveryRuns", "variantsGiven", "messages", "suppressions", "events", "exposures"]) {
      expect(payload[key]?.length, key).toBeGreaterThan(0);
    }
    // both devices' events: the one on their checkout, and the one tied only by their cart's token
    expect(new Set(payload.events.map((e) => e.visitorId))).toEqual(new Set([V1, V2]));
  });

  it("customers/redact leaves none of the customer's identifiers in any row, and still honours their unsubscribe", async () => {
    const { redactCustomer, suppressionHash } = await import("~/services/privacy.server");
    const redactJob = await t.db.job.create({
      data: { shop: SHOP, kind: "privacy.redact-customer", payload: { shop: SHOP, customer: { id: CUSTOMER, email: EMAIL } }, status: "running" },
    });
    await redactCustomer(t.db, { shop: SHOP, customer: { id: CUSTOMER, email: EMAIL }, orders: [] });
    const after = await everyRow(SHOP);
    for (const needle of NEEDLES)
      expect(after.includes(needle), `${needle} is still stored: ${after.slice(Math.max(0, after.indexOf(needle) - 300), after.indexOf(needle) + 100)}`).toBe(
        false,
      );
    // the A/B arm their run was in goes with it; ended tests' records are the shop's and stay
    expect(await t.db.stepExposure.count({ where: { shop: SHOP } })).toBe(0);
    expect(await t.db.stepExposure.count({ where: { shop: OTHER } })).toBe(1);
    expect(await t.db.experimentRecord.count({ where: { shop: SHOP } })).toBe(1);
    // the shop's own records stay, anonymised: the order (amount for analytics), the run's outcome
    expect(await t.db.order.count({ where: { shop: SHOP } })).toBe(1);
    expect(await t.db.flowRun.findFirstOrThrow({ where: { shop: SHOP } })).toMatchObject({ status: "stopped", stopReason: "redacted", email: null });
    expect((await t.db.job.findUniqueOrThrow({ where: { id: redactJob.id } })).payload).toEqual({ redacted: true });
    expect(await t.db.job.count({ where: { shop: SHOP, kind: "contact.sync" } })).toBe(0); // pending: would have re-created them
    // the unsubscribe survives as a hash the worker still checks
    expect(await t.db.suppression.findMany({ where: { shop: SHOP } })).toMatchObject([{ email: suppressionHash(SHOP, EMAIL), reason: "unsubscribed" }]);
    // and another shop's copy of the same person is untouched
    const other = await everyRow(OTHER);
    for (const needle of NEEDLES) expect(other.includes(needle), needle).toBe(true);
  });

  it("shop/redact leaves no row of the shop in any model with a shop column", async () => {
    const { redactShop } = await import("~/services/privacy.server");
    const running = await t.db.job.create({ data: { shop: SHOP, kind: "privacy.redact-shop", payload: { shop: SHOP }, status: "running" } });
    await redactShop(t.db, { shop: SHOP });
    const left: Record<string, number> = {};
    for (const model of Object.keys(MODELS)) {
      if (!MODELS[model].some((c) => c.name === "shop")) continue;
      const rows = (await delegate(model).findMany()).filter(
        (r) => (r as { shop?: string; id?: string }).shop === SHOP && (r as { id?: string }).id !== running.id,
      );
      if (rows.length) left[model] = rows.length;
    }
    expect(left).toEqual({});
    // another shop's rows stay
    expect(await t.db.stepExposure.count({ where: { shop: OTHER } })).toBe(1);
    expect(await t.db.experimentRecord.count({ where: { shop: OTHER } })).toBe(1);
  });
});

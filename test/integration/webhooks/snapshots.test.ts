import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { createTestDb, type TestDb } from "../../support/db";
import { seedSession, webhookRequest } from "../../support/shopify";
import { at, checkoutPayload } from "./fixtures";

/**
 * The snapshot writes on intake's hot path are single SQL statements (sql.server.ts): these pin
 * down what they must keep doing — newest snapshot wins, completed and deleted checkouts stay so,
 * JSON and booleans read back through Prisma, and a webhook delivered many times at once is
 * handled once.
 */
const SHOP = "snap-shop.myshopify.com";
let t: TestDb;
let receiveWebhook: (db: Db, r: Request) => Promise<Response>;
let appDb: Db;

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  ({ receiveWebhook } = await import("~/services/webhooks/intake.server"));
  ({ default: appDb } = await import("~/db.server"));
  await seedSession(t.db, SHOP);
});
afterAll(async () => {
  await t?.cleanup();
});

const send = async (topic: string, payload: unknown, webhookId = randomUUID()) => {
  const res = await receiveWebhook(appDb, webhookRequest(topic, payload, { shop: SHOP, webhookId }));
  expect(res.status).toBe(200);
  return (await t.db.webhookDelivery.findUniqueOrThrow({ where: { webhookId } })).outcome;
};
const checkout = (token: string) => t.db.checkout.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token } } });

describe(`checkout and cart snapshots (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("stores every field as Prisma reads it back, and the newest update wins", async () => {
    const c = checkoutPayload({ email: "Fields@Example.com", buyer_accepts_marketing: true, customer: { id: 77, email: "x@example.com" } });
    expect(await send("checkouts/create", c)).toBe("accepted");
    const stored = await checkout(c.token);
    expect(stored).toMatchObject({
      shopifyId: null,
      cartToken: c.cart_token,
      email: "fields@example.com",
      customerId: "77",
      visitorId: "v_abc123",
      totalCents: 5900,
      currency: "USD",
      acceptsMarketing: true,
      status: "open",
      completedAt: null,
    });
    // Line items as the payload schema normalises them (money in cents, ids as strings).
    expect(stored.lineItems).toMatchObject([
      { title: "Linen Shirt", quantity: 1, price: 3900, variant_id: "11", product_id: "1" },
      { title: "Canvas Tote", quantity: 1, price: 2000, variant_id: "22", product_id: "2" },
    ]);
    expect(stored.shopifyUpdatedAt.toISOString()).toBe(c.updated_at);

    const newer = { ...c, total_price: "20.00", line_items: [c.line_items[1]], buyer_accepts_marketing: false, updated_at: at(3).toISOString() };
    expect(await send("checkouts/update", newer)).toBe("accepted");
    const updated = await checkout(c.token);
    expect(updated).toMatchObject({ totalCents: 2000, acceptsMarketing: false });
    expect(updated.lineItems).toMatchObject([{ title: "Canvas Tote" }]);
    expect(updated.lineItems).toHaveLength(1);
    // The same updated_at again is not older: applied (idempotent).
    expect(await send("checkouts/update", newer)).toBe("accepted");
    // Older: ignored.
    expect(await send("checkouts/update", { ...c, total_price: "99.00", updated_at: at(2).toISOString() })).toBe("stale");
    expect((await checkout(c.token)).totalCents).toBe(2000);
    expect(stored.id).toBe((await checkout(c.token)).id); // updated in place
  });

  it("keeps a completed checkout completed and a deleted one deleted, whatever newer update follows", async () => {
    const done = checkoutPayload();
    await send("checkouts/create", done);
    await send("checkouts/update", { ...done, completed_at: at(1).toISOString(), updated_at: at(1).toISOString() });
    expect(await checkout(done.token)).toMatchObject({ status: "completed" });
    await send("checkouts/update", { ...done, completed_at: null, updated_at: at(2).toISOString() });
    expect((await checkout(done.token)).status).toBe("completed");

    const gone = checkoutPayload();
    await send("checkouts/create", gone);
    await send("checkouts/delete", { token: gone.token });
    expect((await checkout(gone.token)).status).toBe("deleted");
    await send("checkouts/update", { ...gone, updated_at: at(4).toISOString() });
    expect((await checkout(gone.token)).status).toBe("deleted");
    // A deleted checkout does not start recovery; an open one with an email does, once.
    const jobs = await t.db.job.findMany({ where: { kind: "recovery.start", shop: SHOP } });
    expect(jobs.map((j) => (j.payload as { checkoutToken: string }).checkoutToken)).not.toContain(undefined);
    expect(jobs.filter((j) => (j.payload as { checkoutToken: string }).checkoutToken === gone.token)).toHaveLength(1);
  });

  it("newest cart snapshot wins; an older one is stale", async () => {
    const token = `cart_${randomUUID().slice(0, 8)}`;
    const cart = (updatedAt: Date, qty: number) => ({
      id: token,
      token,
      line_items: [{ id: 1, title: "Tee", quantity: qty, price: "10.00", line_price: String(10 * qty), variant_id: 1, product_id: 1 }],
      created_at: at(0).toISOString(),
      updated_at: updatedAt.toISOString(),
    });
    expect(await send("carts/create", cart(at(0), 1))).toBe("accepted");
    expect(await send("carts/update", cart(at(2), 3))).toBe("accepted");
    expect(await send("carts/update", cart(at(1), 9))).toBe("stale");
    const stored = await t.db.cart.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token } } });
    expect(stored.totalCents).toBe(3000);
    expect((stored.lineItems as Array<{ quantity: number }>)[0].quantity).toBe(3);
    expect(await t.db.job.count({ where: { kind: "recovery.cart", dedupeKey: `recovery.cart:${SHOP}:${token}` } })).toBe(1);
  });

  it("handles one webhook delivered eight times at once exactly once", async () => {
    const c = checkoutPayload({ email: "burst@example.com" });
    const webhookId = randomUUID();
    const results = await Promise.all(Array.from({ length: 8 }, () => receiveWebhook(appDb, webhookRequest("checkouts/create", c, { shop: SHOP, webhookId }))));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(await t.db.webhookDelivery.count({ where: { webhookId } })).toBe(1);
    expect(await t.db.checkout.count({ where: { token: c.token } })).toBe(1);
    expect(await t.db.job.count({ where: { dedupeKey: `recovery.start:${SHOP}:${c.token}` } })).toBe(1);
  });

  it("refuses oversized ids and shop domains with 400 (the HMAC does not cover headers) and stores a dateless delivery for an absurd X-Shopify-Triggered-At", async () => {
    const c = checkoutPayload();
    const longId = "x".repeat(4000);
    const r1 = await receiveWebhook(appDb, webhookRequest("checkouts/create", c, { shop: SHOP, webhookId: longId }));
    expect(r1.status).toBe(400);
    const r2 = await receiveWebhook(appDb, webhookRequest("checkouts/create", c, { shop: `${"s".repeat(6000)}.myshopify.com` }));
    expect(r2.status).toBe(400);
    expect(await t.db.checkout.count({ where: { token: c.token } })).toBe(0);
    for (const triggeredAt of ["+275760-09-13T00:00:00Z", "0000-01-01T00:00:00Z"]) {
      const webhookId = randomUUID();
      const res = await receiveWebhook(
        appDb,
        webhookRequest("checkouts/create", { ...c, updated_at: at(9).toISOString() }, { shop: SHOP, webhookId, triggeredAt }),
      );
      expect(res.status).toBe(200);
      expect(await t.db.webhookDelivery.findUniqueOrThrow({ where: { webhookId } })).toMatchObject({ outcome: "accepted", triggeredAt: null });
    }
  });
});

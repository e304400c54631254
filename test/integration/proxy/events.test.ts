import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { action } from "~/routes/proxy.events";
import { eventRateLimiter } from "~/services/rate-limit.server";
import { proxyRequest, signProxyParams } from "../../support/shopify";
import { batch, installTestDb, type ProxyTestDb } from "./helpers";

let t: ProxyTestDb;

beforeAll(async () => {
  t = await installTestDb();
});
afterAll(async () => {
  await t.cleanup();
});
beforeEach(async () => {
  eventRateLimiter().clear();
  t.eventWrites.length = 0;
  await t.db.event.deleteMany({});
  await t.db.exposure.deleteMany({});
  await t.db.eventRollup.deleteMany({});
  await t.db.contact.deleteMany({});
  await t.db.job.deleteMany({});
});

const call = (request: Request) => action({ request, params: {}, context: {} });
const SHOP = "shop-a.myshopify.com";
const at = () => Date.now();
const pageView = () => ({ kind: "page_view", at: at() });

async function expectRefused(response: Response, status: number, reason: RegExp) {
  expect(response.status).toBe(status);
  expect(((await response.json()) as { error: string }).error).toMatch(reason);
  expect(await t.db.event.count()).toBe(0);
  expect(await t.db.contact.count()).toBe(0);
  expect(t.eventWrites).toEqual([]);
}

describe(`app proxy events (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("stores a valid signed batch of N events in one write and answers 204", async () => {
    // GIVEN a batch of 5 events, signed by Shopify for shop A
    const events = [
      pageView(),
      { kind: "product_view", at: at(), productId: "8012345670001" },
      { kind: "impression", at: at(), triggerId: "trg_1", variant: "treatment", tier: "mid" },
      { kind: "click", at: at(), triggerId: "trg_1", variant: "treatment" },
      { kind: "cart_add", at: at(), productId: "8012345670001", valueCents: 6800, cartToken: "Z2NwLXVz?key=abc" },
    ];
    // WHEN it arrives
    const response = await call(proxyRequest("/proxy/events", batch(events)));
    // THEN it is stored with one INSERT, under shop A
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(t.eventWrites).toEqual(["insert"]);
    const rows = await t.db.event.findMany({ orderBy: { id: "asc" } });
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.shop))).toEqual(new Set([SHOP]));
    expect(rows[2]).toMatchObject({
      kind: "impression",
      triggerId: "trg_1",
      variant: "treatment",
      intentTier: "mid",
      visitorId: "visitor-1",
      sessionId: "session-1",
    });
    expect(rows[4]).toMatchObject({ kind: "cart_add", valueCents: 6800, cartToken: "Z2NwLXVz" }); // stored as webhooks send it, without ?key=
  });

  it.skipIf(Boolean(process.env.TEST_DATABASE_URL))(
    "answers 503 with Retry-After, storing nothing, while the database is locked",
    async () => {
      const locker = new Database(t.url.replace(/^file:/, ""));
      locker.exec("BEGIN EXCLUSIVE"); // held past the busy timeout
      let response: Response;
      try {
        response = await call(proxyRequest("/proxy/events", batch([pageView(), { kind: "impression", at: at(), triggerId: "trg_1", variant: "treatment" }])));
      } finally {
        locker.exec("ROLLBACK");
        locker.close();
      }
      expect(response.status).toBe(503);
      expect(response.headers.get("Retry-After")).toBe("5");
      expect(await t.db.event.count()).toBe(0);
      expect(await t.db.exposure.count()).toBe(0);
    },
    20_000,
  );

  it("refuses a correctly signed request that names no shop domain (401, nothing stored)", async () => {
    for (const shop of ["evil.com", "", "shop-a.myshopify.com.evil.com"]) {
      await expectRefused(await call(proxyRequest("/proxy/events", batch([pageView()]), { shop })), 401, /signature/);
    }
  });

  it("refuses a forged signature with 401 and stores nothing", async () => {
    await expectRefused(await call(proxyRequest("/proxy/events", batch([pageView()]), { forge: true })), 401, /signature/);
  });

  it("refuses a request whose shop was changed after signing", async () => {
    const request = proxyRequest("/proxy/events", batch([pageView()]), { shop: "shop-b.myshopify.com" });
    const url = new URL(request.url);
    url.searchParams.set("shop", SHOP);
    const tampered = new Request(url, { method: "POST", body: batch([pageView()]) });
    await expectRefused(await call(tampered), 401, /signature/);
  });

  it("refuses a stale timestamp (over 5 minutes old) with 401", async () => {
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    await expectRefused(await call(proxyRequest("/proxy/events", batch([pageView()]), { timestamp: old })), 401, /stale timestamp/);
  });

  it("refuses a timestamp more than a minute in the future with 401", async () => {
    const ahead = Math.floor(Date.now() / 1000) + 120;
    await expectRefused(await call(proxyRequest("/proxy/events", batch([pageView()]), { timestamp: ahead })), 401, /future/);
  });

  it("refuses malformed JSON with 400 and a reason", async () => {
    await expectRefused(await call(proxyRequest("/proxy/events", '{"v":1,"events":[')), 400, /malformed JSON/);
  });

  it("refuses an unknown event kind with 400 and stores none of the batch", async () => {
    const body = batch([pageView(), { kind: "teleport", at: at() }]);
    await expectRefused(await call(proxyRequest("/proxy/events", body)), 400, /unknown event kind "teleport"/);
  });

  it("refuses 21 events with 400", async () => {
    const body = batch(Array.from({ length: 21 }, pageView));
    await expectRefused(await call(proxyRequest("/proxy/events", body)), 400, /too many events: 21/);
  });

  it("refuses a body over 16 KB with 413", async () => {
    const body = batch([{ ...pageView(), productId: "x".repeat(17 * 1024) }]);
    await expectRefused(await call(proxyRequest("/proxy/events", body)), 413, /larger than 16384 bytes/);
  });

  it("refuses a shop in the body: the shop comes from the signed parameters only", async () => {
    const body = JSON.stringify({ v: 1, visitorId: "v", shop: "shop-b.myshopify.com", events: [pageView()] });
    await expectRefused(await call(proxyRequest("/proxy/events", body)), 400, /invalid batch/);
  });

  it("stores events under the shop the signature covers", async () => {
    // GIVEN batches signed for two different shops
    await call(proxyRequest("/proxy/events", batch([pageView()], "va"), { shop: "shop-a.myshopify.com" }));
    await call(proxyRequest("/proxy/events", batch([pageView(), pageView()], "vb"), { shop: "shop-b.myshopify.com" }));
    // THEN each shop has only its own events
    expect(await t.db.event.count({ where: { shop: "shop-a.myshopify.com" } })).toBe(1);
    expect(await t.db.event.count({ where: { shop: "shop-b.myshopify.com" } })).toBe(2);
    expect(await t.db.event.count({ where: { shop: "shop-a.myshopify.com", visitorId: "vb" } })).toBe(0);
  });

  it("rate-limits a visitor after 60 batches a minute with 429 and Retry-After", async () => {
    // The clock stands still, so no token comes back while the 60 requests run.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    onTestFinished(() => void vi.useRealTimers());
    for (let i = 0; i < 60; i++) {
      const r = await call(proxyRequest("/proxy/events", batch([pageView()], "busy")));
      expect(r.status).toBe(204);
    }
    const limited = await call(proxyRequest("/proxy/events", batch([pageView()], "busy")));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(await t.db.event.count()).toBe(60);
    // another visitor of the same shop is not affected
    expect((await call(proxyRequest("/proxy/events", batch([pageView()], "calm")))).status).toBe(204);
  });

  it("turns email_capture into a Contact and, on double opt-in (the default), one confirmation job, keeping the email out of Event", async () => {
    // GIVEN a captured email with marketing consent (mixed case)
    const body = batch(
      [{ kind: "email_capture", at: at(), triggerId: "trg_mail", variant: "treatment", email: "Jane.Doe@Example.com", marketingConsent: true }],
      "visitor-jane",
    );
    // WHEN it arrives
    expect((await call(proxyRequest("/proxy/events", body))).status).toBe(204);
    // THEN the contact exists, tied to the visitor, its consent pending the confirmation email
    const contact = await t.db.contact.findUniqueOrThrow({ where: { shop_email: { shop: SHOP, email: "jane.doe@example.com" } } });
    expect(contact).toMatchObject({ visitorId: "visitor-jane", marketingConsent: false, consentStatus: "pending", consentSource: "storefront overlay" });
    expect(contact.consentText).toBeTruthy();
    const jobs = await t.db.job.findMany({ where: { kind: { in: ["contact.sync", "contact.confirm"] } } });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ kind: "contact.confirm", shop: SHOP, status: "pending" });
    expect(jobs[0].payload).toEqual({ shop: SHOP, email: "jane.doe@example.com" });
    // and the event row carries no email
    const events = await t.db.event.findMany();
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events).toLowerCase()).not.toContain("jane.doe");
  });

  it("does not withdraw consent when the same email is captured again without it", async () => {
    const capture = (consent: boolean) =>
      call(proxyRequest("/proxy/events", batch([{ kind: "email_capture", at: at(), triggerId: "t", email: "sam@example.com", marketingConsent: consent }])));
    await capture(true);
    await capture(false);
    const contact = await t.db.contact.findUniqueOrThrow({ where: { shop_email: { shop: SHOP, email: "sam@example.com" } } });
    expect(contact.consentStatus).toBe("pending");
    await capture(true); // and asks for confirmation once, however often the address is given
    expect(await t.db.job.count({ where: { kind: "contact.confirm", payload: { equals: { shop: SHOP, email: "sam@example.com" } } } })).toBe(1);
  });

  it("answers GET with 405", async () => {
    const url = new URL("/proxy/events", process.env.SHOPIFY_APP_URL);
    const params = { shop: SHOP, logged_in_customer_id: "", path_prefix: "/apps/intentful", timestamp: String(Math.floor(Date.now() / 1000)) };
    for (const [k, v] of Object.entries({ ...params, signature: signProxyParams(params) })) url.searchParams.set(k, v);
    expect((await call(new Request(url))).status).toBe(405);
  });

  it("keeps answering 204 to a second client, email sign-ups included, while one address floods with rotating visitor ids", async () => {
    const from = (address: string, visitorId: string, events: unknown[]) => {
      const r = proxyRequest("/proxy/events", JSON.stringify({ v: 1, visitorId, events }), { shop: SHOP });
      const headers = new Headers(r.headers);
      headers.set("X-Forwarded-For", address);
      return new Request(r.url, { method: "POST", headers, body: JSON.stringify({ v: 1, visitorId, events }) });
    };
    // GIVEN one address sending batches under a new visitor id each time until it is refused
    let refusedAt = -1;
    for (let i = 0; i < 400 && refusedAt < 0; i++) {
      const res = await call(from("203.0.113.9", `flood-${i}`, [pageView()]));
      if (res.status === 429) refusedAt = i;
    }
    expect(refusedAt).toBeGreaterThan(0);
    // THEN a shopper on another address still gets 204, for events and for an email capture
    expect((await call(from("198.51.100.7", "real-shopper", [pageView()]))).status).toBe(204);
    expect(
      (await call(from("198.51.100.7", "real-shopper", [{ kind: "email_capture", at: at(), email: "real@example.com", marketingConsent: false }]))).status,
    ).toBe(204);
    expect(await t.db.contact.count({ where: { email: "real@example.com" } })).toBe(1);
  }, 120_000);
});

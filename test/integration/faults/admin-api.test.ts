import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startMockAdminApi } from "~/demo/mock-admin.server";
import { readDemoState } from "~/demo/shopify-state.server";
import { costWaitMs, parseRetryAfter, type AdminGraphql } from "~/services/admin-graphql.server";
import { createTestDb, type TestDb } from "../../support/db";
import { seedSession } from "../../support/shopify";

/**
 * Shopify's Admin API says "not now" — HTTP 429 with Retry-After (seconds), 503, or a 200 whose
 * GraphQL errors say THROTTLED with the cost bucket in `extensions.cost.throttleStatus` — and
 * the app waits as told and tries again (adminQuery), or, for a long wait, hands the job back to
 * the queue to run at now + that wait (RetryLaterError → jobs.server.ts).
 *
 * The calls go through the library's real Admin client (unauthenticated.admin), answered by msw
 * at the fetch layer: the demo's mock Admin API, with the faults put in front of it.
 */
const SHOP = "faults-admin.myshopify.com";

// msw must be listening before the library loads (it captures fetch when its adapter loads).
const dir = mkdtempSync(path.join(os.tmpdir(), "intentful-faults-admin-"));
process.env.DEMO_STATE_FILE = path.join(dir, "state.json");
const mock = startMockAdminApi();

let t: TestDb;
let admin: AdminGraphql;
let jobs: typeof import("~/services/jobs.server");
let jobHandlers: typeof import("~/services/job-handlers.server").jobHandlers;
/** Every Admin API call: operation name and when it arrived (ms). */
let calls: Array<{ op: string; at: number }> = [];

const GRAPHQL = "https://:shop/admin/api/:version/graphql.json";

function operationOf(query: string | undefined) {
  return /(?:mutation|query)\s+(\w+)/.exec(query ?? "")?.[1] ?? "unknown";
}

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  await seedSession(t.db, SHOP);
  const { onShopInstalled } = await import("~/services/install.server");
  await onShopInstalled(t.db, { shop: SHOP });
  // captures sync at once (single opt-in): these tests are about the Admin API's answers
  await t.db.shop.update({ where: { shop: SHOP }, data: { optIn: "single" } });
  const { unauthenticated } = await import("~/shopify.server");
  admin = (await unauthenticated.admin(SHOP)).admin;
  jobs = await import("~/services/jobs.server");
  ({ jobHandlers } = await import("~/services/job-handlers.server"));
});

afterEach(() => {
  mock.resetHandlers();
  calls = [];
});

afterAll(async () => {
  mock.close();
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Puts `faults` in front of the mock for operation `op`: the n-th call of it gets faults[n]
 * (a Response), or passes through to the demo mock when faults[n] is undefined/exhausted.
 */
function faultsFor(op: string, faults: Array<(() => Response) | undefined>) {
  let n = 0;
  mock.use(
    http.post(GRAPHQL, async ({ request }) => {
      const body = (await request.clone().json()) as { query?: string };
      const name = operationOf(body.query);
      calls.push({ op: name, at: Date.now() });
      if (name !== op) return undefined;
      const fault = faults[n++];
      return fault ? fault() : undefined;
    }),
  );
}

async function contactJob(kind: string, email: string) {
  const all = await t.db.job.findMany({ where: { kind, shop: SHOP } });
  const job = all.find((j) => (j.payload as { email?: string }).email === email);
  if (!job) throw new Error(`no ${kind} job for ${email}`);
  return job;
}

const callsOf = (op: string) => calls.filter((c) => c.op === op);
const gaps = (op: string) =>
  callsOf(op)
    .slice(1)
    .map((c, i) => c.at - callsOf(op)[i].at);

const tooMany = (retryAfter?: string) => () =>
  HttpResponse.json(
    { errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." },
    {
      status: 429,
      headers: retryAfter ? { "Retry-After": retryAfter } : {},
    },
  );
const unavailable = () => () => new HttpResponse("Service Unavailable", { status: 503, headers: { "Content-Type": "text/plain" } });
/** A 200 whose only content is the THROTTLED error and the bucket: refill takes (cost − available) / rate s. */
const throttled = (requested: number, available: number, restoreRate: number) => () =>
  HttpResponse.json({
    errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
    extensions: {
      cost: {
        requestedQueryCost: requested,
        actualQueryCost: null,
        throttleStatus: { maximumAvailable: 2000, currentlyAvailable: available, restoreRate },
      },
    },
  });

describe("Admin API throttling and outages (through the library's client)", () => {
  it("waits the Retry-After of a 429 (in seconds) before trying the metafieldsSet again, and publishes", async () => {
    const { publishRules } = await import("~/services/publish.server");
    faultsFor("IntentfulPublishConfig", [tooMany("0.4")]);
    const result = await publishRules(t.db, SHOP, admin, { retryOnFailure: false });
    expect(result).toMatchObject({ ok: true });
    expect(callsOf("IntentfulPublishConfig")).toHaveLength(2);
    // 400 ms, not the 0.4 ms the library's own retry would wait (Shopify/shopify-app-js#3364)
    expect(gaps("IntentfulPublishConfig")[0]).toBeGreaterThanOrEqual(390);
    expect(gaps("IntentfulPublishConfig")[0]).toBeLessThan(2000);
    // the store has the config, and the shop records that hash as published
    expect(JSON.parse(readDemoState().metafields["intentful.config"].value)).toHaveProperty("v", 1);
    expect((await t.db.shop.findUniqueOrThrow({ where: { shop: SHOP } })).publishedHash).toBe(result.ok && result.hash);
  });

  it("waits for the cost bucket to refill after a THROTTLED error, then succeeds", async () => {
    const { getEmbedStatus } = await import("~/services/embed-status.server");
    // 30 points asked, 5 available, 50/s back: 0.5 s
    faultsFor("IntentfulEmbedStatus", [throttled(30, 5, 50)]);
    const status = await getEmbedStatus(admin);
    expect(status.state).not.toBe("unknown");
    expect(callsOf("IntentfulEmbedStatus")).toHaveLength(2);
    expect(gaps("IntentfulEmbedStatus")[0]).toBeGreaterThanOrEqual(490);
  });

  it("retries a 503 without Retry-After after a short doubling wait", async () => {
    const { publishRules } = await import("~/services/publish.server");
    faultsFor("IntentfulAppInstallation", [unavailable(), unavailable()]);
    const result = await publishRules(t.db, SHOP, admin, { retryOnFailure: false });
    expect(result).toMatchObject({ ok: true });
    expect(callsOf("IntentfulAppInstallation")).toHaveLength(3);
    const [first, second] = gaps("IntentfulAppInstallation");
    expect(first).toBeGreaterThanOrEqual(490);
    expect(second).toBeGreaterThanOrEqual(990);
  });

  it("does not sleep a long Retry-After in the worker: the job runs again at exactly now + Retry-After", async () => {
    const { recordCapturedEmail, CONTACT_SYNC } = await import("~/services/contacts.server");
    await recordCapturedEmail(t.db, { shop: SHOP, email: "throttled@example.com", visitorId: "v-429", marketingConsent: true });
    faultsFor("IntentfulCustomerByEmail", [tooMany("120")]);
    const now = new Date(Date.now() + 1000);
    const started = Date.now();
    const run = await jobs.drainDue({ db: t.db, handlers: jobHandlers(), now: () => now });
    expect(Date.now() - started).toBeLessThan(5000); // not 120 s
    expect(run).toMatchObject({ ran: 1, failed: 1 });
    const job = await contactJob(CONTACT_SYNC, "throttled@example.com");
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect(job.runAt.getTime() - now.getTime()).toBe(120_000); // not the 30 s backoff
    expect(job.lastError).toMatch(/rate limited \(429\); retry in 120000 ms/);
    // not a minute earlier…
    expect(await jobs.drainDue({ db: t.db, handlers: jobHandlers(), now: () => new Date(job.runAt.getTime() - 1) })).toEqual({
      ran: 0,
      failed: 0,
    });
    // …and at that time, with Shopify answering again, it goes through
    expect(await jobs.drainDue({ db: t.db, handlers: jobHandlers(), now: () => job.runAt })).toEqual({ ran: 1, failed: 0 });
    expect(readDemoState().customers.find((c) => c.email === "throttled@example.com")?.emailMarketingConsent).toBe("SUBSCRIBED");
  });

  it("reschedules a job by the cost refill time when the bucket needs longer than an in-process wait", async () => {
    const { recordCapturedEmail, CONTACT_SYNC } = await import("~/services/contacts.server");
    await recordCapturedEmail(t.db, { shop: SHOP, email: "bucket@example.com", visitorId: "v-bucket", marketingConsent: false });
    // 1,000 points asked, none available, 50/s back: 20 s
    faultsFor("IntentfulCustomerByEmail", [throttled(1000, 0, 50)]);
    const now = new Date(Date.now() + 1000);
    await jobs.drainDue({ db: t.db, handlers: jobHandlers(), now: () => now });
    const job = await contactJob(CONTACT_SYNC, "bucket@example.com");
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect(job.runAt.getTime() - now.getTime()).toBe(20_000);
    expect(callsOf("IntentfulCustomerByEmail")).toHaveLength(1); // thrown at once, not slept
  });

  it("gives up on a persistent 503 after 3 calls and leaves the job to its exponential backoff", async () => {
    const { recordCapturedEmail, CONTACT_SYNC } = await import("~/services/contacts.server");
    await recordCapturedEmail(t.db, { shop: SHOP, email: "down@example.com", visitorId: "v-503", marketingConsent: false });
    faultsFor("IntentfulCustomerByEmail", [unavailable(), unavailable(), unavailable(), unavailable()]);
    const now = new Date(Date.now() + 1000);
    await jobs.drainDue({ db: t.db, handlers: jobHandlers(), now: () => now });
    expect(callsOf("IntentfulCustomerByEmail")).toHaveLength(3);
    const job = await contactJob(CONTACT_SYNC, "down@example.com");
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect(job.runAt.getTime() - now.getTime()).toBe(jobs.backoffMs(1));
    expect(job.lastError).toMatch(/HTTP 503/);
  });

  it("moves the publish retry job to after a long Retry-After (an admin save that hit the rate limit)", async () => {
    const { publishRules, PUBLISH_RETRY_MS } = await import("~/services/publish.server");
    faultsFor("IntentfulPublishConfig", [tooMany("90")]);
    const before = Date.now();
    const result = await publishRules(t.db, SHOP, admin);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/429/);
    const job = await t.db.job.findUniqueOrThrow({ where: { id: result.retryJobId! } });
    expect(job.runAt.getTime()).toBeGreaterThanOrEqual(before + 90_000);
    expect(job.runAt.getTime()).toBeGreaterThan(before + PUBLISH_RETRY_MS);
    expect((await t.db.shop.findUniqueOrThrow({ where: { shop: SHOP } })).publishError).toMatch(/429/);
  });
});

describe("reading Shopify's wait", () => {
  it("reads Retry-After as seconds (Shopify sends fractions) or an HTTP date, and ignores garbage", () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    expect(parseRetryAfter("2.0", now)).toBe(2000);
    expect(parseRetryAfter("0.25", now)).toBe(250);
    expect(parseRetryAfter("Sun, 01 Mar 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("computes the cost refill time from throttleStatus, and nothing without a restore rate", () => {
    const cost = (requestedQueryCost: number, currentlyAvailable: number, restoreRate: number) => ({
      cost: { requestedQueryCost, throttleStatus: { maximumAvailable: 2000, currentlyAvailable, restoreRate } },
    });
    expect(costWaitMs(cost(152, 2, 100))).toBe(1500);
    expect(costWaitMs(cost(10, 50, 100))).toBe(0); // enough already: try again at once
    expect(costWaitMs(cost(10, 0, 0))).toBeUndefined();
    expect(costWaitMs(undefined)).toBeUndefined();
  });
});

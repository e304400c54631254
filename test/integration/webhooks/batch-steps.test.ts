import { createRequire } from "node:module";
import { PrismaClient, type Prisma } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withDialect, type Db } from "~/db.server";
import { createTestDb, type TestDb } from "../../support/db";
import type { Mailer, OutgoingEmail, SendResult } from "~/services/email/mailer.server";
import type { RenderInput, RenderedEmail } from "~/services/email/render.server";

/**
 * runSteps (the batch form of runStep) through the real queue: several due recovery steps are
 * claimed together and handed to `recoveryHandlers(db)["recovery.step"].batch`. Each step must still
 * be decided, sent and settled on its own.
 */

const NOW = new Date("2026-03-03T12:00:00Z");
const STARTED = new Date(NOW.getTime() - 2 * 3600_000);
const plus = (ms: number, from = NOW) => new Date(from.getTime() + ms);
const BACKOFF_1 = 30_000; // backoffMs(1)
const WINDOW_MS = 16 * 3600_000; // Shop.emailWindowHours default

let t: TestDb;
let jobs: typeof import("~/services/jobs.server");
let recovery: typeof import("~/services/recovery.server");
let mail: typeof import("~/services/mail.server");

/** Every transport call, in order, with what the mailer answered. */
const calls: Array<{ email: OutgoingEmail; result: SendResult }> = [];
const delivered = (key: string) => calls.filter((c) => c.email.idempotencyKey === key && c.result.ok).length;
const accepted = (m: OutgoingEmail): SendResult => ({ ok: true, transportId: `t-${m.idempotencyKey}`, messageId: `<${m.idempotencyKey}@test>` });
let respond: (m: OutgoingEmail) => SendResult = accepted;

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  jobs = await import("~/services/jobs.server");
  recovery = await import("~/services/recovery.server");
  mail = await import("~/services/mail.server");
  const counting: Mailer = {
    async send(m) {
      const result = respond(m);
      calls.push({ email: m, result });
      return result;
    },
    status: () => ({ kind: "outbox", sent: 0, lastSentAt: null }),
    verify: async () => ({ ok: true }),
    close() {},
  };
  mail.setMailerForTests(counting);
});

afterAll(async () => {
  mail.setMailerForTests(undefined);
  await t.cleanup();
});

beforeEach(async () => {
  calls.length = 0;
  respond = accepted;
  // drainDue claims every due job: each test starts from an empty queue (shops are per test).
  await t.db.job.deleteMany({});
});

/** Rendering is not the point here: the recipient (the checkout's only line item) and the recovery link, nothing more. */
const cheapRender = async (input: RenderInput): Promise<RenderedEmail> => {
  const who = input.checkout.lineItems.map((li) => li.title).join(",");
  return { subject: input.step.subject, html: `<p>${who}</p><a href="${input.checkout.recoveryUrl}">back</a>`, text: `${who} ${input.checkout.recoveryUrl}` };
};

/** Runs every step due at `now`, 50 per claimed batch; `render: "real"` uses the MJML renderer. */
const drain = (now: Date, opts: { db?: Db; render?: typeof cheapRender | "real" } = {}) =>
  jobs.drainDue({
    db: opts.db ?? t.db,
    handlers: recovery.recoveryHandlers(opts.db ?? t.db, { render: opts.render === "real" ? undefined : (opts.render ?? cheapRender) }),
    now: () => now,
    batchSize: 50,
  });

let seq = 0;
/** A shop (created once), an enabled one-step checkout flow, and per email a checkout, an active run and its due step job. */
async function seed(shop: string, emails: string[], shopData: { emailsPerWindow?: number } = {}) {
  // The shop's brand already read: the worker reads a never-read shop's brand on its first batch
  // (one more statement, once per shop; decision 011), which the statement counts below leave out.
  await t.db.shop.upsert({ where: { shop }, create: { shop, shopifyBrandAt: new Date(0), ...shopData }, update: {} });
  const flow = await t.db.recoveryFlow.create({
    data: {
      shop,
      name: "f",
      enabled: true,
      steps: { create: [{ position: 0, delayMinutes: 60, subject: "Come back", body: [{ type: "items" }, { type: "button", text: "Back to your cart" }] }] },
    },
    include: { steps: true },
  });
  const stepId = flow.steps[0].id;
  const runs = [];
  for (const email of emails) {
    const token = `tok-${++seq}`;
    const checkout = await t.db.checkout.create({
      data: {
        shop,
        token,
        email,
        totalCents: 1000,
        lineItems: [{ title: email, quantity: 1, price: 1000 }],
        abandonedCheckoutUrl: `https://${shop}/checkouts/${token}/recover`,
        shopifyUpdatedAt: STARTED,
      },
    });
    const run = await t.db.flowRun.create({
      data: { shop, flowId: flow.id, subjectKey: `checkout:${token}`, checkoutId: checkout.id, email, startedAt: STARTED },
    });
    const job = await t.db.job.create({
      data: { kind: "recovery.step", shop, payload: { runId: run.id, stepId, position: 0 }, runAt: NOW },
    });
    runs.push({ email, run, checkout, jobId: job.id, key: `${run.id}:${stepId}` });
  }
  return { flow, stepId, runs };
}

const messageOf = (key: string) => t.db.message.findUnique({ where: { idempotencyKey: key } });
const jobOf = (id: string) => t.db.job.findUniqueOrThrow({ where: { id } });
const runOf = (id: string) => t.db.flowRun.findUniqueOrThrow({ where: { id } });

/** A second client on the same database that reports every SQL statement it runs. */
function statementLoggingClient(): { db: Db; statements: string[] } {
  const log: Prisma.LogDefinition[] = [{ emit: "event", level: "query" }];
  let client: Db & { $on(event: "query", cb: (e: { query: string }) => void): void };
  if (t.dialect === "postgres") {
    const require = createRequire(import.meta.url);
    const { PrismaClient: PgClient } = require(".prisma/client-pg") as { PrismaClient: new (o: object) => typeof client };
    const url = new URL(t.url);
    const schema = url.searchParams.get("schema")!;
    url.searchParams.delete("schema");
    const pool = new pg.Pool({ connectionString: url.toString(), max: 4, options: `-c search_path="${schema}"` });
    client = new PgClient({ adapter: new PrismaPg(pool, { schema }), log });
  } else {
    client = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: t.url }), log }) as unknown as typeof client;
  }
  const statements: string[] = [];
  client.$on("query", (e) => statements.push(e.query));
  return { db: withDialect(client, t.dialect), statements };
}

describe(`recovery steps in batches (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("sends 30 steps due at once: one email each, each Message sent with its rendered email, in as many statements as 10 steps take", async () => {
    const logged = statementLoggingClient();
    const measure = async (shop: string, n: number) => {
      const seeded = await seed(
        shop,
        Array.from({ length: n }, (_, i) => `s${i}@${shop}`),
      );
      calls.length = 0;
      logged.statements.length = 0;
      const result = await drain(NOW, { db: logged.db });
      const statements = [...logged.statements];
      const data = statements.filter((s) => !/^(BEGIN|COMMIT|ROLLBACK)\b/i.test(s.trim()));
      // The queue's own statements (the SQLite claim is one compare-and-set per job) apart from the steps'.
      const steps = data.filter((s) => !/[`"]Job[`"]/.test(s));
      return { ...seeded, result, statements, steps, sent: [...calls] };
    };
    try {
      const small = await measure("batch-10.myshopify.com", 10);
      const big = await measure("batch-30.myshopify.com", 30);

      expect(small.result).toEqual({ ran: 10, failed: 0 });
      expect(big.result).toEqual({ ran: 30, failed: 0 });
      expect(big.sent).toHaveLength(30);
      expect(big.sent.map((c) => c.email.idempotencyKey).sort()).toEqual(big.runs.map((x) => x.key).sort());
      for (const x of big.runs) {
        const m = (await messageOf(x.key))!;
        expect(m).toMatchObject({
          status: "sent",
          transportId: `t-${x.key}`,
          subject: "Come back",
          email: x.email,
          flowRunId: x.run.id,
          attempts: 1,
          sentAt: NOW,
          reason: null,
        });
        // The stored email is what went out, and its recovery link is this row's.
        const call = big.sent.find((c) => c.email.idempotencyKey === x.key)!;
        expect(call.email.to).toBe(x.email);
        expect(m.html).toBe(call.email.html);
        expect(m.text).toBe(call.email.text);
        expect(m.html).toContain(`<p>${x.email}</p>`);
        expect(m.html).toContain(`/r/${m.id}?s=`);
        expect((await jobOf(x.jobId)).status).toBe("done");
      }

      // runSteps: runs + prior messages, flows + steps + checkouts + shops, orders + suppressions +
      // recent sends, the last overlays shown to the shoppers (the channel gap), the claim, the
      // "sent" update: 12, whatever N.
      expect(small.steps).toHaveLength(12);
      expect(big.steps).toHaveLength(12);
      expect(big.steps.filter((s) => /INSERT INTO "Message"/i.test(s))).toHaveLength(1);
      expect(big.steps.filter((s) => /UPDATE "Message" SET "status" = \S+, "transportId" = CASE "id" WHEN/i.test(s))).toHaveLength(1);
      // PostgreSQL claims the whole batch in one statement too: the drain as a whole does not grow.
      if (t.dialect === "postgres") expect(big.statements.length).toBe(small.statements.length);
    } finally {
      await logged.db.$disconnect();
    }
  });

  it("sends one of two steps to the same shopper in one batch and defers the other (budget 1 per window)", async () => {
    const shop = "budget.myshopify.com";
    const email = "same@budget.example";
    const { runs } = await seed(shop, [email, email]); // two checkouts, one shopper; default budget: 1 per 16 h

    expect(await drain(NOW)).toEqual({ ran: 2, failed: 0 });
    expect(calls).toHaveLength(1);
    const sent = runs.find((x) => x.key === calls[0].email.idempotencyKey)!;
    const held = runs.find((x) => x !== sent)!;
    expect(await messageOf(sent.key)).toMatchObject({ status: "sent", sentAt: NOW });
    expect(await messageOf(held.key)).toBeNull();
    expect(await jobOf(sent.jobId)).toMatchObject({ status: "done" });
    // Deferred until the first send leaves the window, without spending an attempt.
    expect(await jobOf(held.jobId)).toMatchObject({ status: "pending", runAt: plus(WINDOW_MS), attempts: 0, lastError: null });
    expect(await runOf(held.run.id)).toMatchObject({ status: "active" });

    // A later batch sees the stored send too (its sentAt, written by the claim, compares as a date).
    const third = (await seed(shop, [email])).runs[0];
    expect(await drain(plus(3600_000))).toEqual({ ran: 1, failed: 0 });
    expect(calls).toHaveLength(1);
    expect(await jobOf(third.jobId)).toMatchObject({ status: "pending", runAt: plus(WINDOW_MS), attempts: 0 });

    // When the window has passed, both held steps are due in one batch: again exactly one goes out.
    expect(await drain(plus(WINDOW_MS))).toEqual({ ran: 2, failed: 0 });
    expect(calls).toHaveLength(2);
    const second = calls[1].email.idempotencyKey;
    expect([held.key, third.key]).toContain(second);
    const stillHeld = [held, third].find((x) => x.key !== second)!;
    expect(await jobOf(stillHeld.jobId)).toMatchObject({ status: "pending", runAt: plus(2 * WINDOW_MS), attempts: 0 });
    expect(await messageOf(stillHeld.key)).toBeNull();
  });

  it("checks suppressions and budgets per shop: a suppression in shop B does not stop shop A's email to the same address", async () => {
    const email = "both@shops.example";
    const a = (await seed("sup-a.myshopify.com", [email])).runs[0];
    const b = (await seed("sup-b.myshopify.com", [email])).runs[0];
    const c = (await seed("sup-c.myshopify.com", [email])).runs[0]; // budget 1 per window in each shop
    await t.db.suppression.create({ data: { shop: "sup-b.myshopify.com", email, reason: "unsubscribed" } });

    expect(await drain(NOW)).toEqual({ ran: 3, failed: 0 });
    expect(calls.map((x) => x.email.idempotencyKey).sort()).toEqual([a.key, c.key].sort());
    expect(await messageOf(a.key)).toMatchObject({ status: "sent", shop: "sup-a.myshopify.com" });
    expect(await messageOf(c.key)).toMatchObject({ status: "sent", shop: "sup-c.myshopify.com" });
    expect(await messageOf(b.key)).toMatchObject({ status: "suppressed", reason: "suppressed", shop: "sup-b.myshopify.com" });
    expect(await runOf(a.run.id)).toMatchObject({ status: "active" });
    expect(await runOf(b.run.id)).toMatchObject({ status: "stopped", stopReason: "suppressed" });
    expect((await jobOf(b.jobId)).status).toBe("done");
  });

  it("checks orders per shop: an order in shop B does not stop shop A's run, an order in shop A does", async () => {
    const A = "ord-a.myshopify.com";
    const B = "ord-b.myshopify.com";
    const [aOne, aTwo] = (await seed(A, ["one@orders.example", "two@orders.example"])).runs;
    const [bOne, bTwo] = (await seed(B, ["one@orders.example", "two@orders.example"])).runs;
    // Orders by email (other checkouts) placed after the runs started: one@ bought in B, two@ in A.
    await t.db.order.create({ data: { shop: B, orderId: "o-1", email: "one@orders.example", orderedAt: plus(-3600_000) } });
    await t.db.order.create({ data: { shop: A, orderId: "o-2", email: "two@orders.example", orderedAt: plus(-3600_000) } });

    expect(await drain(NOW)).toEqual({ ran: 4, failed: 0 });
    expect(calls.map((c) => c.email.idempotencyKey).sort()).toEqual([aOne.key, bTwo.key].sort());
    for (const x of [aOne, bTwo]) {
      expect(await messageOf(x.key)).toMatchObject({ status: "sent" });
      expect(await runOf(x.run.id)).toMatchObject({ status: "active", stopReason: null });
    }
    for (const x of [aTwo, bOne]) {
      expect(await messageOf(x.key)).toMatchObject({ status: "suppressed", reason: "purchased" });
      expect(await runOf(x.run.id)).toMatchObject({ status: "stopped", stopReason: "purchased", stoppedAt: NOW });
    }
  });

  it("stops runs in one batch on each kind of order: the same checkout or cart (any time), the shopper's email or customer id (since the run started)", async () => {
    const shop = "ord-kinds.myshopify.com";
    const [byCheckout, byCart, byEmail, byCustomer, before] = (
      await seed(shop, ["k0@kinds.example", "k1@kinds.example", "k2@kinds.example", "k3@kinds.example", "k4@kinds.example"])
    ).runs;
    await t.db.flowRun.update({ where: { id: byCart.run.id }, data: { cartToken: "cart-k1" } });
    await t.db.flowRun.update({ where: { id: byCustomer.run.id }, data: { customerId: "cust-k3" } });
    const earlier = plus(-24 * 3600_000); // before the runs started
    const later = plus(-3600_000);
    await t.db.order.createMany({
      data: [
        { shop, orderId: "k-0", checkoutToken: byCheckout.checkout.token, orderedAt: earlier },
        { shop, orderId: "k-1", cartToken: "cart-k1", orderedAt: earlier },
        { shop, orderId: "k-2", email: byEmail.email, orderedAt: later },
        { shop, orderId: "k-3", customerId: "cust-k3", orderedAt: later },
        { shop, orderId: "k-4", email: before.email, orderedAt: earlier },
        // Another shop's order for the same checkout token never counts.
        { shop: "ord-other.myshopify.com", orderId: "k-5", checkoutToken: before.checkout.token, orderedAt: later },
      ],
    });

    expect(await drain(NOW)).toEqual({ ran: 5, failed: 0 });
    expect(calls.map((c) => c.email.idempotencyKey)).toEqual([before.key]);
    expect(await runOf(before.run.id)).toMatchObject({ status: "active" });
    for (const x of [byCheckout, byCart, byEmail, byCustomer]) {
      expect(await messageOf(x.key)).toMatchObject({ status: "suppressed", reason: "purchased" });
      expect(await runOf(x.run.id)).toMatchObject({ status: "stopped", stopReason: "purchased", stoppedAt: NOW });
    }
  });

  it("stops a browse follow-up once its visitor added to cart after the run started, in this shop; the others are sent", async () => {
    const shop = "browse-batch.myshopify.com";
    await t.db.shop.upsert({ where: { shop }, create: { shop }, update: {} });
    const flow = await t.db.recoveryFlow.create({
      data: {
        shop,
        name: "b",
        kind: "browse",
        enabled: true,
        steps: { create: [{ position: 0, delayMinutes: 60, subject: "Still looking?", body: [{ type: "button", text: "Shop" }] }] },
      },
      include: { steps: true },
    });
    const stepId = flow.steps[0].id;
    const runFor = async (visitorId: string) => {
      const run = await t.db.flowRun.create({
        data: { shop, flowId: flow.id, subjectKey: `browse:${visitorId}`, visitorId, email: `${visitorId}@browse.example`, startedAt: STARTED },
      });
      await t.db.job.create({ data: { kind: "recovery.step", shop, payload: { runId: run.id, stepId, position: 0 }, runAt: NOW } });
      return { run, key: `${run.id}:${stepId}` };
    };
    const carted = await runFor("v-carted");
    const addedBefore = await runFor("v-before");
    const elsewhere = await runFor("v-elsewhere");
    const cartAdd = (shopName: string, visitorId: string, occurredAt: Date) => ({ shop: shopName, visitorId, kind: "cart_add", occurredAt });
    await t.db.event.createMany({
      data: [
        cartAdd(shop, "v-carted", plus(-600_000)),
        cartAdd(shop, "v-before", plus(-1000, STARTED)),
        cartAdd("browse-other.myshopify.com", "v-elsewhere", plus(-600_000)),
        { shop, visitorId: "v-elsewhere", kind: "product_view", occurredAt: plus(-600_000) },
      ],
    });

    expect(await drain(NOW)).toEqual({ ran: 3, failed: 0 });
    expect(calls.map((c) => c.email.idempotencyKey).sort()).toEqual([addedBefore.key, elsewhere.key].sort());
    expect(await runOf(carted.run.id)).toMatchObject({ status: "stopped", stopReason: "carted", stoppedAt: NOW });
    expect(await messageOf(carted.key)).toBeNull();
    for (const x of [addedBefore, elsewhere]) expect(await messageOf(x.key)).toMatchObject({ status: "sent" });
  });

  it("fails only the step whose rendering throws; the others are sent", async () => {
    const shop = "render.myshopify.com";
    const { runs } = await seed(shop, ["ok1@render.example", "bad@render.example", "ok2@render.example"]);
    const bad = runs[1];
    const fragile = async (input: RenderInput) => {
      if (input.checkout.lineItems[0]?.title === bad.email) throw new Error("template exploded");
      return cheapRender(input);
    };

    expect(await drain(NOW, { render: fragile })).toEqual({ ran: 3, failed: 1 });
    expect(calls.map((c) => c.email.to).sort()).toEqual(["ok1@render.example", "ok2@render.example"]);
    for (const x of [runs[0], runs[2]]) {
      expect(await messageOf(x.key)).toMatchObject({ status: "sent" });
      expect((await jobOf(x.jobId)).status).toBe("done");
    }
    // Nothing was claimed for it: its Message row is pending, with the reason the email log shows
    // (never a silent stall), and the job retries with backoff.
    const pending = await messageOf(bad.key);
    expect(pending).toMatchObject({ status: "pending", reason: "Not sent yet, retrying: template exploded", sentAt: null, html: null });
    expect(await jobOf(bad.jobId)).toMatchObject({ status: "pending", attempts: 1, lastError: "template exploded", runAt: plus(BACKOFF_1) });

    // The retry with a working renderer sends it once.
    expect(await drain(plus(BACKOFF_1))).toEqual({ ran: 1, failed: 0 });
    expect(delivered(bad.key)).toBe(1);
    expect(await messageOf(bad.key)).toMatchObject({ id: pending!.id, status: "sent", attempts: 1, reason: null });
  });

  it("gives a temporarily failed send back and sends the same Message row once on the retry (MJML renderer)", async () => {
    const shop = "temp.myshopify.com";
    const { runs } = await seed(shop, ["fine@temp.example", "later@temp.example"]);
    const later = runs[1];
    let refused = 0;
    respond = (m) => {
      if (m.to === later.email && refused++ === 0) return { ok: false, permanent: false, reason: "451 4.3.0 try again later", responseCode: 451 };
      return accepted(m);
    };

    expect(await drain(NOW, { render: "real" })).toEqual({ ran: 2, failed: 1 });
    expect(delivered(runs[0].key)).toBe(1);
    const first = (await messageOf(later.key))!;
    expect(first).toMatchObject({ status: "pending", sentAt: null, reason: "451 4.3.0 try again later", attempts: 1, transportId: null });
    expect(await jobOf(later.jobId)).toMatchObject({ status: "pending", attempts: 1, runAt: plus(BACKOFF_1) });
    expect((await jobOf(later.jobId)).lastError).toMatch(/temporary mail failure: 451/);

    expect(await drain(plus(BACKOFF_1), { render: "real" })).toEqual({ ran: 1, failed: 0 });
    const retried = (await messageOf(later.key))!;
    expect(retried).toMatchObject({ id: first.id, status: "sent", reason: null, attempts: 2, sentAt: plus(BACKOFF_1), transportId: `t-${later.key}` });
    // Rendered again for the same row: its links point at it, and what is stored is what went out.
    expect(retried.html).toContain(`/r/${first.id}?s=`);
    expect(retried.html).toContain(later.email); // the line item
    expect(retried.html).toBe(calls.at(-1)!.email.html);
    expect(await t.db.message.count({ where: { flowRunId: later.run.id } })).toBe(1);
    expect(calls.filter((c) => c.email.idempotencyKey === later.key)).toHaveLength(2);
    expect(delivered(later.key)).toBe(1);
    expect(delivered(runs[0].key)).toBe(1);
    expect((await jobOf(later.jobId)).status).toBe("done");
  });

  it("records a permanent failure: the Message failed, a rejected recipient suppressed as bounced, the job done", async () => {
    const shop = "perm.myshopify.com";
    const { runs } = await seed(shop, ["nobody@perm.example", "blocked@perm.example", "fine@perm.example"]);
    const [bounced, blocked, fine] = runs;
    respond = (m) => {
      if (m.to === bounced.email) return { ok: false, permanent: true, reason: "550 5.1.1 no such user", responseCode: 550, recipientRejected: true };
      if (m.to === blocked.email) return { ok: false, permanent: true, reason: "554 5.7.1 message refused", responseCode: 554 };
      return accepted(m);
    };

    expect(await drain(NOW)).toEqual({ ran: 3, failed: 0 });
    expect(calls).toHaveLength(3);
    expect(await messageOf(bounced.key)).toMatchObject({ status: "failed", reason: "550 5.1.1 no such user", transportId: null });
    expect(await messageOf(blocked.key)).toMatchObject({ status: "failed", reason: "554 5.7.1 message refused" });
    expect(await messageOf(fine.key)).toMatchObject({ status: "sent" });
    const suppressions = await t.db.suppression.findMany({ where: { shop } });
    expect(suppressions.map((s) => ({ email: s.email, reason: s.reason }))).toEqual([{ email: bounced.email, reason: "bounced" }]);
    for (const x of runs) expect(await jobOf(x.jobId)).toMatchObject({ status: "done", lastError: null });
  });

  it("never sends again a step whose Message is already sending, sent, failed or suppressed", async () => {
    const shop = "prior.myshopify.com";
    const { runs, stepId, flow } = await seed(shop, [
      "sending@prior.example",
      "sent@prior.example",
      "failed@prior.example",
      "suppressed@prior.example",
      "new@prior.example",
    ]);
    const statuses = ["sending", "sent", "failed", "suppressed"];
    const before = [];
    for (const [i, status] of statuses.entries()) {
      const x = runs[i];
      before.push(
        await t.db.message.create({
          data: {
            shop,
            idempotencyKey: x.key,
            flowId: flow.id,
            flowRunId: x.run.id,
            stepId,
            email: x.email,
            status,
            attempts: status === "suppressed" ? 0 : 1,
            sentAt: ["sending", "sent"].includes(status) ? plus(-20 * 3600_000) : null,
          },
        }),
      );
    }

    expect(await drain(NOW)).toEqual({ ran: 5, failed: 0 });
    expect(calls.map((c) => c.email.to)).toEqual(["new@prior.example"]);
    for (const [i, prior] of before.entries()) {
      expect(await messageOf(runs[i].key)).toEqual(prior); // untouched
      expect((await jobOf(runs[i].jobId)).status).toBe("done");
    }
    expect(await messageOf(runs[4].key)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("runs a step once when two jobs for it land in one batch, and still sends the rest of the batch", async () => {
    const shop = "twin-jobs.myshopify.com";
    const { runs, stepId } = await seed(shop, ["twin@twin.example", "other@twin.example"]);
    // A second job for the first step (the dedupe key keeps our own code from enqueuing one).
    const twin = await t.db.job.create({
      data: { kind: "recovery.step", shop, payload: { runId: runs[0].run.id, stepId, position: 0 }, runAt: NOW },
    });

    expect(await drain(NOW)).toEqual({ ran: 3, failed: 0 });
    expect(delivered(runs[0].key)).toBe(1);
    expect(delivered(runs[1].key)).toBe(1);
    expect(calls).toHaveLength(2);
    for (const id of [runs[0].jobId, twin.id, runs[1].jobId]) expect((await jobOf(id)).status).toBe("done");
    expect(await t.db.message.count({ where: { shop, status: "sent" } })).toBe(2);
  });
});

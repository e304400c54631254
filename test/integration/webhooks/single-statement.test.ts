import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db.server";
import { createTestDb, type TestDb } from "../../support/db";
import { webhookRequest } from "../../support/shopify";
import { at, checkoutPayload, orderPayload } from "./fixtures";

/**
 * Checkout and cart deliveries on PostgreSQL are ONE statement (`deliverSnapshot` in
 * sql.server.ts, outside any transaction); on SQLite they are ONE synchronous BEGIN IMMEDIATE …
 * COMMIT on a second, direct connection (`deliverSnapshotDirect`, sqlite-direct.server.ts), which
 * gives way to Prisma's interactive transaction when another connection holds the write lock.
 * The other topics keep the interactive transaction. These pin down what goes over the wire on
 * each database, that every path keeps the same semantics (the same tests run on SQLite and
 * PostgreSQL), that the fast paths leave exactly the rows the transaction leaves, and on
 * PostgreSQL that the single statement survives two copies racing and answers 503 when the
 * database does not answer in time.
 */
const SHOP = "single-shop.myshopify.com";
const PG = Boolean(process.env.TEST_DATABASE_URL);
let t: TestDb;
let intake: typeof import("~/services/webhooks/intake.server");
let appDb: Db;
let topics: typeof import("~/services/webhooks/topics.server");
let sqliteDirect: typeof import("~/models/sql/sqlite-direct.server");

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  intake = await import("~/services/webhooks/intake.server");
  ({ default: appDb } = await import("~/db.server"));
  topics = await import("~/services/webhooks/topics.server");
  sqliteDirect = await import("~/models/sql/sqlite-direct.server");
});
afterAll(async () => {
  const { getDb } = await import("~/db.server");
  await getDb().$disconnect();
  sqliteDirect?.closeDirectSqlite(t?.url);
  await t?.cleanup();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const send = (topic: string, payload: unknown, { shop = SHOP, webhookId = randomUUID() as string } = {}) =>
  intake.receiveWebhook(appDb, webhookRequest(topic, payload, { shop, webhookId }));

/**
 * The SQL text of every statement the app sends while `work` runs (BEGIN and COMMIT included; a
 * statement that failed too), as it goes: `work` may watch `seen`. On SQLite, statements on the
 * direct connection are marked "[direct] ", the others are Prisma's.
 */
async function statementsDuring(work: (seen: string[]) => Promise<unknown>): Promise<string[]> {
  const texts: string[] = [];
  const oneLine = (s: string) => s.trim().replace(/\s+/g, " ");
  const textOf = (q: unknown) => String(typeof q === "string" ? q : ((q as { text?: string; sql?: string }).text ?? (q as { sql?: string }).sql));
  if (PG) {
    const query = pg.Client.prototype.query;
    vi.spyOn(pg.Client.prototype, "query").mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      texts.push(oneLine(textOf(args[0])));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query);
  } else {
    // Statements are prepared once and run many times (the direct connection caches them, and
    // better-sqlite3 prepares BEGIN IMMEDIATE and COMMIT once per connection): watch the runs.
    const probe = new Database(":memory:");
    const statement = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<"run" | "get" | "all", (...a: unknown[]) => unknown>;
    probe.close();
    for (const method of ["run", "get", "all"] as const) {
      const original = statement[method];
      vi.spyOn(statement, method).mockImplementation(function (this: Database.Statement, ...args: unknown[]) {
        texts.push(`${sqliteDirect.isDirectSqlite(this.database) ? "[direct] " : ""}${oneLine(this.source)}`);
        return original.apply(this, args);
      });
    }
  }
  try {
    await work(texts);
  } finally {
    vi.restoreAllMocks();
  }
  // (A first query also opens the connection: SQLite's connect-time PRAGMAs are not the delivery's.)
  return texts.filter((s) => !s.replace("[direct] ", "").startsWith("PRAGMA"));
}

/** Every row a delivery may touch for a shop, ids and timestamps included. */
async function rowsOf(shop: string) {
  const where = { where: { shop } };
  return {
    deliveries: await t.db.webhookDelivery.findMany({ ...where, orderBy: { webhookId: "asc" } }),
    checkouts: await t.db.checkout.findMany({ ...where, orderBy: { token: "asc" } }),
    carts: await t.db.cart.findMany({ ...where, orderBy: { token: "asc" } }),
    jobs: await t.db.job.findMany({ ...where, orderBy: { dedupeKey: "asc" } }),
  };
}

/**
 * SQLite: the same rows as stored, read past Prisma, with each value's storage class (a date
 * stored as "…+00:00" or "…Z", a boolean as 1 or true, JSON as text or blob all read back alike).
 */
function storedRowsOf(shop: string) {
  const raw = new Database(t.url.replace(/^file:/, ""), { readonly: true });
  try {
    const rows = (table: string, order: string) => {
      const columns = (raw.prepare(`SELECT "name" FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map((c) => c.name);
      const typed = columns.map((c) => `"${c}", typeof("${c}") AS "${c}:type"`).join(", ");
      return raw.prepare(`SELECT ${typed} FROM "${table}" WHERE "shop" = ? ORDER BY "${order}"`).all(shop);
    };
    return {
      deliveries: rows("WebhookDelivery", "webhookId"),
      checkouts: rows("Checkout", "token"),
      carts: rows("Cart", "token"),
      jobs: rows("Job", "dedupeKey"),
    };
  } finally {
    raw.close();
  }
}

/** Rows of two shops made the same way compare equal: ids and the database's clock differ. */
const comparable = (rows: object, shop: string) =>
  JSON.parse(
    JSON.stringify(rows)
      .replaceAll(shop, "SHOP")
      .replace(/"id":"[^"]+"/g, '"id":"-"')
      .replace(/"(receivedAt|createdAt|updatedAt)":"[^"]+"/g, '"$1":"-"'),
  );

const cartPayload = (token: string, updatedAt: Date, quantity: number) => ({
  id: token,
  token,
  line_items: quantity ? [{ id: 1, title: "Tee", quantity, price: "10.00", line_price: (10 * quantity).toFixed(2), variant_id: 1, product_id: 1 }] : [],
  created_at: at(0).toISOString(),
  updated_at: updatedAt.toISOString(),
});

describe(`checkout and cart deliveries, one statement on PostgreSQL, one direct transaction on SQLite (${PG ? "postgres" : "sqlite"})`, () => {
  it("sends one statement per checkout or cart delivery on PostgreSQL, one immediate transaction on the direct connection on SQLite (repeats too); a transaction for other topics", async () => {
    const c = checkoutPayload({ email: "wire@example.com" });
    const webhookId = randomUUID();
    const first = await statementsDuring(async () => expect((await send("checkouts/create", c, { webhookId })).status).toBe(200));
    const repeat = await statementsDuring(async () => expect((await send("checkouts/create", c, { webhookId })).status).toBe(200));
    const token = `cart_${randomUUID().slice(0, 8)}`;
    const cart = await statementsDuring(async () => expect((await send("carts/update", cartPayload(token, at(1), 2))).status).toBe(200));
    const order = await statementsDuring(async () => expect((await send("orders/create", orderPayload(c))).status).toBe(200));
    if (PG) {
      for (const statements of [first, repeat, cart]) {
        expect(statements).toHaveLength(1);
        expect(statements[0]).toMatch(/^WITH s AS \( ?insert into "(Checkout|Cart)"/i);
      }
    } else {
      const table = (s: string) => s.match(/^\[direct\] (?:INSERT INTO|UPDATE) "(\w+)"/i)?.[1] ?? s;
      // Nothing through Prisma: one transaction on the direct connection, its statements in order.
      expect(first.map(table)).toEqual(["[direct] BEGIN IMMEDIATE", "WebhookDelivery", "Checkout", "Job", "[direct] COMMIT"]);
      expect(repeat.map(table)).toEqual(["[direct] BEGIN IMMEDIATE", "WebhookDelivery", "[direct] COMMIT"]); // nothing inserted
      expect(cart.map(table)).toEqual(["[direct] BEGIN IMMEDIATE", "WebhookDelivery", "Cart", "Job", "[direct] COMMIT"]);
      expect(order.filter((s) => s.startsWith("[direct]"))).toEqual([]);
    }
    // Orders keep the model API in a transaction on both databases.
    expect(order[0]).toBe("BEGIN");
    expect(order.at(-1)).toBe("COMMIT");
  });

  it.skipIf(PG)(
    "gives way to Prisma's transaction while it holds the write lock: the delivery waits its turn, not 5 s, and leaves the same rows (SQLite)",
    async () => {
      const { getDb } = await import("~/db.server");
      const now = new Date("2026-01-02T03:04:05.678Z");
      const triggeredAt = at(0).toISOString();
      const c = checkoutPayload({ email: "held@example.com" });
      const deliver = (shop: string) =>
        intake.receiveWebhook(appDb, webhookRequest("checkouts/create", c, { shop, webhookId: `${shop}-w1`, triggeredAt }), { now });
      // The same delivery on a free database, for comparison.
      expect((await deliver("free.myshopify.com")).status).toBe(200);

      // GIVEN a Prisma interactive transaction of this process that has written and awaits
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let holding!: () => void;
      const held = new Promise<void>((resolve) => (holding = resolve));
      const holder = getDb().$transaction(async (tx) => {
        await tx.webhookDelivery.create({
          data: { webhookId: `holder-${randomUUID()}`, shop: "holder.myshopify.com", topic: "test/hold", outcome: "accepted" },
        });
        holding();
        await gate;
      });
      await held;
      let status = 0;
      let waited = 0;
      const statements = await statementsDuring(async (seen) => {
        // WHEN a checkout delivery arrives
        const started = Date.now();
        const pending = deliver("held.myshopify.com");
        // THEN its direct transaction finds the lock taken and gives way at once (no busy wait)…
        for (let i = 0; i < 500 && !seen.includes("[direct] BEGIN IMMEDIATE"); i++) await new Promise((r) => setTimeout(r, 10));
        // …to Prisma's transaction, which queues behind the holder and goes as soon as it commits
        await new Promise((r) => setTimeout(r, 100));
        release();
        await holder;
        status = (await pending).status;
        waited = Date.now() - started;
      });
      expect(status).toBe(200);
      expect(waited).toBeLessThan(3_000); // the busy timeout (5 s) was not waited out
      expect(statements.filter((s) => s.startsWith("[direct]"))).toEqual(["[direct] BEGIN IMMEDIATE"]); // failed: nothing written
      const prisma = statements.filter((s) => !s.startsWith("[direct]"));
      expect(prisma[0]).toBe("COMMIT"); // the holder's
      expect(prisma.slice(1).map((s) => s.match(/^INSERT INTO "(\w+)"/i)?.[1] ?? s)).toEqual(["BEGIN", "WebhookDelivery", "Checkout", "Job", "COMMIT"]);
      // AND the rows are those the direct path leaves
      expect(comparable(await rowsOf("held.myshopify.com"), "held.myshopify.com")).toEqual(
        comparable(await rowsOf("free.myshopify.com"), "free.myshopify.com"),
      );
      expect(comparable(storedRowsOf("held.myshopify.com"), "held.myshopify.com")).toEqual(
        comparable(storedRowsOf("free.myshopify.com"), "free.myshopify.com"),
      );
      expect((await rowsOf("held.myshopify.com")).jobs).toHaveLength(1);
    },
  );

  it("changes nothing on a repeat delivery (same webhook id), whatever came in between", async () => {
    const c = checkoutPayload({ email: "repeat@example.com" });
    const webhookId = randomUUID();
    expect((await send("checkouts/create", c, { webhookId })).status).toBe(200);
    expect((await send("checkouts/update", { ...c, total_price: "70.00", updated_at: at(2).toISOString() })).status).toBe(200);
    const before = await rowsOf(SHOP);
    // The first copy again (older than the stored snapshot, so it would be "stale" under a new id).
    expect((await send("checkouts/create", c, { webhookId })).status).toBe(200);
    expect(await rowsOf(SHOP)).toEqual(before);
    expect(before.deliveries.find((d) => d.webhookId === webhookId)).toMatchObject({ outcome: "accepted", reason: null });
  });

  it("records a stale snapshot as stale with its reason, and writes nothing else", async () => {
    const c = checkoutPayload({ email: "stale@example.com", updated_at: at(5).toISOString() });
    expect((await send("checkouts/create", c)).status).toBe(200);
    const before = await rowsOf(SHOP);
    const webhookId = randomUUID();
    const older = at(4).toISOString();
    expect((await send("checkouts/update", { ...c, total_price: "1.00", updated_at: older }, { webhookId })).status).toBe(200);
    const after = await rowsOf(SHOP);
    const delivery = after.deliveries.find((d) => d.webhookId === webhookId);
    expect(delivery).toMatchObject({ outcome: "stale", reason: `updated_at ${older} is older than the stored snapshot`, topic: "checkouts/update" });
    expect({ ...after, deliveries: after.deliveries.filter((d) => d.webhookId !== webhookId) }).toEqual(before);

    const token = `cart_${randomUUID().slice(0, 8)}`;
    expect((await send("carts/create", cartPayload(token, at(3), 1))).status).toBe(200);
    const cartId = randomUUID();
    expect((await send("carts/update", cartPayload(token, at(2), 5), { webhookId: cartId })).status).toBe(200);
    expect(await t.db.webhookDelivery.findUniqueOrThrow({ where: { webhookId: cartId } })).toMatchObject({
      outcome: "stale",
      reason: `updated_at ${at(2).toISOString()} is older than the stored snapshot`,
    });
    expect((await t.db.cart.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token } } })).totalCents).toBe(1000);
  });

  it("keeps completed and deleted checkouts so, and starts recovery only for an open checkout with an email, once", async () => {
    const done = checkoutPayload({ email: "done@example.com", completed_at: at(1).toISOString(), updated_at: at(1).toISOString() });
    await send("checkouts/create", done);
    await send("checkouts/update", { ...done, completed_at: null, updated_at: at(2).toISOString() });
    const gone = checkoutPayload({ email: null, customer: null });
    await send("checkouts/create", gone);
    await send("checkouts/delete", { token: gone.token });
    await send("checkouts/update", { ...gone, email: "late@example.com", updated_at: at(3).toISOString() });
    const open = checkoutPayload({ email: "Open@Example.com" });
    await send("checkouts/create", open);
    await send("checkouts/update", { ...open, updated_at: at(1).toISOString() });
    const anonymous = checkoutPayload({ email: null, customer: null });
    await send("checkouts/create", anonymous);

    const status = async (token: string) => (await t.db.checkout.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token } } })).status;
    expect(await status(done.token)).toBe("completed");
    expect(await status(gone.token)).toBe("deleted");
    expect(await status(open.token)).toBe("open");
    expect(await status(anonymous.token)).toBe("open");
    const startJobs = (token: string) => t.db.job.findMany({ where: { kind: "recovery.start", dedupeKey: `recovery.start:${SHOP}:${token}` } });
    expect(await startJobs(done.token)).toEqual([]);
    expect(await startJobs(gone.token)).toEqual([]);
    expect(await startJobs(anonymous.token)).toEqual([]);
    const [job, ...more] = await startJobs(open.token);
    expect(more).toEqual([]);
    // The row insertJobOnce writes.
    expect(job).toMatchObject({
      shop: SHOP,
      kind: "recovery.start",
      payload: { shop: SHOP, checkoutToken: open.token },
      status: "pending",
      attempts: 0,
      maxAttempts: 8,
      lockedBy: null,
      lockedUntil: null,
      lastError: null,
      finishedAt: null,
    });
    expect(job.id).toMatch(/^j[0-9a-f]{32}$/);
    expect(Math.abs(job.runAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("enqueues recovery.cart once for a cart with line items, and never for an empty one", async () => {
    const full = `cart_${randomUUID().slice(0, 8)}`;
    const empty = `cart_${randomUUID().slice(0, 8)}`;
    await send("carts/create", cartPayload(full, at(0), 1));
    await send("carts/update", cartPayload(full, at(1), 2));
    await send("carts/create", cartPayload(empty, at(0), 0));
    await send("carts/update", cartPayload(empty, at(1), 0));
    const jobs = await t.db.job.findMany({ where: { kind: "recovery.cart", dedupeKey: { in: [full, empty].map((c) => `recovery.cart:${SHOP}:${c}`) } } });
    expect(jobs.map((j) => j.payload)).toEqual([{ shop: SHOP, cartToken: full }]);
    expect(jobs[0]).toMatchObject({ dedupeKey: `recovery.cart:${SHOP}:${full}`, status: "pending", attempts: 0, maxAttempts: 8 });
    expect((await t.db.cart.findUniqueOrThrow({ where: { shop_token: { shop: SHOP, token: empty } } })).lineItems).toEqual([]);
  });

  it(`leaves exactly the rows the transaction leaves, for the same deliveries (${PG ? "one statement" : "direct transaction"})`, async () => {
    const c = checkoutPayload({ email: "same@example.com", customer: { id: 9, email: "c@example.com" }, buyer_accepts_marketing: true });
    const cartToken = `cart_${randomUUID().slice(0, 8)}`;
    const script: Array<[topic: string, payload: Record<string, unknown>, webhookId: string]> = [
      ["checkouts/create", c, "w1"],
      ["checkouts/update", { ...c, total_price: "12.34", line_items: [], updated_at: at(2).toISOString() }, "w2"],
      ["checkouts/update", { ...c, total_price: "99.00", updated_at: at(1).toISOString() }, "w3"], // stale
      ["checkouts/create", c, "w1"], // repeat
      ["checkouts/update", { ...c, completed_at: at(3).toISOString(), updated_at: at(3).toISOString() }, "w4"],
      ["checkouts/update", { ...c, completed_at: null, updated_at: at(4).toISOString() }, "w5"],
      ["checkouts/create", checkoutPayload({ token: "ck_anonymous", email: null, customer: null }), "w6"],
      ["carts/create", cartPayload(cartToken, at(0), 1), "w7"],
      ["carts/update", cartPayload(cartToken, at(2), 3), "w8"],
      ["carts/update", cartPayload(cartToken, at(1), 9), "w9"], // stale
      ["carts/create", cartPayload("cart_empty", at(0), 0), "w10"],
    ];
    const now = new Date("2026-01-02T03:04:05.678Z");
    const outcomes: string[] = [];
    const run = async (shop: string, way: "fast" | "transaction") => {
      for (const [topic, payload, id] of script) {
        const handler = topics.topicHandlers[topic];
        const delivery = { webhookId: `${shop}-${id}`, shop, topic, triggeredAt: at(0) };
        const ctx = { shop, payload: handler.schema.parse(payload), triggeredAt: at(0), now };
        if (way === "transaction") await intake.applyInTransaction(appDb, handler, delivery, ctx);
        else outcomes.push((await handler.fast!(t.db, delivery, ctx))!);
      }
      return rowsOf(shop);
    };
    const fast = await run("one.myshopify.com", "fast");
    const transaction = await run("tx.myshopify.com", "transaction");
    expect(comparable(fast, "one.myshopify.com")).toEqual(comparable(transaction, "tx.myshopify.com"));
    if (!PG)
      expect(comparable(storedRowsOf("one.myshopify.com"), "one.myshopify.com")).toEqual(comparable(storedRowsOf("tx.myshopify.com"), "tx.myshopify.com"));
    expect(outcomes).toEqual(["accepted", "accepted", "stale", "repeat", "accepted", "accepted", "accepted", "accepted", "accepted", "stale", "accepted"]);
    expect(fast.deliveries).toHaveLength(10);
    expect(
      fast.deliveries
        .filter((d) => d.outcome === "stale")
        .map((d) => d.webhookId)
        .sort(),
    ).toEqual(["one.myshopify.com-w3", "one.myshopify.com-w9"]);
    expect(fast.jobs.map((j) => j.kind).sort()).toEqual(["recovery.cart", "recovery.start"]);
  });

  it.skipIf(!PG)("takes two copies of one webhook racing past the repeat check once: the second fails whole and is acknowledged (PostgreSQL)", async () => {
    // Each copy's delivery insert (its statement's last write) waits, so both have started
    // before either commits: neither sees the other's delivery row when it checks for a repeat.
    await t.db.$executeRawUnsafe(`CREATE FUNCTION slow_delivery() RETURNS trigger AS $$
      BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$ LANGUAGE plpgsql`);
    await t.db.$executeRawUnsafe(`CREATE TRIGGER slow_delivery BEFORE INSERT ON "WebhookDelivery" FOR EACH ROW
      WHEN (NEW."webhookId" LIKE 'race-%') EXECUTE FUNCTION slow_delivery()`);
    try {
      const c = checkoutPayload({ email: "race@example.com" });
      const webhookId = `race-${randomUUID()}`;
      let statuses: number[] = [];
      const statements = await statementsDuring(async () => {
        statuses = (await Promise.all([send("checkouts/create", c, { webhookId }), send("checkouts/create", c, { webhookId })])).map((r) => r.status);
      });
      expect(statuses).toEqual([200, 200]);
      // Two single statements, then the loser's look-up after its unique violation (isKnownDelivery).
      expect(statements.filter((s) => s.startsWith("WITH"))).toHaveLength(2);
      expect(statements.filter((s) => !s.startsWith("WITH"))).toEqual([expect.stringMatching(/^SELECT .*"WebhookDelivery"/)]);
      expect(await t.db.webhookDelivery.count({ where: { webhookId } })).toBe(1);
      expect(await t.db.checkout.count({ where: { shop: SHOP, token: c.token } })).toBe(1);
      expect(await t.db.job.count({ where: { dedupeKey: `recovery.start:${SHOP}:${c.token}` } })).toBe(1);
    } finally {
      await t.db.$executeRawUnsafe(`DROP TRIGGER slow_delivery ON "WebhookDelivery"`);
      await t.db.$executeRawUnsafe(`DROP FUNCTION slow_delivery()`);
    }
  });

  it.skipIf(!PG)(
    "answers 503 with Retry-After after 5 s without an answer; the statement commits whole later and the retry is a repeat (PostgreSQL)",
    async () => {
      const schema = new URL(t.url).searchParams.get("schema")!;
      const locker = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await locker.connect();
      const c = checkoutPayload({ email: "late@example.com" });
      const webhookId = randomUUID();
      try {
        await locker.query("BEGIN");
        await locker.query(`LOCK TABLE "${schema}"."WebhookDelivery" IN ACCESS EXCLUSIVE MODE`);
        const started = Date.now();
        const res = await send("checkouts/create", c, { webhookId });
        expect({ status: res.status, retryAfter: res.headers.get("Retry-After") }).toEqual({ status: 503, retryAfter: "5" });
        expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
      } finally {
        await locker.query("ROLLBACK");
        await locker.end();
      }
      // The statement was waiting on the lock, not cancelled: it goes through once the lock is gone.
      for (let i = 0; i < 50 && !(await t.db.webhookDelivery.findUnique({ where: { webhookId } })); i++) await new Promise((r) => setTimeout(r, 100));
      expect((await send("checkouts/create", c, { webhookId })).status).toBe(200);
      expect(await t.db.webhookDelivery.count({ where: { webhookId } })).toBe(1);
      expect(await t.db.checkout.count({ where: { shop: SHOP, token: c.token } })).toBe(1);
      expect(await t.db.job.count({ where: { dedupeKey: `recovery.start:${SHOP}:${c.token}` } })).toBe(1);
    },
  );
});

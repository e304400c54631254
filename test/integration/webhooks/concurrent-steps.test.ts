import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "~/db.server";
import { createTestDb, type TestDb } from "../../support/db";
import type { Mailer } from "~/services/email/mailer.server";

// PostgreSQL: 10,000 due steps and 4 workers with their own pools, as 4 processes would have.
// SQLite allows one writer at a time: 1,000.
const N = process.env.TEST_DATABASE_URL ? 10_000 : 1_000;
const SHOP = "steps.myshopify.com";

let t: TestDb;
const sends = new Map<string, number>();
let mail: typeof import("~/services/mail.server");

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  mail = await import("~/services/mail.server");
  const counting: Mailer = {
    async send(m) {
      sends.set(m.idempotencyKey, (sends.get(m.idempotencyKey) ?? 0) + 1);
      return { ok: true, transportId: `t-${m.idempotencyKey}`, messageId: `<${m.idempotencyKey}@test>` };
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

describe(`${N} due recovery steps`, () => {
  it("are sent exactly once each by 4 concurrent workers", async () => {
    const now = new Date();
    await t.db.shop.create({ data: { shop: SHOP, emailsPerWindow: 0 } }); // no per-shopper budget: every step may send
    const flow = await t.db.recoveryFlow.create({
      data: {
        shop: SHOP,
        name: "f",
        enabled: true,
        steps: { create: [{ position: 0, delayMinutes: 60, subject: "Come back", body: [{ type: "items" }] }] },
      },
      include: { steps: true },
    });
    const stepId = flow.steps[0].id;
    const ids = Array.from({ length: N }, (_, i) => ({ checkout: `ck${i}-${randomUUID()}`, run: `run${i}-${randomUUID()}` }));
    for (let i = 0; i < N; i += 2000) {
      const slice = ids.slice(i, i + 2000);
      await t.db.checkout.createMany({
        data: slice.map((x, k) => ({
          id: x.checkout,
          shop: SHOP,
          token: `tok-${i + k}`,
          email: `s${i + k}@example.com`,
          lineItems: [],
          shopifyUpdatedAt: now,
        })),
      });
      await t.db.flowRun.createMany({
        data: slice.map((x, k) => ({
          id: x.run,
          shop: SHOP,
          flowId: flow.id,
          subjectKey: `checkout:tok-${i + k}`,
          checkoutId: x.checkout,
          email: `s${i + k}@example.com`,
          startedAt: new Date(now.getTime() - 2 * 3600_000),
        })),
      });
      await t.db.job.createMany({
        data: slice.map((x) => ({ kind: "recovery.step", shop: SHOP, payload: { runId: x.run, stepId }, runAt: now })),
      });
    }
    const { drainDue } = await import("~/services/jobs.server");
    const { recoveryHandlers } = await import("~/services/recovery.server");
    const cheapRender = async () => ({ subject: "Come back", html: "<p>items</p>", text: "items" });
    const clients = [0, 1, 2, 3].map(() => (t.dialect === "postgres" ? createDb(t.url) : t.db));
    await Promise.all(
      clients.map((db, w) =>
        drainDue({
          db,
          handlers: recoveryHandlers(db, { render: cheapRender }),
          workerId: `w${w}`,
          batchSize: 50,
          now: () => now,
        }),
      ),
    );
    if (t.dialect === "postgres") await Promise.all(clients.map((c) => c.$disconnect()));
    const duplicates = [...sends.values()].filter((n) => n > 1).length;
    expect(duplicates).toBe(0);
    expect(sends.size).toBe(N);
    expect(await t.db.message.count({ where: { shop: SHOP, status: "sent" } })).toBe(N);
  }, 300_000);
});

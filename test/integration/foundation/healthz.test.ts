import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../support/db";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.cleanup();
});

describe("GET /healthz", () => {
  it("answers 200 with db ok when the database answers", async () => {
    process.env.DATABASE_URL = t.url;
    const { loader } = await import("~/routes/healthz");
    const res = await loader();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, db: "ok" });
  });

  it("answers 503 when the database does not answer", async () => {
    process.env.DATABASE_URL = "postgresql://nobody@127.0.0.1:1/none";
    const { loader } = await import("~/routes/healthz");
    const res = await loader();
    expect(res.status).toBe(503);
    expect((await res.json()).ok).toBe(false);
    process.env.DATABASE_URL = t.url;
  });
});

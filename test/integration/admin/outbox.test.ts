import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminRequest } from "../../support/shopify";
import { respond, SHOP_A, SHOP_B, startHarness, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.cleanup();
});

describe("email log and data requests", () => {
  it("lists only the session shop's emails and refuses another shop's by id", async () => {
    const mine = await h.t.db.message.create({
      data: { shop: SHOP_A, idempotencyKey: "a-1", email: "a@example.com", status: "sent", subject: "Mine", html: "<p>hi</p>" },
    });
    const theirs = await h.t.db.message.create({ data: { shop: SHOP_B, idempotencyKey: "b-1", email: "b@example.com", status: "sent", subject: "Theirs" } });
    const list = await import("~/routes/app.outbox._index");
    const res = await respond(() => list.loader({ request: adminRequest("/app/outbox", { shop: SHOP_A }), params: {}, context: {} }));
    const body = (await res.json()) as { messages: Array<{ id: string }> };
    expect(body.messages.map((m) => m.id)).toEqual([mine.id]);
    const one = await import("~/routes/app.outbox.$id");
    const ok = await respond(() => one.loader({ request: adminRequest(`/app/outbox/${mine.id}`, { shop: SHOP_A }), params: { id: mine.id }, context: {} }));
    expect(ok.status).toBe(200);
    const denied = await respond(() =>
      one.loader({ request: adminRequest(`/app/outbox/${theirs.id}`, { shop: SHOP_A }), params: { id: theirs.id }, context: {} }),
    );
    expect(denied.status).toBe(404);
  });

  it("shows a send interrupted more than 15 minutes ago as unconfirmed, a recent one as sending", async () => {
    const shop = SHOP_A;
    const old = await h.t.db.message.create({
      data: { shop, idempotencyKey: "stuck-1", email: "s1@example.com", status: "sending", sentAt: new Date(Date.now() - 16 * 60_000) },
    });
    const recent = await h.t.db.message.create({
      data: { shop, idempotencyKey: "stuck-2", email: "s2@example.com", status: "sending", sentAt: new Date(Date.now() - 60_000) },
    });
    const list = await import("~/routes/app.outbox._index");
    const res = await respond(() => list.loader({ request: adminRequest("/app/outbox", { shop }), params: {}, context: {} }));
    const body = (await res.json()) as { messages: Array<{ id: string; status: string; reason: string | null }> };
    const byId = new Map(body.messages.map((m) => [m.id, m]));
    expect(byId.get(old.id)).toMatchObject({ status: "unconfirmed", reason: expect.stringContaining("will not be sent again") });
    expect(byId.get(recent.id)).toMatchObject({ status: "sending", reason: null });
    // the row itself is untouched: the label is the log's reading of it
    expect((await h.t.db.message.findUniqueOrThrow({ where: { id: old.id } })).status).toBe("sending");
  });

  it("downloads a data request export of the session's shop only", async () => {
    const exp = await h.t.db.dataExport.create({ data: { shop: SHOP_B, email: "c@example.com", payload: { checkouts: [] } } });
    const route = await import("~/routes/app.outbox.export.$id");
    const other = await respond(() =>
      route.loader({ request: adminRequest(`/app/outbox/export/${exp.id}`, { shop: SHOP_A }), params: { id: exp.id }, context: {} }),
    );
    expect(other.status).toBe(404);
    const own = await respond(() =>
      route.loader({ request: adminRequest(`/app/outbox/export/${exp.id}`, { shop: SHOP_B }), params: { id: exp.id }, context: {} }),
    );
    expect(own.status).toBe(200);
    expect(own.headers.get("Content-Disposition")).toContain("attachment");
    expect(((await own.json()) as { email: string }).email).toBe("c@example.com");
  });
});

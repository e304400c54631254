import { describe, expect, it } from "vitest";
import { postgresDialect, sqliteDialect } from "~/models/sql/dialects";
import { Slot, slots, slotValues, template, templates } from "~/models/sql/template.server";

describe("statement templates (built once, bound per call)", () => {
  const k = sqliteDialect.builder;
  const insert = () =>
    k.insertInto("WebhookDelivery").values({
      ...slots<{ webhookId: string; shop: string; topic: string }>("d.", ["webhookId", "shop", "topic"]),
      outcome: "accepted",
      receivedAt: new Slot("d.at") as never,
    } as never);

  it("compiles the same text as the statement built with the values, and binds the values in their places", () => {
    const t = template(insert().compile());
    const at = new Date("2026-12-05T00:00:00Z");
    const direct = k
      .insertInto("WebhookDelivery")
      .values({ webhookId: "w1", shop: "s.myshopify.com", topic: "carts/create", outcome: "accepted", receivedAt: at })
      .compile();
    expect(t.sql).toBe(direct.sql);
    expect(t.bind(slotValues("d.", { webhookId: "w1", shop: "s.myshopify.com", topic: "carts/create", at }))).toEqual(direct.parameters);
  });

  it("refuses a call without a value for a slot, and a statement with no slot", () => {
    const t = template(insert().compile());
    expect(() => t.bind({ "d.webhookId": "w1", "d.shop": "s", "d.topic": "t" })).toThrow(/no value for slot d\.at/);
    expect(() => template(k.selectFrom("Job").select("id").where("id", "=", "x").compile())).toThrow(/no slots/);
  });

  it("keeps one template (one text object) per key", () => {
    let built = 0;
    const get = templates<"a" | "b">(() => {
      built++;
      return postgresDialect.builder
        .selectFrom("Job")
        .select("id")
        .where("id", "=", new Slot("id") as never)
        .compile();
    });
    expect(get("a")).toBe(get("a"));
    expect(get("b")).not.toBe(get("a"));
    expect(built).toBe(2);
    expect(get("a").bind({ id: "j1" })).toEqual(["j1"]);
  });
});

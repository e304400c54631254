import { describe, expect, it } from "vitest";
import { conditionsSchema, contentSchema, frequencyCapSchema, parseTriggerInput, segmentSchema, triggerInputSchema } from "~/domain/triggers/schema";

const valid = {
  name: "Exit offer",
  type: "exit_intent",
  content: { kind: "discount_reveal", headline: "Wait!", code: "SAVE10" },
};

describe("triggerInputSchema", () => {
  it("fills in defaults for everything a form may leave out", () => {
    const t = triggerInputSchema.parse(valid);
    expect(t).toMatchObject({
      enabled: false,
      holdoutPct: 10,
      priority: 0,
      conditions: { pageTypes: [], minTier: "low", exit: { topZonePx: 29, minDwellMs: 500, ignoreLeftPct: 8 } },
      segment: { visitor: "any", purchaser: "any", devices: [] },
      frequencyCap: { perSession: 1, perPeriod: null, stopAfterConversion: true, stopAfterDismiss: false },
      content: { body: "", button: "", layout: "default" },
    });
  });

  it("reports one message per field, keyed by the field's path", () => {
    const r = parseTriggerInput({
      name: "  ",
      type: "on_a_whim",
      holdoutPct: 75,
      priority: 1.5,
      content: { kind: "discount_reveal", headline: "", code: "10% OFF" },
      conditions: { scrollPct: 120, pageTypes: ["checkout"], exit: { topZonePx: 2 } },
      segment: { countries: ["Germany"], devices: ["watch"] },
      frequencyCap: { perSession: -1, perPeriod: { count: 0, days: 7 } },
    });
    expect(r.valid).toBe(false);
    if (r.valid) return;
    expect(r.errors).toEqual({
      name: "Give the trigger a name",
      type: "Fires on: choose one of exit_intent, page_engagement, inactivity, cart_change",
      holdoutPct: "Holdout must be at most 50",
      priority: "Priority must be a whole number",
      "content.headline": "Enter a headline",
      "content.code": "Discount code: letters, digits, - and _ only",
      "conditions.scrollPct": "Scroll depth must be at most 100",
      "conditions.pageTypes.0": expect.stringContaining("Page type: choose one of"),
      "conditions.exit.topZonePx": "Exit zone height must be at least 5",
      "segment.countries.0": "Country: use two-letter codes such as US or DE",
      "segment.devices.0": "Device: choose one of desktop, mobile, tablet",
      "frequencyCap.perSession": "Times per session must be at least 0",
      "frequencyCap.perPeriod.count": "Times per period must be at least 1",
    });
  });

  it("asks for a content kind it knows", () => {
    const r = parseTriggerInput({ ...valid, content: { kind: "confetti", headline: "Hi" } });
    expect(r).toEqual({ valid: false, errors: { "content.kind": expect.stringContaining("Content: choose one of") } });
  });

  it("caps the holdout at 50% and accepts 0", () => {
    expect(triggerInputSchema.safeParse({ ...valid, holdoutPct: 50 }).success).toBe(true);
    expect(triggerInputSchema.safeParse({ ...valid, holdoutPct: 0 }).success).toBe(true);
    expect(triggerInputSchema.safeParse({ ...valid, holdoutPct: 51 }).success).toBe(false);
  });

  it("checks rules that span fields", () => {
    const r = parseTriggerInput({
      name: "Idle",
      type: "inactivity",
      conditions: { idleSec: 2, maxCartCents: 1000 },
      segment: { minCartCents: 2000 },
      content: { kind: "cart_reminder", headline: "Your cart" },
    });
    expect(r.valid).toBe(false);
    if (r.valid) return;
    expect(r.errors).toEqual({
      "conditions.idleSec": "Inactivity triggers need at least 5 seconds of inactivity",
      "conditions.maxCartCents": "Cart value below must be higher than the segment's minimum cart value",
      "conditions.minCartItems": "A cart reminder needs at least 1 item in the cart",
    });
  });

  it("keeps recommendations to product pages", () => {
    const r = parseTriggerInput({ ...valid, content: { kind: "recommendations", headline: "You may like" } });
    expect(r).toEqual({
      valid: false,
      errors: {
        "conditions.pageTypes": "Recommendations follow the product being viewed: limit this trigger to product pages",
      },
    });
  });

  it("normalises country codes to upper case", () => {
    expect(segmentSchema.parse({ countries: ["de", " us "] }).countries).toEqual(["DE", "US"]);
  });
});

describe("content links", () => {
  const message = (url: string) => contentSchema.safeParse({ kind: "message", headline: "Hi", url });

  it("accepts store paths and https URLs", () => {
    expect(message("/collections/sale").success).toBe(true);
    expect(message("https://example.com/page").success).toBe(true);
    expect(message("").success).toBe(true);
  });

  it("refuses script URLs, protocol-relative and plain http links", () => {
    for (const url of ["javascript:alert(1)", "//evil.example", "http://example.com", "data:text/html,hi"]) {
      const r = message(url);
      expect(r.success, url).toBe(false);
      expect(r.error?.issues[0].message).toBe("Link must start with / (a page of your store) or https://");
    }
  });
});

describe("part schemas", () => {
  it("parse an empty object to their defaults", () => {
    expect(conditionsSchema.parse({}).exit.tabReturn).toBe(true);
    expect(segmentSchema.parse({}).minCartCents).toBe(0);
    expect(frequencyCapSchema.parse({}).perSession).toBe(1);
  });

  it("explain a wrong type in words", () => {
    const r = frequencyCapSchema.safeParse({ perSession: "often" });
    expect(r.error?.issues[0].message).toBe("Times per session must be a number");
  });
});

import { describe, expect, it } from "vitest";
import { compileConfig } from "~/domain/triggers/compile";
import { triggerInputSchema } from "~/domain/triggers/schema";
import { TEMPLATE_KEYS, templateInfo, triggerTemplates } from "~/domain/triggers/templates";

describe("triggerTemplates", () => {
  it("has every template the issue names", () => {
    expect(Object.keys(triggerTemplates).sort()).toEqual(
      [
        "browse_abandonment",
        "cart_value_nudge",
        "checkout_hesitation",
        "exit_intent_cart_reminder",
        "exit_intent_recommendations",
        "exit_offer",
        "first_visit_offer",
        "returning_welcome",
        "two_step_capture",
      ].sort(),
    );
    expect(Object.keys(templateInfo).sort()).toEqual([...TEMPLATE_KEYS].sort());
  });

  it.each(TEMPLATE_KEYS)("%s is a complete, valid trigger input that round-trips", (key) => {
    const t = triggerTemplates[key];
    expect(triggerInputSchema.parse(t)).toEqual(t);
    expect(t.enabled).toBe(false);
    expect(t.holdoutPct).toBeGreaterThan(0);
    expect(t.name).toBe(templateInfo[key].title);
  });

  it("compiles every template", () => {
    const rows = TEMPLATE_KEYS.map((k, i) => ({ ...triggerTemplates[k], id: k, salt: `s${i}`, enabled: true }));
    const skipped: unknown[] = [];
    const config = compileConfig(rows, { overlaysPerSession: 2 }, (n) => skipped.push(n));
    expect(skipped).toEqual([]);
    expect(config.t).toHaveLength(TEMPLATE_KEYS.length);
  });
});

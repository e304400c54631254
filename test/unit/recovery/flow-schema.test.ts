import { describe, expect, it } from "vitest";
import { flowFieldErrors, flowInputSchema, type FlowInputDraft } from "~/domain/recovery/schema";
import { flowTemplates } from "~/domain/recovery/templates";

function valid(): FlowInputDraft {
  return structuredClone(flowTemplates.checkout);
}

function errorsFor(draft: unknown): Record<string, string> {
  const result = flowInputSchema.safeParse(draft);
  if (result.success) throw new Error("expected the flow to be rejected");
  return flowFieldErrors(result.error);
}

describe("flow templates", () => {
  it("are all valid flows", () => {
    for (const template of Object.values(flowTemplates)) {
      expect(flowInputSchema.safeParse(template).success).toBe(true);
    }
  });

  it("start checkout recovery 1 hour after the checkout for anyone with an email, with a 10% offer at 24 hours", () => {
    const { checkout } = flowTemplates;
    expect(checkout).toMatchObject({ kind: "checkout", enabled: true, audience: "any_email" });
    expect(checkout.steps.map((s) => s.delayMinutes)).toEqual([60, 24 * 60]);
    expect(checkout.steps[0].discountPercent).toBeUndefined();
    expect(checkout.steps[1].discountPercent).toBe(10);
  });

  it("ship cart and browse follow-ups switched off", () => {
    expect(flowTemplates.cart).toMatchObject({ kind: "cart", enabled: false });
    expect(flowTemplates.browse).toMatchObject({ kind: "browse", enabled: false });
  });
});

describe("flowInputSchema", () => {
  it("fills defaults for fields a form may leave out", () => {
    const draft = valid();
    delete draft.respectQuiet;
    delete draft.deliverVia;
    delete draft.minCartCents;
    const flow = flowInputSchema.parse(draft);
    expect(flow).toMatchObject({ respectQuiet: true, deliverVia: "email", minCartCents: 0 });
  });

  it("rejects a delay under 15 minutes or over 30 days with a message the merchant can act on", () => {
    const draft = valid();
    draft.steps[0].delayMinutes = 10;
    expect(errorsFor(draft)["steps.0.delayMinutes"]).toBe("Wait at least 15 minutes before sending");
    draft.steps[0].delayMinutes = 30 * 24 * 60 + 1;
    expect(errorsFor(draft)["steps.0.delayMinutes"]).toBe("Send within 30 days (43200 minutes)");
  });

  it("rejects steps that are not in increasing order of delay", () => {
    const draft = valid();
    draft.steps[1].delayMinutes = 60;
    expect(errorsFor(draft)["steps.1.delayMinutes"]).toMatch(/Email 2 must be sent later than email 1/);
  });

  it("needs between one and five emails", () => {
    expect(errorsFor({ ...valid(), steps: [] })["steps"]).toBe("Add at least one email");
    const six = Array.from({ length: 6 }, (_, i) => ({ ...valid().steps[0], delayMinutes: 60 * (i + 1) }));
    expect(errorsFor({ ...valid(), steps: six })["steps"]).toBe("A flow can have at most 5 emails");
  });

  it("caps the holdout at 50%", () => {
    expect(errorsFor({ ...valid(), holdoutPct: 60 })["holdoutPct"]).toBe("Holdout must be between 0% and 50%");
  });

  it("requires a subject of at most 150 characters", () => {
    const draft = valid();
    draft.steps[0].subject = "   ";
    expect(errorsFor(draft)["steps.0.subject"]).toBe("Subject is required");
    draft.steps[0].subject = "x".repeat(151);
    expect(errorsFor(draft)["steps.0.subject"]).toBe("Subject can be at most 150 characters");
  });

  it("rejects a discount outside 1-90% and an expiry outside 1-60 days", () => {
    const draft = valid();
    draft.steps[1].discountPercent = 95;
    draft.steps[1].discountExpiryDays = 0;
    const errors = errorsFor(draft);
    expect(errors["steps.1.discountPercent"]).toBe("Discount must be between 1% and 90%");
    expect(errors["steps.1.discountExpiryDays"]).toBe("Discount expiry must be between 1 and 60 days");
  });

  it("rejects a discount block or a {{ discount_code }} on an email without a discount", () => {
    const draft = valid();
    draft.steps[0].body = [...draft.steps[0].body, { type: "discount" }];
    draft.steps[0].preheader = "Code: {{ discount_code }}";
    const errors = errorsFor(draft);
    expect(errors["steps.0.body.4.type"]).toBe("Set a discount percent for this email or remove the discount block");
    expect(errors["steps.0.preheader"]).toBe("{{ discount_code }} needs a discount on this email");
  });

  it("accepts {{ discount }} and {{ discount_expires }} only on an email with a discount, and a recommendations block anywhere", () => {
    const draft = valid();
    draft.steps[0].subject = "{{ discount }} off until {{ discount_expires }}";
    draft.steps[0].body = [...draft.steps[0].body, { type: "recommendations" }];
    expect(errorsFor(draft)["steps.0.subject"]).toBe("{{ discount }} needs a discount on this email");
    expect(errorsFor(draft)["steps.0.body.4.type"]).toBeUndefined();
    draft.steps[0].discountPercent = 15;
    expect(flowInputSchema.safeParse(draft).success).toBe(true);
  });

  it("names the placeholders that exist when copy uses an unknown one", () => {
    const draft = valid();
    draft.steps[0].subject = "Hi {{ firstname }}";
    expect(errorsFor(draft)["steps.0.subject"]).toBe(
      "Unknown placeholder {{ firstname }}; use one of: first_name, shop_name, discount_code, discount, discount_expires",
    );
  });

  it("requires text in heading and text blocks and a known block type", () => {
    const draft = valid();
    draft.steps[0].body = [{ type: "heading" }, { type: "video" as never, text: "x" }];
    const errors = errorsFor(draft);
    expect(errors["steps.0.body.0.text"]).toBe("A heading block needs some text");
    expect(errors["steps.0.body.1.type"]).toMatch(/^Block type must be one of: heading, text, items, button, discount/);
  });

  it("needs a minimum cart value for the minimum-value audience", () => {
    expect(errorsFor({ ...valid(), audience: "min_value", minCartCents: 0 })["minCartCents"]).toBe("Set a minimum cart value above 0 for this audience");
    expect(flowInputSchema.safeParse({ ...valid(), audience: "min_value", minCartCents: 5000 }).success).toBe(true);
  });

  it("rejects unknown fields and wrong types instead of ignoring them", () => {
    const errors = errorsFor({ ...valid(), enabled: "yes", color: "red" });
    expect(errors["enabled"]).toBe("Enabled must be true or false");
    expect(errors["_"]).toMatch(/color/);
  });
});

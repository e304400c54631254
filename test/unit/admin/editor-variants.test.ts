/**
 * Issue 21, the editors' variant state (pure): the trigger form's flat map round-trips arms
 * through the shared schema, adds a variant as a copy of the one shown and removes one with the
 * later arms moving up; the flow draft does the same per email; errors come back on each
 * variant's own paths.
 */
import { describe, expect, it } from "vitest";
import { addArm, armIds, armPath, AUTO_PROMOTE, buildInput, previewContent, removeArm, toFormValues, type FormValues } from "~/components/trigger-form";
import { addStepArm, armEmail, draftSignature, removeStepArm, toFlowDraft, toFlowDraftInput, toStepInput } from "~/components/flows/draft";
import { ARM_ID } from "~/domain/experiments/variants";
import { parseTriggerInput, triggerTemplates, type TriggerInput } from "~/domain/triggers";
import { flowFieldErrors, flowInputSchema, flowTemplates } from "~/domain/recovery";

const base: TriggerInput = triggerTemplates.exit_offer;
const form = (t: Record<string, unknown>): FormValues => toFormValues(t);

describe("trigger form: variants", () => {
  it("without a test: no arms, variants null in the input", () => {
    const values = form(base as unknown as Record<string, unknown>);
    expect(armIds(values)).toEqual([]);
    const input = buildInput(values);
    expect(input.variants).toBeNull();
    expect(input.autoPromote).toBe(false);
    expect(parseTriggerInput(input).valid).toBe(true);
  });

  it("adds B as a copy of A at 50/50, then C as a copy of B at 34/33/33; each arm previews its own content", () => {
    let values = form(base as unknown as Record<string, unknown>);
    const first = addArm(values, 0);
    expect(first.arm).toBe(1);
    values = { ...first.values, [armPath(1, "content.headline")]: "B headline" };
    expect(armIds(values)).toHaveLength(2);
    expect(armIds(values).every((id) => ARM_ID.test(id))).toBe(true);
    expect([values["variants.0.weight"], values["variants.1.weight"]]).toEqual(["50", "50"]);
    const second = addArm(values, 1);
    expect(second.arm).toBe(2);
    values = second.values;
    expect(values[armPath(2, "content.headline")]).toBe("B headline");
    expect([0, 1, 2].map((i) => values[`variants.${i}.weight`])).toEqual(["34", "33", "33"]);
    expect(previewContent(values, 0).headline).toBe(base.content.headline);
    expect(previewContent(values, 1).headline).toBe("B headline");

    const input = buildInput({ ...values, [AUTO_PROMOTE]: true });
    const parsed = parseTriggerInput(input);
    expect(parsed.valid).toBe(true);
    if (!parsed.valid) return;
    expect(parsed.data.variants?.map((a) => a.weight)).toEqual([34, 33, 33]);
    expect(parsed.data.variants?.[0].content).toBeUndefined();
    expect(parsed.data.variants?.[1].content?.headline).toBe("B headline");
    expect(parsed.data.autoPromote).toBe(true);
    // a fourth and no fifth
    const fourth = addArm(values, 0).values;
    expect(armIds(fourth)).toHaveLength(4);
    expect(armIds(addArm(fourth, 0).values)).toHaveLength(4);

    // what the server stores reads back as the same form
    const stored = { ...base, variants: parsed.data.variants, autoPromote: true };
    const again = form(stored as unknown as Record<string, unknown>);
    expect(again[armPath(1, "content.headline")]).toBe("B headline");
    expect(again["variants.0.weight"]).toBe("34");
    expect(again[AUTO_PROMOTE]).toBe(true);
    expect(buildInput(again)).toEqual(buildInput({ ...values, [AUTO_PROMOTE]: true }));
  });

  it("removing B moves C up to B; removing down to one arm ends the test", () => {
    let values = addArm(form(base as unknown as Record<string, unknown>), 0).values;
    values = { ...values, [armPath(1, "content.headline")]: "B" };
    values = addArm(values, 1).values;
    values = { ...values, [armPath(2, "content.headline")]: "C" };
    const ids = armIds(values);
    const removed = removeArm(values, 1);
    expect(armIds(removed)).toEqual([ids[0], ids[2]]);
    expect(removed[armPath(1, "content.headline")]).toBe("C");
    expect(removed[armPath(2, "content.headline")]).toBeUndefined();
    expect([removed["variants.0.weight"], removed["variants.1.weight"]]).toEqual(["50", "50"]);
    const none = removeArm({ ...removed, [AUTO_PROMOTE]: true }, 1);
    expect(armIds(none)).toEqual([]);
    expect(Object.keys(none).filter((k) => k.startsWith("variants.") && k !== "variants.ids")).toEqual([]);
    expect(buildInput(none).variants).toBeNull();
    expect(buildInput(none).autoPromote).toBe(false);
    // A cannot be removed (it is the trigger's own content)
    expect(removeArm(values, 0)).toBe(values);
  });

  it("puts a variant's content errors and the split's on the variant's paths", () => {
    let values = addArm(form(base as unknown as Record<string, unknown>), 0).values;
    values = { ...values, [armPath(1, "content.headline")]: "", "variants.0.weight": "70", "variants.1.weight": "40" };
    const parsed = parseTriggerInput(buildInput(values));
    expect(parsed.valid).toBe(false);
    if (parsed.valid) return;
    expect(parsed.errors["variants.1.content.headline"]).toBeTruthy();
    expect(parsed.errors["variants"]).toMatch(/add up to 110/);
    expect(parsed.errors["content.headline"]).toBeUndefined();
  });
});

describe("flow draft: variants", () => {
  const draft = () => toFlowDraft(flowTemplates.checkout);

  it("adds a variant to an email as a copy of the one shown, round-trips through the schema, and removes it", () => {
    const d = draft();
    const step = addStepArm(d.steps[0]);
    expect(step.shown).toBe(1);
    expect(step.arms.map((a) => a.weight)).toEqual(["50", "50"]);
    expect(armEmail(step).subject).toBe(d.steps[0].subject);
    const edited = { ...step, arms: step.arms.map((a, i) => (i === 1 && a.email ? { ...a, email: { ...a.email, subject: "B subject" } } : a)) };
    const input = toFlowDraftInput({ ...d, steps: [edited, ...d.steps.slice(1)] });
    const parsed = flowInputSchema.safeParse(input);
    expect(parsed.success).toBe(true);
    if (!parsed.success) return;
    expect(parsed.data.steps[0].variants?.[1].step?.subject).toBe("B subject");
    expect(parsed.data.steps[0].subject).toBe(d.steps[0].subject);
    // the stored flow reads back into the same draft (the arm shown is not a change)
    const back = toFlowDraft(parsed.data);
    expect(back.steps[0].arms[1].email?.subject).toBe("B subject");
    expect(draftSignature({ ...back, steps: [{ ...back.steps[0], shown: 1 }, ...back.steps.slice(1)] })).toBe(draftSignature(back));
    expect(toStepInput(back.steps[0])).toEqual(toStepInput(edited));
    // removing B ends the test
    const removed = removeStepArm(edited, 1);
    expect(removed.arms).toEqual([]);
    expect(removed.shown).toBe(0);
    expect(toStepInput(removed)).not.toHaveProperty("variants");
  });

  it("reports a variant's field errors and the split at steps.<s>.variants.<i>", () => {
    const d = draft();
    const step = addStepArm(d.steps[0]);
    const broken = {
      ...step,
      arms: step.arms.map((a, i) => (i === 1 && a.email ? { ...a, weight: "60", email: { ...a.email, subject: "" } } : a)),
    };
    const parsed = flowInputSchema.safeParse(toFlowDraftInput({ ...d, steps: [broken, ...d.steps.slice(1)] }));
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    const errors = flowFieldErrors(parsed.error);
    expect(errors["steps.0.variants.1.step.subject"]).toBe("Subject is required");
    expect(errors["steps.0.variants"]).toMatch(/add up to 110/);
    expect(errors["steps.0.subject"]).toBeUndefined();
  });
});

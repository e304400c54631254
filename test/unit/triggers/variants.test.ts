import { describe, expect, it } from "vitest";
import { isHoldout, pickArm } from "~/domain/experiments/assign";
import { compileConfig, compileTrigger, configBytes, CONFIG_MAX_BYTES, type SkipNotice, type TriggerRow } from "~/domain/triggers/compile";
import { armOf, evaluate, explain } from "~/domain/triggers/evaluate";
import type { TriggerFormInput } from "~/domain/triggers/schema";
import type { Decision } from "~/domain/triggers/types";
import { mouseExit, NOW, row, visitor } from "./fixtures";

/**
 * A/B variants on the storefront side (issue 21): the compiled arms (`v`) and the arm evaluate
 * gives a visitor — deterministic, split by the weights, drawn apart from the holdout.
 */
const base: TriggerFormInput = {
  name: "Exit message",
  type: "exit_intent",
  content: { kind: "message", headline: "Free returns" },
  holdoutPct: 0,
};
const arms = (weights: number[], contents: Array<Record<string, unknown>> = []) =>
  weights.map((weight, i) => ({
    id: `arm${"abcd"[i]}0000`,
    weight,
    ...(i > 0 ? { content: contents[i - 1] ?? { kind: "message", headline: `Headline ${"ABCD"[i]}` } } : {}),
  }));
const tested = (weights: number[], holdoutPct = 0, contents?: Array<Record<string, unknown>>): TriggerRow =>
  row({ ...base, holdoutPct, variants: arms(weights, contents) } as TriggerFormInput, { id: "tt", salt: "salt-tt" });
const ids = (n: number) => Array.from({ length: n }, (_, i) => `visitor-${i}-${(i * 2654435761) % 1000003}`);
const decide = (rows: TriggerRow[], visitorId: string, consent = { analytics: true, marketing: true }): Decision | null =>
  evaluate(compileConfig(rows, { overlaysPerSession: 3 }), visitor({ visitorId, consent }), mouseExit, NOW);

describe("compile: arms", () => {
  it("compiles 2+ arms as v: id and weight, arm A without content (it is o), the others their compacted content", () => {
    const r = compileTrigger(
      tested([50, 30, 20], 0, [
        { kind: "message", headline: "B", body: "" },
        { kind: "discount_reveal", headline: "C", code: "SAVE" },
      ]),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.trigger.o).toEqual({ kind: "message", headline: "Free returns" });
    expect(r.trigger.v).toEqual([
      { k: "arma0000", w: 50 },
      // empty text is left out, as on the trigger's own content
      { k: "armb0000", w: 30, o: { kind: "message", headline: "B" } },
      { k: "armc0000", w: 20, o: { kind: "discount_reveal", headline: "C", code: "SAVE" } },
    ]);
  });

  it("leaves v out without a test (null, an empty list, or the column absent)", () => {
    for (const variants of [null, [], undefined]) {
      const r = compileTrigger({ ...row(base), variants });
      expect(r.ok && r.trigger.v).toBe(undefined);
    }
  });

  it("reports a trigger whose arms do not validate as invalid, by field", () => {
    const bad = (variants: unknown) => {
      const skipped: SkipNotice[] = [];
      const cfg = compileConfig([{ ...row(base, { id: "bad" }), variants }], { overlaysPerSession: 2 }, (n) => skipped.push(n));
      expect(cfg.t).toEqual([]);
      expect(skipped).toHaveLength(1);
      return skipped[0].reason === "invalid" ? skipped[0].errors : {};
    };
    // an arm's content that is not a content
    expect(
      bad([
        { id: "arma0000", weight: 50 },
        { id: "armb0000", weight: 50, content: { kind: "message", headline: "" } },
      ]),
    ).toHaveProperty(["variants.1.content.headline"]);
    expect(
      bad([
        { id: "arma0000", weight: 50 },
        { id: "armb0000", weight: 50, content: { kind: "popup" } },
      ]),
    ).toHaveProperty(["variants.1.content.kind"]);
    // weights that do not add up, a missing content, a bad id, duplicate ids, not a list
    expect(bad(arms([50, 40]))).toHaveProperty(["variants"]);
    expect(
      bad([
        { id: "arma0000", weight: 50 },
        { id: "armb0000", weight: 50 },
      ]),
    ).toHaveProperty(["variants.1.content"]);
    expect(
      bad([
        { id: "arma0000", weight: 50 },
        { id: "BAD!", weight: 50, content: { kind: "message", headline: "x" } },
      ]),
    ).toHaveProperty(["variants.1.id"]);
    expect(
      bad([
        { id: "arma0000", weight: 50 },
        { id: "arma0000", weight: 50, content: { kind: "message", headline: "x" } },
      ]),
    ).toHaveProperty(["variants.1.id"]);
    expect(bad({ a: 1 })).toHaveProperty(["variants"]);
  });

  it("keeps the config under the metafield's size with four long arms on 50 triggers (lowest priority dropped, reported)", () => {
    const long = { kind: "email_capture", headline: "H".repeat(100), body: "B".repeat(300), button: "C".repeat(40), consentLabel: "L".repeat(200) };
    const rows = Array.from({ length: 50 }, (_, i) => ({
      ...row({
        ...base,
        priority: i,
        content: { kind: "message", headline: "A".repeat(100), body: "B".repeat(300) },
        variants: arms([25, 25, 25, 25], [long, long, long]),
      } as TriggerFormInput),
      id: `clx${String(i).padStart(3, "0")}abcdefghijklmnopqr`,
    }));
    const skipped: SkipNotice[] = [];
    const cfg = compileConfig(rows, { overlaysPerSession: 2 }, (n) => skipped.push(n));
    expect(configBytes(cfg)).toBeLessThanOrEqual(CONFIG_MAX_BYTES);
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((s) => s.reason === "too_large")).toBe(true);
    expect(cfg.t.length + skipped.length).toBe(50);
    expect(cfg.t.every((t) => t.v?.length === 4)).toBe(true);
  });
});

describe("evaluate: arms", () => {
  it("gives a treatment visitor their arm's id and content (arm A keeps the trigger's own), the same every time", () => {
    const rows = [tested([50, 50])];
    const seen = new Set<string>();
    for (const id of ids(200)) {
      const d = decide(rows, id)!;
      expect(d.variant).toBe("treatment");
      expect(d.arm).toMatch(/^arm[ab]0000$/);
      seen.add(d.arm!);
      expect(d.trigger.o.headline).toBe(d.arm === "arma0000" ? "Free returns" : "Headline B");
      // deterministic: again, and from a freshly compiled config
      expect(decide([tested([50, 50])], id)).toEqual(d);
      expect(d.arm).toBe(["arma0000", "armb0000"][pickArm("salt-tt", id, [50, 50])]);
    }
    expect(seen.size).toBe(2);
  });

  it("splits 10,000 visitors within 2 points of the weights (50/30/20), and never shows a weight-0 arm", () => {
    const n = 10_000;
    const count = (weights: number[]) => {
      const rows = [tested(weights)];
      const c: Record<string, number> = {};
      for (const id of ids(n)) {
        const arm = decide(rows, id)!.arm!;
        c[arm] = (c[arm] ?? 0) + 1;
      }
      return c;
    };
    const c = count([50, 30, 20]);
    expect(Math.abs(c.arma0000 / n - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(c.armb0000 / n - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(c.armc0000 / n - 0.2)).toBeLessThan(0.02);
    const zero = count([60, 0, 40]);
    expect(zero.armb0000).toBeUndefined();
    expect(zero.arma0000 + zero.armc0000).toBe(n);
    expect(Math.abs(zero.arma0000 / n - 0.6)).toBeLessThan(0.02);
  });

  it("draws the holdout first: held-out visitors get no arm, and adding arms changes no one's holdout", () => {
    const n = 10_000;
    const plain = [row({ ...base, holdoutPct: 20 }, { id: "tt", salt: "salt-tt" })];
    const withArms = [tested([34, 33, 33], 20)];
    let control = 0;
    for (const id of ids(n)) {
      const a = decide(plain, id)!;
      const b = decide(withArms, id)!;
      expect(b.variant).toBe(a.variant);
      expect(a.variant).toBe(isHoldout("salt-tt", id, 20) ? "control" : "treatment");
      if (b.variant === "control") {
        control++;
        expect(b.arm).toBeUndefined();
        // the control decision carries the trigger as it is (its own content)
        expect(b.trigger.o.headline).toBe("Free returns");
      } else expect(b.arm).toBeDefined();
    }
    expect(Math.abs(control / n - 0.2)).toBeLessThan(0.02);
  });

  it("a held decision (channel gap) carries no arm", () => {
    const r = tested([50, 50]);
    const cfg = compileConfig([r], { overlaysPerSession: 3, channelGapHours: 24 });
    for (const id of ids(20)) {
      const d = evaluate(cfg, visitor({ visitorId: id, caps: { page: 0, session: 0, byTrigger: {}, em: NOW - 3_600_000 } }), mouseExit, NOW)!;
      expect(d.variant).toBe("held");
      expect(d.arm).toBeUndefined();
    }
  });

  it("judges marketing consent on the visitor's arm: an email-capture arm needs it, the message arm does not", () => {
    const capture = { kind: "email_capture", headline: "Join us" };
    const rows = [tested([50, 50], 30, [capture])];
    const cfg = compileConfig(rows, { overlaysPerSession: 3 });
    const noMarketing = { analytics: true, marketing: false };
    let shownA = 0;
    let heldOut = 0;
    for (const id of ids(400)) {
      const would = armOf(cfg.t[0], id)!.k;
      const d = decide(rows, id, noMarketing);
      const why = explain(cfg, visitor({ visitorId: id, consent: noMarketing }), mouseExit, NOW)[0].result;
      if (would === "armb0000") {
        // arm B asks for an email: without marketing consent nothing fires — not even as control
        expect(d).toBeNull();
        expect(why).toBe("consent");
      } else {
        expect(d).not.toBeNull();
        expect(why).toBe("fire");
        if (d!.variant === "treatment") {
          expect(d!.arm).toBe("arma0000");
          shownA++;
        } else heldOut++;
      }
      // with consent everyone fires, in their arm
      const ok = decide(rows, id)!;
      if (ok.variant === "treatment") expect(ok.arm).toBe(would);
      // an email capture also needs analytics consent
      if (would === "armb0000") expect(decide(rows, id, { analytics: false, marketing: true })).toBeNull();
    }
    expect(shownA).toBeGreaterThan(0);
    expect(heldOut).toBeGreaterThan(0);
  });
});

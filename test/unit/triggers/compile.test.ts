import { describe, expect, it } from "vitest";
import { CONFIG_MAX_BYTES, compileConfig, configBytes, type SkipNotice } from "~/domain/triggers/compile";
import { conditionsSchema, frequencyCapSchema } from "~/domain/triggers/schema";
import { TEMPLATE_KEYS, triggerTemplates } from "~/domain/triggers/templates";
import { CAP_DEFAULTS, EXIT_DEFAULTS } from "~/domain/triggers/types";
import { exitRecommendations, row } from "./fixtures";

const METAFIELD_LIMIT = 64 * 1024;

function fiftyTriggers(longCopy: boolean) {
  return Array.from({ length: 50 }, (_, i) => {
    const t = triggerTemplates[TEMPLATE_KEYS[i % TEMPLATE_KEYS.length]];
    const content = longCopy
      ? {
          ...t.content,
          headline: "H".repeat(100),
          body: "B".repeat(300),
          button: "C".repeat(40),
          ...(t.content.kind === "email_capture" ? { consentLabel: "L".repeat(200), successText: "S".repeat(150) } : {}),
        }
      : t.content;
    return {
      ...t,
      content,
      id: `clx${String(i).padStart(3, "0")}abcdefghijklmnopqr`,
      salt: `0123456789abcdef${i}`,
      enabled: true,
      priority: i,
    };
  });
}

describe("compileConfig", () => {
  it("keeps 50 realistic triggers well under the 64 KB metafield limit", () => {
    const config = compileConfig(fiftyTriggers(false), { overlaysPerSession: 2 });
    expect(config.t).toHaveLength(50);
    expect(configBytes(config)).toBeLessThan(METAFIELD_LIMIT / 2);
  });

  it("keeps 50 triggers with maximum-length copy under the limit", () => {
    const skipped: SkipNotice[] = [];
    const config = compileConfig(fiftyTriggers(true), { overlaysPerSession: 2 }, (n) => skipped.push(n));
    expect(skipped).toEqual([]);
    expect(configBytes(config)).toBeLessThanOrEqual(CONFIG_MAX_BYTES);
    expect(CONFIG_MAX_BYTES).toBeLessThan(METAFIELD_LIMIT);
  });

  it("drops the lowest-priority triggers, and says so, rather than exceed the limit", () => {
    const rows = [...fiftyTriggers(true), ...fiftyTriggers(true).map((r) => ({ ...r, id: `${r.id}-b`, priority: r.priority + 100 }))];
    const skipped: SkipNotice[] = [];
    const config = compileConfig(rows, { overlaysPerSession: 2 }, (n) => skipped.push(n));
    expect(configBytes(config)).toBeLessThanOrEqual(CONFIG_MAX_BYTES);
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((s) => s.reason === "too_large")).toBe(true);
    const kept = Math.min(...config.t.map((t) => t.pr));
    const dropped = rows.filter((r) => skipped.some((s) => s.id === r.id));
    expect(Math.max(...dropped.map((r) => r.priority))).toBeLessThanOrEqual(kept);
  });

  it("leaves out disabled triggers and reports invalid ones", () => {
    const on = row(exitRecommendations);
    const off = row(exitRecommendations, { enabled: false });
    const broken = { ...row(exitRecommendations), content: { kind: "recommendations", headline: "" } };
    const skipped: SkipNotice[] = [];
    const config = compileConfig([on, off, broken], { overlaysPerSession: 1 }, (n) => skipped.push(n));
    expect(config.t.map((t) => t.id)).toEqual([on.id]);
    expect(skipped).toEqual([{ id: broken.id, reason: "invalid", errors: { "content.headline": "Enter a headline" } }]);
  });

  it("orders triggers by priority, highest first, ties by id", () => {
    const rows = [
      row(exitRecommendations, { id: "b", priority: 5 }),
      row(exitRecommendations, { id: "c", priority: 50 }),
      row(exitRecommendations, { id: "a", priority: 5 }),
    ];
    expect(compileConfig(rows, { overlaysPerSession: 1 }).t.map((t) => t.id)).toEqual(["c", "a", "b"]);
  });

  it("writes a versioned, compact config without default values", () => {
    const r = row(exitRecommendations, { id: "x", salt: "s", priority: 3, holdoutPct: 10 });
    expect(compileConfig([r], { overlaysPerSession: 2 })).toEqual({
      v: 1,
      g: { ps: 2, pf: -1 },
      t: [
        {
          id: "x",
          ty: "exit_intent",
          pr: 3,
          ho: 10,
          sa: "s",
          c: { pageTypes: ["product"] },
          s: {},
          f: {},
          o: { kind: "recommendations", headline: "Before you go", intent: "related", limit: 4 },
        },
      ],
    });
  });

  it("uses the same defaults as the storefront assumes for left-out fields", () => {
    expect(conditionsSchema.parse({}).exit).toEqual(EXIT_DEFAULTS);
    expect(frequencyCapSchema.parse({})).toEqual(CAP_DEFAULTS);
  });
});

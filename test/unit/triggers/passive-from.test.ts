/**
 * `passiveFrom` (compiled into config.g.pf) lets the storefront leave the rules bundle unloaded
 * until a trigger could take a signal the shopper does not cause. It must never be later than the
 * rules would really fire: checked against `evaluate` itself over random triggers and states.
 */
import { describe, expect, it } from "vitest";
import { evaluate, passiveFrom } from "~/domain/triggers/evaluate";
import type { TriggerFormInput } from "~/domain/triggers/schema";
import type { Device, Signal } from "~/domain/triggers/types";
import { config, exitRecommendations, NOW, row, visitor } from "./fixtures";

const engagement = (conditions: TriggerFormInput["conditions"]): TriggerFormInput => ({
  name: "Engaged",
  type: "page_engagement",
  conditions,
  content: { kind: "message", headline: "Hello" },
  holdoutPct: 0,
});
const inactivity = (idleSec: number, minSeconds?: number): TriggerFormInput => ({
  name: "Idle",
  type: "inactivity",
  conditions: { idleSec, ...(minSeconds ? { minSeconds } : {}) },
  content: { kind: "message", headline: "Still there?" },
  holdoutPct: 0,
});
const cartChange: TriggerFormInput = {
  name: "Cart",
  type: "cart_change",
  conditions: { minCartItems: 1 },
  content: { kind: "cart_reminder", headline: "In your cart" },
  holdoutPct: 0,
};
const mobileIdleExit = (idleSec: number, minDwellMs = 500): TriggerFormInput => ({
  ...exitRecommendations,
  conditions: { pageTypes: ["product"], exit: { idleSec, minDwellMs } },
});

describe("passiveFrom", () => {
  it("is -1 in the compiled config when no trigger takes page, tick or scroll signals", () => {
    expect(config([row(exitRecommendations), row(cartChange)]).g.pf).toBe(-1);
  });

  it("is the earliest moment of the triggers that do, in seconds", () => {
    expect(config([row(exitRecommendations), row(engagement({ minSeconds: 15 })), row(inactivity(30))]).g.pf).toBe(15);
    expect(config([row(engagement({ scrollPct: 50 }))]).g.pf).toBe(0);
    expect(config([row(inactivity(20, 40))]).g.pf).toBe(40);
    // exit intent listens to ticks only with a mobile idle time: dwell and idle both count
    expect(config([row(mobileIdleExit(8, 12_000))]).g.pf).toBe(12);
    expect(config([row(mobileIdleExit(8))]).g.pf).toBe(8);
  });

  it("is never later than the rules fire a passive signal (random triggers and visitors)", () => {
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    let fired = 0;
    for (let i = 0; i < 4000; i++) {
      const kind = pick(["engagement", "inactivity", "exit", "cart"]);
      const secs = pick([0, 0, 3, 10, 45]);
      const input =
        kind === "engagement"
          ? engagement(secs ? { minSeconds: secs } : {})
          : kind === "inactivity"
            ? inactivity(pick([5, 20]), secs || undefined)
            : kind === "exit"
              ? mobileIdleExit(pick([0, 4, 9]), pick([0, 500, 6000]))
              : cartChange;
      const cfg = config([row(input)]);
      const msOnPage = Math.floor(rand() * 60_000);
      const idleMs = Math.floor(rand() * msOnPage);
      const sig: Signal = { kind: pick(["page", "tick", "scroll"] as const) };
      const device: Device = pick(["desktop", "mobile"]);
      const d = evaluate(cfg, visitor({ msOnPage, idleMs, device }), sig, NOW);
      if (!d) continue;
      fired++;
      expect(cfg.g.pf, JSON.stringify({ input, msOnPage, idleMs, sig, device })).toBeGreaterThanOrEqual(0);
      expect(msOnPage).toBeGreaterThanOrEqual(cfg.g.pf * 1000);
    }
    // the check saw real firings, not only silence
    expect(fired).toBeGreaterThan(500);
  });

  it("reads the same from an uncompiled config", () => {
    expect(passiveFrom({ v: 1, g: { ps: 1, pf: 0 }, t: [] })).toBe(Infinity);
  });
});

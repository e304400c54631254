import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { budgetFreesAt, decideSend, decideStep, type SendInput } from "~/domain/recovery/decide";
import { inQuietHours } from "~/domain/recovery/zoned-time";

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);

function input(overrides: Partial<SendInput> = {}): SendInput {
  return {
    checkout: { status: "open", email: "ann@example.com", acceptsMarketing: false, totalCents: 5_000 },
    orderSeenSinceStart: false,
    suppressed: false,
    holdout: false,
    flow: { enabled: true, audience: "any_email", minCartCents: 0, respectQuiet: true },
    recentSends: [],
    budget: { emailsPerWindow: 1, emailWindowHours: 16 },
    quietHours: null,
    ...overrides,
  };
}

const nyNights = { startHour: 21, endHour: 8, timeZone: "America/New_York" };

describe("decideSend: reasons not to send", () => {
  const now = at("2025-06-10T15:00:00Z");

  it("sends to an open checkout with an email when nothing stands in the way", () => {
    expect(decideSend(input(), now)).toEqual({ action: "send" });
  });

  it("does not send after the checkout was completed", () => {
    const decision = decideSend(input({ checkout: { ...input().checkout, status: "completed" } }), now);
    expect(decision).toEqual({ action: "skip", reason: "purchased" });
  });

  it("does not send after an order arrived, even while the checkout still looks open", () => {
    expect(decideSend(input({ orderSeenSinceStart: true }), now)).toEqual({ action: "skip", reason: "purchased" });
  });

  it("does not send for a checkout Shopify deleted", () => {
    const decision = decideSend(input({ checkout: { ...input().checkout, status: "deleted" } }), now);
    expect(decision).toEqual({ action: "skip", reason: "checkout_deleted" });
  });

  it.each([null, undefined, "", "   ", "not-an-email"])("does not send without a usable email (%j)", (email) => {
    const decision = decideSend(input({ checkout: { ...input().checkout, email } }), now);
    expect(decision).toEqual({ action: "skip", reason: "no_email" });
  });

  it("does not send to a suppressed address", () => {
    expect(decideSend(input({ suppressed: true }), now)).toEqual({ action: "skip", reason: "suppressed" });
  });

  it("stops when the merchant switched the flow off after the run started", () => {
    const decision = decideSend(input({ flow: { ...input().flow, enabled: false } }), now);
    expect(decision).toEqual({ action: "skip", reason: "flow_disabled" });
  });

  it("needs marketing consent when the flow's audience asks for it", () => {
    const flow = { ...input().flow, audience: "marketing_consented" as const };
    expect(decideSend(input({ flow }), now)).toEqual({ action: "skip", reason: "no_marketing_consent" });
    const consented = { ...input().checkout, acceptsMarketing: true };
    expect(decideSend(input({ flow, checkout: consented }), now)).toEqual({ action: "send" });
  });

  it("skips carts below the minimum value and sends from the minimum up", () => {
    const flow = { ...input().flow, audience: "min_value" as const, minCartCents: 5_000 };
    const below = { ...input().checkout, totalCents: 4_999 };
    expect(decideSend(input({ flow, checkout: below }), now)).toEqual({ action: "skip", reason: "below_min_value" });
    expect(decideSend(input({ flow }), now)).toEqual({ action: "send" });
  });

  it("never sends for a holdout run, recording it as a holdout where a treated run would send", () => {
    expect(decideSend(input({ holdout: true }), now)).toEqual({ action: "skip", reason: "holdout" });
  });

  it("reports a purchase rather than the holdout when a holdout shopper bought", () => {
    expect(decideSend(input({ holdout: true, orderSeenSinceStart: true }), now)).toEqual({
      action: "skip",
      reason: "purchased",
    });
  });

  it("defers a holdout run through quiet hours like a treated one, so both are counted at the same moment", () => {
    const night = at("2025-06-10T03:00:00Z"); // 23:00 in New York
    const decision = decideSend(input({ holdout: true, quietHours: nyNights }), night);
    expect(decision).toEqual({ action: "defer", until: at("2025-06-10T12:00:00Z"), reason: "quiet_hours" });
  });
});

describe("decideSend: quiet hours", () => {
  it("defers a send at 23:00 in the shop's zone to 08:00 the next morning", () => {
    const decision = decideSend(input({ quietHours: nyNights }), at("2025-06-10T03:00:00Z"));
    expect(decision).toEqual({ action: "defer", until: at("2025-06-10T12:00:00Z"), reason: "quiet_hours" });
  });

  it("defers a send after midnight to 08:00 the same morning", () => {
    const decision = decideSend(input({ quietHours: nyNights }), at("2025-06-10T11:59:00Z")); // 07:59 EDT
    expect(decision).toEqual({ action: "defer", until: at("2025-06-10T12:00:00Z"), reason: "quiet_hours" });
  });

  it("sends in the last minute before quiet hours and from the first minute after", () => {
    expect(decideSend(input({ quietHours: nyNights }), at("2025-06-11T00:59:00Z"))).toEqual({ action: "send" }); // 20:59
    expect(decideSend(input({ quietHours: nyNights }), at("2025-06-10T12:00:00Z"))).toEqual({ action: "send" }); // 08:00
  });

  it("ends quiet hours at 08:00 local on the night the clocks go back (an hour later in UTC)", () => {
    // 22:00 EDT on 1 Nov 2025; clocks go back at 02:00, so 08:00 is EST (UTC-5).
    const decision = decideSend(input({ quietHours: nyNights }), at("2025-11-02T02:00:00Z"));
    expect(decision).toEqual({ action: "defer", until: at("2025-11-02T13:00:00Z"), reason: "quiet_hours" });
  });

  it("ends quiet hours at 08:00 local on the night the clocks go forward (an hour earlier in UTC)", () => {
    // 22:00 EST on 8 Mar 2025; clocks go forward at 02:00, so 08:00 is EDT (UTC-4).
    const decision = decideSend(input({ quietHours: nyNights }), at("2025-03-09T03:00:00Z"));
    expect(decision).toEqual({ action: "defer", until: at("2025-03-09T12:00:00Z"), reason: "quiet_hours" });
  });

  it("ends quiet hours at the jump when their end hour is skipped by the clocks going forward", () => {
    const quiet = { startHour: 0, endHour: 2, timeZone: "America/New_York" };
    // 01:30 EST on 9 Mar 2025; 02:00 never happens, the clocks read 03:00 EDT at 07:00Z.
    const decision = decideSend(input({ quietHours: quiet }), at("2025-03-09T06:30:00Z"));
    expect(decision).toEqual({ action: "defer", until: at("2025-03-09T07:00:00Z"), reason: "quiet_hours" });
  });

  it("handles quiet hours that do not wrap midnight", () => {
    const lunch = { startHour: 12, endHour: 14, timeZone: "UTC" };
    expect(decideSend(input({ quietHours: lunch }), at("2025-06-10T13:10:00Z"))).toEqual({
      action: "defer",
      until: at("2025-06-10T14:00:00Z"),
      reason: "quiet_hours",
    });
    expect(decideSend(input({ quietHours: lunch }), at("2025-06-10T14:00:00Z"))).toEqual({ action: "send" });
  });

  it("works in zones with a fractional offset", () => {
    const quiet = { startHour: 22, endHour: 7, timeZone: "Asia/Kathmandu" }; // UTC+5:45
    const decision = decideSend(input({ quietHours: quiet }), at("2025-06-10T17:00:00Z")); // 22:45 local
    expect(decision).toEqual({ action: "defer", until: at("2025-06-11T01:15:00Z"), reason: "quiet_hours" });
  });

  it("treats equal start and end hours as no quiet hours", () => {
    const none = { startHour: 8, endHour: 8, timeZone: "UTC" };
    expect(decideSend(input({ quietHours: none }), at("2025-06-10T08:30:00Z"))).toEqual({ action: "send" });
  });

  it("sends during quiet hours when the flow does not respect them", () => {
    const flow = { ...input().flow, respectQuiet: false };
    expect(decideSend(input({ flow, quietHours: nyNights }), at("2025-06-10T03:00:00Z"))).toEqual({ action: "send" });
  });

  it("reads an unknown time zone as UTC instead of failing the job", () => {
    const quiet = { startHour: 21, endHour: 8, timeZone: "Mars/Olympus_Mons" };
    expect(decideSend(input({ quietHours: quiet }), at("2025-06-10T23:00:00Z"))).toEqual({
      action: "defer",
      until: at("2025-06-11T08:00:00Z"),
      reason: "quiet_hours",
    });
  });
});

describe("decideSend: email budget across flows", () => {
  const now = at("2025-06-10T15:00:00Z");

  it("defers until the last email leaves the window when the shopper was emailed recently", () => {
    const decision = decideSend(input({ recentSends: [new Date(now.getTime() - 2 * HOUR)] }), now);
    expect(decision).toEqual({ action: "defer", until: new Date(now.getTime() + 14 * HOUR), reason: "frequency_cap" });
  });

  it("uses one email per 16 hours when the shop set no budget", () => {
    const decision = decideSend(input({ budget: undefined, recentSends: [new Date(now.getTime() - 15 * HOUR)] }), now);
    expect(decision).toEqual({ action: "defer", until: new Date(now.getTime() + HOUR), reason: "frequency_cap" });
  });

  it("sends once earlier emails fall outside the window", () => {
    const decision = decideSend(input({ recentSends: [new Date(now.getTime() - 16 * HOUR)] }), now);
    expect(decision).toEqual({ action: "send" });
  });

  it("allows as many emails per window as the shop's budget", () => {
    const budget = { emailsPerWindow: 2, emailWindowHours: 24 };
    const one = [new Date(now.getTime() - 3 * HOUR)];
    expect(decideSend(input({ budget, recentSends: one }), now)).toEqual({ action: "send" });
    const two = [new Date(now.getTime() - 1 * HOUR), new Date(now.getTime() - 5 * HOUR)];
    expect(decideSend(input({ budget, recentSends: two }), now)).toEqual({
      action: "defer",
      until: new Date(now.getTime() + 19 * HOUR),
      reason: "frequency_cap",
    });
  });

  it("skips the step when the budget would hold it back more than a day past its due time", () => {
    const decision = decideSend(input({ dueAt: new Date(now.getTime() - 20 * HOUR), recentSends: [new Date(now.getTime() - HOUR)] }), now);
    expect(decision).toEqual({ action: "skip", reason: "frequency_cap" });
  });

  it("moves a send the budget pushed into quiet hours on to the end of quiet hours", () => {
    const evening = at("2025-06-10T22:00:00Z"); // 18:00 EDT; the budget frees at 22:00 EDT, inside quiet hours
    const decision = decideSend(input({ quietHours: nyNights, recentSends: [new Date(evening.getTime() - 12 * HOUR)] }), evening);
    expect(decision).toEqual({ action: "defer", until: at("2025-06-11T12:00:00Z"), reason: "frequency_cap" });
  });

  it("turns the cap off when the budget is below one email", () => {
    const budget = { emailsPerWindow: 0, emailWindowHours: 16 };
    expect(decideSend(input({ budget, recentSends: [now] }), now)).toEqual({ action: "send" });
  });
});

describe("decideSend: properties", () => {
  const zones = ["UTC", "America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kathmandu", "America/Santiago"];

  it("never defers into the past, into quiet hours or into an exhausted budget", () => {
    fc.assert(
      fc.property(
        fc.date({ min: at("2024-01-01T00:00:00Z"), max: at("2027-12-31T00:00:00Z"), noInvalidDate: true }),
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 23 }),
        fc.array(fc.integer({ min: 0, max: 48 * 60 }), { maxLength: 4 }),
        fc.integer({ min: 1, max: 3 }),
        (now, timeZone, startHour, endHour, minutesAgo, perWindow) => {
          const quietHours = { startHour, endHour, timeZone };
          const budget = { emailsPerWindow: perWindow, emailWindowHours: 16 };
          const recentSends = minutesAgo.map((m) => new Date(now.getTime() - m * 60_000));
          const decision = decideSend(input({ quietHours, budget, recentSends, maxLatenessMinutes: 10 * 24 * 60 }), now);
          if (decision.action === "skip") return false;
          const sendAt = decision.action === "defer" ? decision.until : now;
          if (decision.action === "defer" && sendAt.getTime() <= now.getTime()) return false;
          if (inQuietHours(sendAt, quietHours)) return false;
          return budgetFreesAt(recentSends, budget, sendAt).getTime() === sendAt.getTime();
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("decideSend: one budget across overlays and emails", () => {
  const now = at("2025-06-10T15:00:00Z");

  it("waits until the channel gap after the last overlay shown to the shopper has passed", () => {
    const decision = decideSend(input({ lastOverlayAt: new Date(now.getTime() - HOUR), channelGapHours: 4 }), now);
    expect(decision).toEqual({ action: "defer", until: new Date(now.getTime() + 3 * HOUR), reason: "channel_gap" });
  });

  it("sends once the gap has passed, or when the shop turned the gap off", () => {
    expect(decideSend(input({ lastOverlayAt: new Date(now.getTime() - 4 * HOUR), channelGapHours: 4 }), now)).toEqual({ action: "send" });
    expect(decideSend(input({ lastOverlayAt: new Date(now.getTime() - 60_000), channelGapHours: 0 }), now)).toEqual({ action: "send" });
    expect(decideSend(input({ lastOverlayAt: null, channelGapHours: 4 }), now)).toEqual({ action: "send" });
  });

  it("takes the later of the email cap and the channel gap, and quiet hours after both", () => {
    const both = decideSend(
      input({ recentSends: [new Date(now.getTime() - 15 * HOUR)], lastOverlayAt: new Date(now.getTime() - HOUR), channelGapHours: 4 }),
      now,
    );
    expect(both).toEqual({ action: "defer", until: new Date(now.getTime() + 3 * HOUR), reason: "frequency_cap" });
    // 15:00Z + 3 h = 18:00Z = 14:00 in New York: outside its nights; + 9 h lands in them
    const late = decideSend(input({ quietHours: nyNights, lastOverlayAt: new Date(now.getTime() + 5 * HOUR), channelGapHours: 4 }), now);
    expect(late.action).toBe("defer");
    expect(inQuietHours((late as { until: Date }).until, nyNights)).toBe(false);
    expect((late as { until: Date }).until.getTime()).toBeGreaterThanOrEqual(now.getTime() + 9 * HOUR);
  });

  it("keeps a holdout run's decision the same as a treated one's (it waits too)", () => {
    const decision = decideSend(input({ holdout: true, lastOverlayAt: new Date(now.getTime() - HOUR), channelGapHours: 4 }), now);
    expect(decision).toEqual({ action: "defer", until: new Date(now.getTime() + 3 * HOUR), reason: "channel_gap" });
  });
});

describe("decideStep: one due step", () => {
  const now = at("2025-06-10T15:00:00Z");

  it("stops a browse follow-up whose shopper added to cart since it began, before anything else", () => {
    expect(decideStep({ ...input(), cartedSinceStart: true }, now)).toEqual({ action: "stop", reason: "carted" });
    expect(decideStep({ ...input({ orderSeenSinceStart: true }), cartedSinceStart: true }, now)).toEqual({ action: "stop", reason: "carted" });
  });

  it("otherwise decides exactly as decideSend", () => {
    for (const facts of [input(), input({ suppressed: true }), input({ holdout: true }), input({ recentSends: [new Date(now.getTime() - HOUR)] })]) {
      expect(decideStep({ ...facts, cartedSinceStart: false }, now)).toEqual(decideSend(facts, now));
    }
  });
});

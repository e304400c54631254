import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { BUDGETS, buildStorefront } from "../../../scripts/build-storefront";

describe("storefront bundle", () => {
  it("stays inside the gzip budgets: page-load tracker <= 4 KB, everything <= 16 KB", async () => {
    const r = await buildStorefront({ write: false });
    for (const f of r.files) console.info(`${f.name}: ${f.bytes} B, ${f.gzip} B gzip`);
    expect(r.trackerGzip).toBeLessThanOrEqual(BUDGETS.tracker);
    expect(r.totalGzip).toBeLessThanOrEqual(BUDGETS.total);
    expect(r.overBudget).toEqual([]);
  });

  it("keeps zod and the admin-only domain code out of the storefront", async () => {
    const r = await buildStorefront({ write: false });
    const tracker = r.files.find((f) => f.role === "tracker")!.code;
    expect(tracker).not.toMatch(/ZodError|\$ZodType|Give the trigger a name|triggerTemplates/);
    // the tracker's only server URLs: the events endpoint and the once-a-session status request
    // for a shopper the app may have emailed (never at load for anyone else: storefront tests)
    expect(tracker.match(/apps\/intentful\/\w*/g)?.sort()).toEqual(["apps/intentful/events", "apps/intentful/status"]);
  });

  it("matches the committed assets (run `npm run build:storefront` after changing the sources)", async () => {
    const r = await buildStorefront({ write: false });
    for (const f of r.files) {
      const committed = await readFile(new URL(`../../../extensions/intentful/assets/${f.name}`, import.meta.url), "utf8");
      expect(committed === f.code, `${f.name} is stale`).toBe(true);
    }
  });
});

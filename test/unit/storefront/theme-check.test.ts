import { describe, expect, it } from "vitest";
import { runThemeCheck, THEME_CHECK_CONFIG } from "../../../scripts/theme-check";

describe("theme app extension", () => {
  it(`passes theme-check (${THEME_CHECK_CONFIG}) with no errors`, async () => {
    const report = await runThemeCheck();
    expect(report.lines.filter((l) => l.startsWith("ERROR"))).toEqual([]);
    expect(report.errors).toHaveLength(0);
  });
});

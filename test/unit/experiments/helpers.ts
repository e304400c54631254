import { expect } from "vitest";

/** |actual − expected| ≤ rel·|expected| (or ≤ abs when expected is 0 or tiny). */
export function expectClose(actual: number, expected: number, rel = 1e-6, abs = 1e-12): void {
  const tolerance = Math.max(abs, rel * Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tolerance)) {
    expect.fail(`expected ${actual} to be within ${tolerance} of ${expected}`);
  }
}

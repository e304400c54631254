import { afterEach, vi } from "vitest";

// An unexpected console.error is a bug: fail the test that caused it.
const errors: unknown[][] = [];
const original = console.error;
console.error = (...args: unknown[]) => {
  errors.push(args);
  original(...args);
};
afterEach(() => {
  if (errors.length > 0) {
    const first = errors
      .splice(0)
      .map((a) => a.map(String).join(" "))
      .join("\n");
    throw new Error(`console.error was called:\n${first}`);
  }
});
vi.stubEnv("TZ", "UTC");

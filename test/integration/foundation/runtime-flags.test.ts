import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RUNTIME_FLAGS } from "../../../bench/server";

// The bench starts the server and workers with RUNTIME_FLAGS to measure them as deployed:
// package.json's scripts must run with the same flags.
describe("runtime flags", () => {
  const scripts = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../../package.json"), "utf8")).scripts as Record<string, string>;
  it.each(["start", "worker"])("npm run %s uses the flags the bench measures", (name) => {
    for (const flag of RUNTIME_FLAGS) expect(scripts[name].split(/\s+/)).toContain(flag);
  });
});

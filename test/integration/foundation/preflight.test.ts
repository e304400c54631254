import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * `npm run demo|start|worker|test` run scripts/preflight.cjs first (npm pre-scripts). On an older
 * Node it stops at once with one line naming the version found, the version needed and the fix;
 * with better-sqlite3 built for another Node, one line with the rebuild command that works
 * whatever node-gyp headers the npm config names. The machine's own Node 20 (/usr/bin/node, where
 * present) plays the older Node, and — loading the addon this suite's Node 22 built — the mismatch.
 */
const root = path.resolve(import.meta.dirname, "../../..");
const OLD_NODE = "/usr/bin/node";
const oldNodeMajor = existsSync(OLD_NODE) ? Number(spawnSync(OLD_NODE, ["-p", "process.versions.node.split('.')[0]"], { encoding: "utf8" }).stdout.trim()) : 0;

describe("preflight", () => {
  it("is wired before every entry point", async () => {
    const { scripts } = (await import(path.join(root, "package.json"), { with: { type: "json" } })).default as { scripts: Record<string, string> };
    for (const name of ["demo", "test"]) expect(scripts[`pre${name}`], name).toBe("node scripts/preflight.cjs");
    // The compiled processes also need the build (scripts/build-server.ts).
    for (const name of ["start", "worker", "setup"]) expect(scripts[`pre${name}`], name).toBe("node scripts/preflight.cjs --built");
  });

  it("stops a compiled process before a build with one line saying what to run", () => {
    const r = spawnSync(process.execPath, [path.join(root, "scripts/preflight.cjs"), "--built"], {
      encoding: "utf8",
      env: { ...process.env, INTENTFUL_BUILD_DIR: path.join(root, "no-such-build") },
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      "The app is not built yet: run `npm run build` first (it compiles the server, the worker and the storefront assets).",
    ]);
  });

  it("passes on this Node", () => {
    const r = spawnSync(process.execPath, [path.join(root, "scripts/preflight.cjs")], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });

  it.skipIf(!(oldNodeMajor > 0 && oldNodeMajor < 22))("stops an older Node at once with one line: found, needed, fix", () => {
    const r = spawnSync(OLD_NODE, [path.join(root, "scripts/preflight.cjs")], { encoding: "utf8" });
    expect(r.status).toBe(1);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`needs Node >=22\\.12 .*this is Node ${oldNodeMajor}\\.`));
    expect(lines[0]).toContain("nvm use");
  });

  it.skipIf(!(oldNodeMajor > 0 && oldNodeMajor < 22))("names a native addon built for another Node, with the rebuild command", () => {
    const r = spawnSync(OLD_NODE, [path.join(root, "scripts/preflight.cjs"), "--skip-version"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^better-sqlite3 was built for another Node \(NODE_MODULE_VERSION \d+; Node 20\.[\d.]+ needs \d+\)\. Fix: `npm_config_nodedir=\S+ npm rebuild better-sqlite3`/,
    );
  });
});

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildServer, NODE_ENTRIES } from "../../../scripts/build-server";

/**
 * Issue 17: production installs only `dependencies` (`npm ci --omit=dev`) and runs the compiled
 * server, worker and migrations (build/node, scripts/build-server.ts). Every package those
 * processes load without the demo must therefore be a dependency, and the demo-only and
 * build-time packages must not be.
 */
const root = path.resolve(import.meta.dirname, "../../..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { dependencies: Record<string, string>; scripts: Record<string, string> };
const packageOf = (specifier: string) => (specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]);
const builtin = (specifier: string) => specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0]);
const out = mkdtempSync(path.join(tmpdir(), "intentful-node-build-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("production dependencies (issue 17)", () => {
  it("keeps the TypeScript runner, the demo's packages and build tools out of dependencies", () => {
    for (const name of ["tsx", "msw", "liquidjs", "vite", "esbuild", "@remix-run/dev", "prisma-kysely", "vitest"])
      expect(pkg.dependencies[name], name).toBeUndefined();
    for (const script of ["start", "worker", "setup"]) expect(pkg.scripts[script]).toMatch(/^node .*build\/node\//);
  });

  it("the compiled server, worker and migrations statically load only dependencies (the demo's chunks stay behind dynamic imports)", async () => {
    const meta = await buildServer(out);
    const loaded = new Set<string>();
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const imp of meta.outputs[file].imports) {
        if (imp.kind !== "import-statement") continue; // dynamic imports load only when reached (the demo)
        if (imp.external) loaded.add(imp.path);
        else visit(imp.path);
      }
    };
    const entries = Object.keys(meta.outputs).filter((file) => NODE_ENTRIES.some((entry) => meta.outputs[file].entryPoint === entry));
    expect(entries).toHaveLength(NODE_ENTRIES.length);
    entries.forEach(visit);
    const packages = [...loaded].filter((s) => !builtin(s) && !s.startsWith(".") && !s.startsWith("/")).map(packageOf);
    expect(packages).toContain("express"); // the walk really follows the server's imports
    expect(packages.filter((name) => !pkg.dependencies[name])).toEqual([]);
  });

  it("the Remix server build imports the demo's renderer lazily (liquidjs is not installed in production)", () => {
    const dir = path.join(root, "build/server");
    if (!existsSync(path.join(dir, "index.js"))) return expect.fail("build/server/index.js is missing: run `npm run build` first (CI builds before testing)");
    const js = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? js(path.join(d, e.name)) : e.name.endsWith(".js") ? [path.join(d, e.name)] : [],
      );
    // Static imports, with bindings or bare (`import "pkg";`); `import("pkg")` loads only when reached.
    const STATIC = /(?:^|[;\n])\s*import\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+)["']/g;
    const specifiers = js(dir).flatMap((file) => [...readFileSync(file, "utf8").matchAll(STATIC)].map((m) => m[1]));
    const packages = [...new Set(specifiers.filter((s) => !builtin(s) && !s.startsWith(".")).map(packageOf))];
    expect(packages).toContain("@remix-run/node");
    expect(packages.filter((name) => !pkg.dependencies[name])).toEqual([]);
  });
});

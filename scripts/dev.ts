/**
 * `shopify app dev` runs this (shopify.web.toml): what production runs, with Vite's dev server in
 * place of the built server. Remix's `vite:dev` serves the routes but never calls server.ts, so
 * without this no job worker runs against a linked dev store — no publishing to the storefront,
 * no recovery emails. Here: migrations, then the Vite dev server and `scripts/worker.ts` side by
 * side; when one stops, the other is stopped too, and Ctrl-C stops both.
 *
 * DATABASE_URL defaults to the SQLite file the Shopify app template uses for development.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { migrate } from "./migrate";

const root = path.resolve(import.meta.dirname, "..");
process.env.DATABASE_URL ??= "file:./prisma/dev.sqlite";
// The web process's in-process worker does not exist under Vite: the worker below is the one.
process.env.WORKER_IN_PROCESS = "0";

migrate(process.env.DATABASE_URL);

const children: ChildProcess[] = [
  spawn(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:dev", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" }),
  spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts/worker.ts")], { cwd: root, stdio: "inherit" }),
];

let stopping = false;
function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 5_000).unref();
  Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once("exit", r))))).then(() =>
    process.exit(code),
  );
}
for (const child of children) child.once("exit", (code) => stopAll(code ?? 0));
process.once("SIGINT", () => stopAll(0));
process.once("SIGTERM", () => stopAll(0));

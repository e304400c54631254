/** Applies pending migrations to DATABASE_URL (SQLite or PostgreSQL) with the bundled schema engine. */
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import path from "node:path";
import { projectRoot } from "./project-root";

export function migrate(databaseUrl = process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite") {
  const root = projectRoot();
  execFileSync(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "migrate", "deploy"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  migrate();
  console.log("migrations applied");
}

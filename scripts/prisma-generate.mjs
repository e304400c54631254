// postinstall: generate both Prisma clients (SQLite and PostgreSQL) from the schemas in prisma/.
// Uses the query compiler (engineType = "client"), so no engine is downloaded.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const schemas = ["prisma/schema.prisma", "prisma/postgres/schema.prisma"].filter((s) => existsSync(s));
for (const schema of schemas) {
  execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "generate", "--schema", schema], {
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      // generate never connects; the schema only needs the variable to exist.
      DATABASE_URL: schema.includes("postgres") ? "postgresql://localhost/generate" : "file:./prisma/dev.sqlite",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      // The Kysely types' generator (prisma-kysely) is found on PATH, as under `npm run`.
      PATH: `${path.resolve("node_modules/.bin")}${path.delimiter}${process.env.PATH}`,
    },
  });
}
console.log(`prisma: generated ${schemas.length} client(s)`);

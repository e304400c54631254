// postinstall: generate both Prisma clients (SQLite and PostgreSQL) from the schemas in prisma/.
// Uses the query compiler (engineType = "client"), so no engine is downloaded.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

// The Kysely table types (app/models/generated) are for the compiler, not for running: a
// production install (`npm ci --omit=dev`) has no prisma-kysely, so the PostgreSQL client is then
// generated from a copy of its schema without that generator (beside it: output paths are relative).
const kysely = existsSync("node_modules/prisma-kysely");
const withoutKysely = (schema) => {
  const copy = path.join(path.dirname(schema), ".schema-without-kysely.prisma");
  writeFileSync(copy, readFileSync(schema, "utf8").replace(/\ngenerator kysely \{[^}]*\}\n/, "\n"));
  return copy;
};

const schemas = ["prisma/schema.prisma", "prisma/postgres/schema.prisma"].filter((s) => existsSync(s));
for (const original of schemas) {
  const schema = kysely || !original.includes("postgres") ? original : withoutKysely(original);
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
  if (schema !== original) rmSync(schema);
}
console.log(`prisma: generated ${schemas.length} client(s)`);

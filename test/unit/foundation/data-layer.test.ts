import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Issue 17: SQL lives in the data layer (app/models, and the driver in app/db.server.ts), built
 * with one builder (Kysely over the generated table types) and sent one way (models/sql/run).
 * Everything above it asks the models; nothing above it decides which database it is on.
 */
const root = path.resolve(import.meta.dirname, "../../..");
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "generated" ? [] : files(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
const app = files(path.join(root, "app")).map((file) => ({ file: path.relative(root, file), text: readFileSync(file, "utf8") }));
const inDataLayer = (file: string) => file.startsWith("app/models/") || file === "app/db.server.ts";
// Statement text: a keyword followed by a quoted table (`INSERT INTO "Job"`, `FROM "Shop"`), and
// the ways to send one past the models.
const SQL_TEXT = /\b(INSERT INTO|insert into|UPDATE|update|DELETE FROM|delete from|FROM|from|JOIN|join)\s+"[A-Z][A-Za-z]*"/;
const RAW_SENDS = /\$(queryRaw|executeRaw)(Unsafe)?\b|\bsql(Query|Batch)\(|Prisma\.sql`|from "kysely"/;
const DIALECT_CHECKS = /dialect(Name)?\s*===|\.name\s*===\s*"(postgres|sqlite)"|_activeProvider/;

describe("the data layer (issue 17)", () => {
  it("holds every SQL statement: no statement text, raw send or SQL builder outside app/models and app/db.server.ts", () => {
    const outside = app.filter((f) => !inDataLayer(f.file));
    const offenders = outside.filter((f) => SQL_TEXT.test(f.text) || RAW_SENDS.test(f.text)).map((f) => f.file);
    expect(offenders).toEqual([]);
  });

  it("decides the database in one place: no dialect checks outside app/models and app/db.server.ts", () => {
    const offenders = app.filter((f) => !inDataLayer(f.file) && DIALECT_CHECKS.test(f.text)).map((f) => f.file);
    expect(offenders).toEqual([]);
  });

  it("binds one way: no hand-numbered placeholders or hand-built IN lists left in the data layer", () => {
    const offenders = app.filter((f) => inDataLayer(f.file) && /placeholders\(|sqlSelect\(|\.next\(\d+\)|\$\{p\.next/.test(f.text)).map((f) => f.file);
    expect(offenders).toEqual([]);
  });

  it("catches what it is meant to catch", () => {
    expect(SQL_TEXT.test('await sqlQuery(db, `SELECT id FROM "Job" WHERE x = 1`)')).toBe(true);
    expect(SQL_TEXT.test('`UPDATE "Message" SET status = 1`')).toBe(true);
    expect(RAW_SENDS.test("db.$queryRawUnsafe(text)")).toBe(true);
    expect(DIALECT_CHECKS.test('if (dialect === "postgres")')).toBe(true);
    expect(SQL_TEXT.test("select the trigger from the list")).toBe(false);
  });
});

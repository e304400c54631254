import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { createDb, dialectOfUrl, type Db, type Dialect } from "~/db.server";

/**
 * A fresh, migrated database for one test file: a new SQLite file by default, or a new
 * schema in the PostgreSQL database named by TEST_DATABASE_URL. Migrations are applied
 * from the same SQL files `prisma migrate deploy` uses (test/integration/migrations.test.ts
 * runs the real CLI).
 */
export interface TestDb {
  db: Db;
  url: string;
  dialect: Dialect;
  cleanup(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, "../..");

function migrationSql(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
}

export function testDatabaseUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || undefined;
}

export async function createTestDb(): Promise<TestDb> {
  const base = testDatabaseUrl();
  if (base && dialectOfUrl(base) === "postgres") {
    const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`SET search_path TO "${schema}"`);
    for (const sql of migrationSql(path.join(root, "prisma/postgres/migrations"))) {
      await client.query(sql.replace(/CREATE SCHEMA IF NOT EXISTS "public";/g, ""));
    }
    await client.end();
    const url = withSchema(base, schema);
    const db = createDb(url);
    return {
      db,
      url,
      dialect: "postgres",
      async cleanup() {
        await db.$disconnect();
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        await c.query(`DROP SCHEMA "${schema}" CASCADE`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "intentful-test-"));
  const file = path.join(dir, "test.sqlite");
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  for (const sql of migrationSql(path.join(root, "prisma/migrations"))) sqlite.exec(sql);
  sqlite.close();
  const url = `file:${file}`;
  const db = createDb(url);
  return {
    db,
    url,
    dialect: "sqlite",
    async cleanup() {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("schema", schema);
  return u.toString();
}

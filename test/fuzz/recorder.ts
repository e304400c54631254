import Database from "better-sqlite3";
import pg from "pg";
import type { Db } from "~/db.server";
import { isDirectSqlite } from "~/models/sql/sqlite-direct.server";
import type { TestDb } from "../support/db";

const MODEL_WRITES = new Set(["create", "createMany", "createManyAndReturn", "update", "updateMany", "upsert", "delete", "deleteMany"]);
/** A raw statement's write verb and table; in a data-modifying WITH, each sub-statement's (after its "("). */
const RAW = /(?:^|\()\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?/gi;

/** The SQL text of a raw call, whichever raw API made it ($executeRawUnsafe, tagged $queryRaw, Prisma.sql). */
function sqlOf(args: unknown): string {
  const first = Array.isArray(args) ? args[0] : args;
  if (typeof first === "string") return first;
  if (Array.isArray(first)) return first.join("?");
  if (first && typeof first === "object") {
    const o = first as { sql?: unknown; strings?: unknown };
    if (typeof o.sql === "string") return o.sql;
    if (Array.isArray(o.strings)) return o.strings.join("?");
  }
  return "";
}

/**
 * Installs the test database as the app's process-wide client, with every write recorded as
 * "Model.operation" (model API) or "Table.raw" (INSERT/UPDATE/DELETE through a raw query, or on
 * SQLite's direct connection), inside transactions too. Reads are not recorded. A raw statement is
 * recorded by what it may write: a data-modifying WITH that turns out to write nothing (a repeat
 * delivery) is still recorded.
 */
export function installRecordingDb(t: TestDb, writes: string[]): void {
  const recorded = t.db.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        if (model && MODEL_WRITES.has(operation)) writes.push(`${model}.${operation}`);
        else if (!model && operation.startsWith("$")) {
          for (const [, table] of sqlOf(args).matchAll(RAW)) writes.push(`${table}.raw`);
        }
        return query(args);
      },
    },
  });
  // sqlQuery (db.server.ts) sends hand-written statements straight to the pg pool the client
  // carries, past this extension: hide the pool, so they go through $queryRawUnsafe and are seen.
  const withoutPool = new Proxy(recorded, {
    get: (target, prop) => {
      const value = Reflect.get(target, prop);
      return typeof prop === "symbol" && value instanceof pg.Pool ? undefined : value;
    },
  });
  process.env.DATABASE_URL = t.url;
  globalThis.__intentfulDb = { url: t.url, db: withoutPool as unknown as Db };
  if (t.dialect === "sqlite") recordDirectSqlite(writes);
}

/**
 * On SQLite, checkout and cart deliveries run on a second, direct better-sqlite3 connection
 * (sqlite-direct.server.ts), past the Prisma client: record that connection's statements at the
 * driver, each time one runs (they are prepared once). Prisma's own statements stay with the
 * extension above.
 */
function recordDirectSqlite(writes: string[]): void {
  const probe = new Database(":memory:");
  const statement = Object.getPrototypeOf(probe.prepare("SELECT 1")) as StatementMethods & { [SINK]?: Sink };
  probe.close();
  const patched = statement[SINK];
  statement[SINK] = { writes, isDirect: isDirectSqlite };
  if (patched) return; // installed before in this process: now recording into `writes`
  for (const method of ["run", "get", "all", "iterate"] as const) {
    const original = statement[method];
    statement[method] = function (this: Database.Statement, ...args: unknown[]) {
      const sink = statement[SINK]!;
      if (sink.isDirect(this.database)) for (const [, table] of this.source.matchAll(RAW)) sink.writes.push(`${table}.raw`);
      return original.apply(this, args);
    };
  }
}

type StatementMethods = Record<"run" | "get" | "all" | "iterate", (...a: unknown[]) => unknown>;
type Sink = { writes: string[]; isDirect: (database: unknown) => boolean };
const SINK = Symbol.for("intentful.test.directSqliteWrites");

import { createHash, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { PrismaClient, Prisma } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { getKnobs } from "./env.server";
import { dialects, type DialectName, type SqlDialect } from "./models/sql/dialects";

/**
 * One Prisma client for the process. The adapter follows DATABASE_URL:
 * `file:` → SQLite (better-sqlite3), `postgres://` → PostgreSQL (pg).
 * Both clients are generated from one schema (prisma/schema.prisma), so their types match.
 */
export type Db = PrismaClient;
/** A client or, inside `$transaction`, its transaction client: what the data layer's functions take. */
export type DbOrTx = Db | Prisma.TransactionClient;
export type Dialect = DialectName;

/** Which database a DATABASE_URL names. */
export function dialectOfUrl(url: string): Dialect {
  if (/^postgres(ql)?:\/\//.test(url)) return "postgres";
  if (url.startsWith("file:")) return "sqlite";
  throw new Error(`DATABASE_URL must start with file: or postgres://, got "${url.slice(0, 12)}…"`);
}

const require = createRequire(import.meta.url);

/**
 * Opens the database DATABASE_URL names: the Prisma client over the app's driver, with the SQL
 * dialect object (./models/sql/dialects.ts) chosen here, once, and carried by the client (and by
 * its transaction clients, which Prisma makes as proxies of it): `dialectOf(db)`.
 */
export function createDb(url: string): Db {
  return withDialect(openClient(url), dialectOfUrl(url));
}

/** Gives a client made elsewhere (a test's statement-logging client) its dialect object. */
export function withDialect<C extends Db>(client: C, name: Dialect): C {
  Object.defineProperty(client, DIALECT, { value: dialects[name] });
  return client;
}

// Symbol.for: the server bundle and the sources it sits beside (server.ts, scripts) may each load this module.
const DIALECT = Symbol.for("intentful.dialect");

/** The SQL dialect of a client made by createDb (or of one of its transaction clients). */
export function dialectOf(db: DbOrTx): SqlDialect {
  const dialect = (db as unknown as Record<symbol, SqlDialect | undefined>)[DIALECT];
  if (!dialect) throw new Error("dialectOf: not a client made by createDb");
  return dialect;
}

/**
 * SQL NULL for a nullable JSON column, from the client's own generated package: the PostgreSQL
 * client is generated apart (.prisma/client-pg) and writes `{}` for the SQLite client's
 * `Prisma.DbNull` (found with issue 21's `variants` columns; docs/decisions/180-ab-variants.md).
 */
export function jsonNull(db: DbOrTx): typeof Prisma.DbNull {
  if (dialectOf(db).name !== "postgres") return Prisma.DbNull;
  return (require(".prisma/client-pg") as { Prisma: typeof Prisma }).Prisma.DbNull;
}

function openClient(url: string): Db {
  if (dialectOfUrl(url) === "postgres") {
    const { PrismaClient: PgClient } = require(".prisma/client-pg") as { PrismaClient: new (o: object) => PrismaClient };
    const parsed = new URL(url);
    const schema = parsed.searchParams.get("schema") ?? undefined;
    parsed.searchParams.delete("schema");
    const pool = new pg.Pool({
      connectionString: parsed.toString(),
      max: getKnobs().PG_POOL_MAX,
      // Raw queries (the job claim) must see the same schema as the model queries.
      ...(schema ? { options: `-c search_path="${schema}"` } : {}),
    });
    releaseDeadClients(pool);
    const adapter = new PrismaPg(pool, schema ? { schema } : undefined);
    const client = new PgClient({ adapter });
    Object.defineProperty(client, DRIVER_POOL, { value: pool });
    return client;
  }
  return new PrismaClient({ adapter: withSqlitePragmas(new PrismaBetterSQLite3({ url })) });
}

/** A row id for hand-written INSERTs, in the spirit of the models' cuid() defaults (unique, URL-safe). */
export const newId = (prefix = "c") => `${prefix}${randomUUID().replaceAll("-", "")}`;

const DRIVER_POOL = Symbol.for("intentful.pgPool");
/**
 * The pg pool under a PostgreSQL client made by createDb; none for SQLite or a transaction client.
 * (Prisma's transaction client is a proxy of the client and shows its properties, the pool among
 * them; only the top-level client has `$transaction`.)
 */
const driverPool = (db: DbOrTx) =>
  typeof (db as Partial<Db>).$transaction === "function" ? (db as unknown as Record<symbol, pg.Pool | undefined>)[DRIVER_POOL] : undefined;

/**
 * Runs one hand-written statement and returns its rows. On PostgreSQL it goes straight to the
 * pg pool under the Prisma client: Prisma's raw API spends ~4× the driver's CPU on a small
 * statement and ~6× on one carrying large values (50 rendered emails: 20.4 vs 3.6 ms; decision
 * 110), which is most of the cost of the hot paths that use this. A transaction client (or
 * SQLite) goes through `$queryRawUnsafe`, so a statement inside a transaction stays in it.
 * Values: Dates are sent as UTC ISO strings (the columns are timestamp(3) without time zone,
 * holding UTC, as Prisma writes them) and read back as UTC; booleans as 1/0 on SQLite.
 */
export async function sqlQuery<T = Record<string, unknown>>(
  db: DbOrTx,
  sql: string,
  values: unknown[] = [],
  options: { prepare?: boolean } = {},
): Promise<T[]> {
  const pool = driverPool(db);
  if (!pool) return db.$queryRawUnsafe<T[]>(sql, ...(dialectOf(db).name === "sqlite" ? sqliteValues(values) : values));
  const result = await pool.query({
    ...(options.prepare ? { name: statementName(sql) } : {}),
    text: sql,
    values: pgValues(values),
    types: { getTypeParser: utcTimestamps },
  });
  return result.rows as T[];
}

/**
 * Runs write statements as one unit and returns each one's row count: on PostgreSQL straight on a
 * pg pool client (BEGIN … COMMIT when there are several, one round trip when there is one),
 * otherwise (SQLite, a transaction client) through Prisma's raw API in a batch transaction. The
 * storefront's event intake writes this way: Prisma's batch transaction (`$transaction([...])`
 * plans each statement in its query compiler) was over a third of the server's CPU per batch
 * (decision 100). A failure rolls the whole unit back.
 */
export async function sqlBatch(db: DbOrTx, statements: ReadonlyArray<{ sql: string; values: unknown[] }>): Promise<number[]> {
  if (statements.length === 0) return [];
  const pool = driverPool(db);
  const config = (s: { sql: string; values: unknown[] }) => ({ text: s.sql, values: pgValues(s.values) });
  if (!pool) {
    const sqlite = dialectOf(db).name === "sqlite";
    const args = (s: { values: unknown[] }) => (sqlite ? sqliteValues(s.values) : s.values);
    if (statements.length === 1 || typeof (db as Partial<Db>).$transaction !== "function") {
      const counts: number[] = [];
      for (const s of statements) counts.push(await db.$executeRawUnsafe(s.sql, ...args(s)));
      return counts;
    }
    return (db as Db).$transaction(statements.map((s) => db.$executeRawUnsafe(s.sql, ...args(s))));
  }
  if (statements.length === 1) return [(await pool.query(config(statements[0]))).rowCount ?? 0];
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const counts: number[] = [];
    for (const s of statements) counts.push((await client.query(config(s))).rowCount ?? 0);
    await client.query("COMMIT");
    return counts;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: Error) => {
      broken = rollbackError; // the connection is unusable: the pool must drop it
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * `prepare`: a named prepared statement, parsed and planned once per pooled connection and then
 * only bound and executed (the hot webhook statement: PostgreSQL's parse/analyze of a three-part
 * CTE was most of its backend CPU per delivery; decision 100). Only for statements whose text is
 * one of a few fixed shapes — every distinct text stays prepared on every connection. The name
 * is a hash of the text, so two texts never share a name (pg refuses that) and every process
 * names a text alike. Needs a session-level connection: behind PgBouncer in transaction mode,
 * set `max_prepared_statements` (PgBouncer ≥ 1.21) or do not prepare.
 */
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `intentful_${createHash("sha256").update(sql).digest("hex").slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/** Values as the driver binds them: better-sqlite3 takes no booleans; pg gets Dates as UTC ISO text. */
const sqliteValues = (values: unknown[]) => values.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));
const pgValues = (values: unknown[]) => values.map((v) => (v instanceof Date ? v.toISOString() : v));

const TIMESTAMP_OID = 1114;
function utcTimestamps(oid: number, format?: "text" | "binary") {
  if (oid === TIMESTAMP_OID && format !== "binary") return (value: string) => new Date(`${value.replace(" ", "T")}Z`);
  return pg.types.getTypeParser(oid, format as "text");
}

/**
 * @prisma/adapter-pg 6.19 never hands a client back to the pool when ROLLBACK fails on a
 * connection the server killed (failover, pg_terminate_backend): each such transaction leaks a
 * slot, and after `max` of them every query of the process waits forever. We watch the clients
 * that are checked out and release a dead one with an error, so the pool discards it and opens
 * another. Idle clients that die are the pool's own business (it drops them; the error is logged,
 * not thrown). Pinned by test/integration/faults/webhook-db-down.test.ts.
 */
function releaseDeadClients(pool: pg.Pool): void {
  const checkedOut = new Set<pg.PoolClient>();
  pool.on("acquire", (client) => checkedOut.add(client));
  pool.on("release", (_error, client) => checkedOut.delete(client));
  pool.on("connect", (client) => {
    const onDead = (error?: Error) => {
      if (!checkedOut.has(client as pg.PoolClient)) return;
      checkedOut.delete(client as pg.PoolClient);
      try {
        (client as pg.PoolClient).release(error ?? new Error("connection ended"));
      } catch {
        // already released by its owner in the meantime
      }
    };
    // After the client's owner had its turn: pg-pool's own query() releases its client on error
    // (a second release throws, from inside the event), adapter-pg's transactions do not.
    client.on("end", () => setImmediate(onDead));
    client.on("error", (error) => setImmediate(onDead, error));
  });
  pool.on("error", (error) => {
    process.stderr.write(`${JSON.stringify({ level: "warn", msg: "idle database connection lost", error: error.message })}\n`);
  });
}

/**
 * Every SQLite connection runs in WAL mode: readers never wait for the writer (and the worker
 * process, the web process and the CLI can share the file). The setting is stored in the file;
 * `prisma migrate deploy` leaves new files in rollback-journal mode, so we set it on connect.
 * `synchronous = FULL`: a delivery acknowledged to Shopify must survive a power loss. (Set
 * explicitly: better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1, i.e. NORMAL, which
 * in WAL mode may lose the last commits on power loss. Every connection of the app, including
 * webhook intake's direct one, sets both.)
 */
export const SQLITE_PRAGMAS = ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL"];

function withSqlitePragmas(factory: PrismaBetterSQLite3) {
  return {
    provider: factory.provider as "sqlite",
    adapterName: factory.adapterName,
    async connect() {
      const adapter = await factory.connect();
      for (const sql of SQLITE_PRAGMAS) await adapter.queryRaw({ sql, args: [], argTypes: [] });
      return adapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}

declare global {
  var __intentfulDb: { url: string; db: Db } | undefined;
}

/** The process-wide client for DATABASE_URL (kept across dev reloads). */
export function getDb(): Db {
  const url = databaseUrl();
  if (!globalThis.__intentfulDb || globalThis.__intentfulDb.url !== url) {
    globalThis.__intentfulDb = { url, db: createDb(url) };
  }
  return globalThis.__intentfulDb.db;
}

/** DATABASE_URL, or the local SQLite file of the one-machine setup. */
export function databaseUrl(): string {
  return process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite";
}

export function currentDialect(): Dialect {
  return dialectOfUrl(databaseUrl());
}

/**
 * A unique violation raised by a hand-written statement (the model API's P2002), whichever way
 * `sqlQuery` sent it: SQLSTATE 23505 from the pg driver, or Prisma's P2010 ("raw query failed")
 * with the adapter's classification.
 */
export function isRawUniqueViolation(error: unknown): boolean {
  type RawError = { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  const e = (typeof error === "object" && error !== null ? error : {}) as RawError;
  return e.code === "23505" || (e.code === "P2010" && e.meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation");
}

/**
 * Errors that say "the database is busy or away right now", not "this request is wrong":
 * Prisma's transaction-start timeout (P2028, e.g. a burst on SQLite's single connection),
 * connection-pool timeout (P2024), unreachable or timed-out server (P1001, P1002, P1008, P1017),
 * and a busy SQLite file. Callers answer 503 with Retry-After so the sender comes back.
 */
export function isTransientDbError(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === "string" && ["P2028", "P2024", "P1001", "P1002", "P1008", "P1017"].includes(code)) return true;
  // The same from the pg driver itself (sqlQuery): refused or lost connections, a server shutting
  // down or not accepting connections yet (SQLSTATE class 08, 57P01–57P03), too many connections.
  if (typeof code === "string" && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|08\d{3}|57P0[123]|53300)$/.test(code)) return true;
  const message = error instanceof Error ? error.message : "";
  return /SQLITE_BUSY|database is locked|Unable to start a transaction in the given time|Timed out fetching a new connection|Connection terminated|timeout exceeded when trying to connect/i.test(
    message,
  );
}

const db: Db = new Proxy({} as Db, {
  get(_t, prop) {
    const real = getDb() as unknown as Record<string | symbol, unknown>;
    const value = real[prop];
    return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(real) : value;
  },
});

export default db;

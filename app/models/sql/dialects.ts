import {
  DummyDriver,
  type SelectQueryBuilder,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type Expression,
  type RawBuilder,
} from "kysely";
import type { DB } from "../generated/kysely";

export type DialectName = "sqlite" | "postgres";

/**
 * Everything that differs between the two databases, in one object per database, chosen once when
 * the database is opened (`createDb` in app/db.server.ts; `dialectOf(db)` hands it back). Code
 * outside this folder never asks which database it runs on.
 *
 * `builder` is Kysely over the table types generated from prisma/schema.prisma (prisma-kysely,
 * app/models/generated/kysely.ts): it only compiles statements. `run` (./run.server.ts) sends them
 * through the app's own drivers, so a statement inside a Prisma transaction stays in it and the
 * PostgreSQL hot paths keep going straight to the pg pool (decision 160).
 */
export interface SqlDialect {
  readonly name: DialectName;
  readonly builder: Kysely<DB>;
  /** Jobs a worker runs at once by default (WORKER_CONCURRENCY): SQLite has one writer, more lanes only queue for it. */
  readonly workerConcurrency: number;
  /** A boolean as the driver binds it (better-sqlite3 takes no booleans). */
  bool(value: boolean): boolean | number;
  /** The smaller / larger of two values (two-argument MIN and MAX on SQLite). */
  least<T>(a: Expression<T>, b: Expression<T>): RawBuilder<T>;
  greatest<T>(a: Expression<T>, b: Expression<T>): RawBuilder<T>;
  /** A shift of `minutes` as `localDay` takes it. */
  minutes(minutes: number): RawBuilder<unknown>;
  /** The calendar day (YYYY-MM-DD) of a UTC timestamp shifted by a `minutes` expression. */
  localDay(column: Expression<unknown>, shift: Expression<unknown>): RawBuilder<string>;
  /** A timestamp `days` whole days later. */
  plusDays(column: Expression<unknown>, days: number): RawBuilder<Date>;
  /** Rows a concurrent statement has locked are skipped (`FOR UPDATE SKIP LOCKED`); SQLite has one writer at a time. */
  lockSkipLocked<QB extends SelectQueryBuilder<DB, keyof DB, object>>(qb: QB): QB;
  /** A parameter typed as its column, where the statement cannot infer it (INSERT … SELECT on PostgreSQL). */
  typed(value: unknown, pgType: string): RawBuilder<unknown>;
}

const builder = (adapter: () => SqliteAdapter | PostgresAdapter, compiler: () => SqliteQueryCompiler | PostgresQueryCompiler, sqlite: boolean) =>
  new Kysely<DB>({
    dialect: {
      createAdapter: adapter,
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => (sqlite ? new SqliteIntrospector(db) : new PostgresIntrospector(db)),
      createQueryCompiler: compiler,
    },
  });

export const sqliteDialect: SqlDialect = {
  name: "sqlite",
  builder: builder(
    () => new SqliteAdapter(),
    () => new SqliteQueryCompiler(),
    true,
  ),
  workerConcurrency: 1,
  bool: (value) => (value ? 1 : 0),
  least: (a, b) => sql`MIN(${a}, ${b})`,
  greatest: (a, b) => sql`MAX(${a}, ${b})`,
  minutes: (minutes) => sql.val(`${minutes >= 0 ? "+" : ""}${minutes} minutes`),
  // Timestamps are ISO-8601 text on SQLite ("2026-01-01T00:00:00.000+00:00", ordered as text).
  localDay: (column, shift) => sql<string>`date(${column}, ${shift})`,
  plusDays: (column, days) => sql<Date>`strftime('%Y-%m-%dT%H:%M:%f+00:00', ${column}, ${`+${days} days`})`,
  typed: (value) => sql.val(value),
  lockSkipLocked: (qb) => qb,
};

export const postgresDialect: SqlDialect = {
  name: "postgres",
  builder: builder(
    () => new PostgresAdapter(),
    () => new PostgresQueryCompiler(),
    false,
  ),
  workerConcurrency: 4,
  bool: (value) => value,
  least: (a, b) => sql`LEAST(${a}, ${b})`,
  greatest: (a, b) => sql`GREATEST(${a}, ${b})`,
  minutes: (minutes) => sql.val(minutes),
  localDay: (column, shift) => sql<string>`to_char(${column} + CAST(${shift} AS INTEGER) * INTERVAL '1 minute', 'YYYY-MM-DD')`,
  plusDays: (column, days) => sql<Date>`${column} + CAST(${days} AS INTEGER) * INTERVAL '1 day'`,
  typed: (value, pgType) => sql`${value}::${sql.raw(pgType)}`,
  lockSkipLocked: (qb) => qb.forUpdate().skipLocked() as typeof qb,
};

export const dialects: Record<DialectName, SqlDialect> = { sqlite: sqliteDialect, postgres: postgresDialect };

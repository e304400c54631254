import type { CompiledQuery, Compilable, InferResult, Kysely, RawBuilder } from "kysely";
import { dialectOf, sqlBatch, sqlQuery, type DbOrTx } from "~/db.server";
import type { DB } from "../generated/kysely";
import type { Template } from "./template.server";

/**
 * The data layer's one way to send a hand-built statement: build it with `q(db)` (Kysely over the
 * generated table types, in the database's own dialect), send it with `run` (rows, typed by the
 * compiler from the statement) or `write` (affected rows).
 *
 *   const runs = await run(db, q(db).selectFrom("FlowRun").selectAll().where("id", "in", ids));
 *
 * Both go through `sqlQuery`: straight to the pg pool on a PostgreSQL client, through Prisma's raw
 * API on SQLite and on a transaction client (so the statement is part of the transaction). Rows
 * come back as the Prisma models have them on both databases: Dates, booleans, JSON parsed on
 * PostgreSQL (text on SQLite: read JSON columns with `json`).
 */
export const q = (db: DbOrTx): Kysely<DB> => dialectOf(db).builder;

export interface RunOptions {
  /** A named prepared statement on PostgreSQL: for a hot statement of a few fixed shapes (see sqlQuery). */
  prepare?: boolean;
}

type Statement = Compilable<unknown> | RawBuilder<unknown>;
/** A statement's text and values in the database's dialect (a `sql` fragment compiles with the builder). */
export const compile = (db: DbOrTx, statement: Statement): CompiledQuery =>
  "isRawBuilder" in statement ? statement.compile(dialectOf(db).builder) : statement.compile();

/** Sends a statement built with the builder and returns its rows. */
export async function run<Q extends Compilable<unknown>>(db: DbOrTx, query: Q, options?: RunOptions): Promise<InferResult<Q>>;
/** Sends a `sql` statement and returns its rows (typed as the template says: sql<Row>`…`). */
export async function run<O>(db: DbOrTx, query: RawBuilder<O>, options?: RunOptions): Promise<O[]>;
export async function run(db: DbOrTx, query: Statement, options: RunOptions = {}): Promise<unknown[]> {
  const compiled = compile(db, query);
  return sqlQuery(db, compiled.sql, compiled.parameters as unknown[], options);
}

/** Sends a statement template (./template.server.ts) bound to one call's values. */
export async function runTemplate<O>(db: DbOrTx, statement: Template, values: Record<string, unknown>, options?: RunOptions): Promise<O[]> {
  return sqlQuery<O>(db, statement.sql, statement.bind(values), options);
}

/** Sends writes (no RETURNING) as one unit and returns how many rows each changed. */
export async function write(db: DbOrTx, ...queries: Statement[]): Promise<number[]> {
  return sqlBatch(
    db,
    queries.map((query) => {
      const compiled = compile(db, query);
      return { sql: compiled.sql, values: compiled.parameters as unknown[] };
    }),
  );
}

/** A JSON column's value: parsed on PostgreSQL, text on SQLite. */
export function json<T = unknown>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

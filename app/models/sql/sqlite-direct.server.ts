import { statSync } from "node:fs";
import Database from "better-sqlite3";
import { SQLITE_PRAGMAS } from "~/db.server";

/**
 * A second SQLite connection for webhook intake's hot path (checkouts/*, carts/*), past Prisma:
 * Prisma's client, query compiler, adapter and interactive-transaction machinery are about a third
 * of a delivery's CPU on SQLite (docs/decisions/100-webhook-throughput.md). Prisma's own
 * connection sits inside @prisma/adapter-better-sqlite3 behind a private mutex and cannot be
 * shared, so this is another connection to the same file, which SQLite serialises like any two.
 *
 * Rules that keep the two connections from deadlocking each other in one process:
 * - a whole delivery is ONE synchronous call, BEGIN IMMEDIATE … COMMIT (`immediate`), with no
 *   await in between: nothing else of this process runs while it holds the write lock, so Prisma's
 *   connection never finds the lock held by us (its busy handler would block the event loop for up
 *   to 5 s while our transaction waited on the event loop: a deadlock);
 * - no busy wait (`timeout: 0`): when the write lock is held elsewhere (a Prisma interactive
 *   transaction between two awaits, or another process such as the worker), `immediate` gives up
 *   at once without writing anything, and the caller takes Prisma's path, which queues.
 * Values are bound as Prisma's SQLite adapter binds them (`mapArg`): Dates as ISO text with
 * "+00:00", booleans as 1/0, everything else (JSON already text) as is.
 */
export class DirectSqlite {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #transaction: Database.Transaction<(work: () => unknown) => unknown>;
  /** The file as opened: a file deleted or replaced under that path is not written to. */
  readonly #file: { path: string; dev: number; ino: number };

  constructor(path: string) {
    this.#db = new Database(path, { timeout: 0, fileMustExist: true });
    connections.add(this.#db);
    try {
      // As every connection of the app (SQLITE_PRAGMAS in db.server.ts): WAL, so readers never
      // wait for the writer, and synchronous FULL, so an acknowledged delivery survives a power loss.
      for (const sql of SQLITE_PRAGMAS) this.#db.exec(sql);
      const mode = this.#db.pragma("journal_mode", { simple: true });
      if (mode !== "wal") throw new Error(`journal_mode is ${String(mode)}, not wal`);
      const { dev, ino } = statSync(path);
      this.#file = { path, dev, ino };
    } catch (error) {
      this.close();
      throw error;
    }
    this.#transaction = this.#db.transaction((work: () => unknown) => work());
  }

  /**
   * Runs `work` between BEGIN IMMEDIATE and COMMIT (a throw rolls back); BUSY, with nothing
   * written, when another connection holds the write lock. `work` must not await: better-sqlite3
   * refuses a function that returns a promise, and anything started before it resolves would run
   * while we hold the lock.
   */
  immediate<T>(work: () => T): T | typeof BUSY {
    // Never a SAVEPOINT inside something else's transaction: `work` runs alone, start to end.
    if (this.#db.inTransaction) throw new Error("the direct SQLite connection is already in a transaction");
    try {
      return this.#transaction.immediate(work) as T;
    } catch (error) {
      // SQLITE_BUSY and its extended codes; better-sqlite3 has rolled back if anything had begun.
      if (isBusy(error) && !this.#db.inTransaction) return BUSY;
      throw error;
    }
  }

  /** Runs a statement; the number of rows it changed. */
  run(sql: string, values: unknown[]): number {
    return this.#statement(sql).run(...values.map(bindable)).changes;
  }

  /** Runs a statement; its first row. */
  get<T>(sql: string, values: unknown[]): T | undefined {
    return this.#statement(sql).get(...values.map(bindable)) as T | undefined;
  }

  /** False once the path no longer names the file we opened (deleted, or replaced by a new database). */
  isCurrent(): boolean {
    try {
      const now = statSync(this.#file.path, { throwIfNoEntry: false });
      return now !== undefined && now.dev === this.#file.dev && now.ino === this.#file.ino;
    } catch {
      return false;
    }
  }

  close(): void {
    connections.delete(this.#db);
    this.#db.close();
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

/** What `immediate` returns when the write lock is held elsewhere. */
export const BUSY: unique symbol = Symbol("sqlite busy");

const isBusy = (error: unknown) => typeof error === "object" && error !== null && String((error as { code?: unknown }).code).startsWith("SQLITE_BUSY");

function bindable(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/** The better-sqlite3 handles of the open direct connections (tests tell them from Prisma's). */
const connections = new WeakSet<object>();
export const isDirectSqlite = (database: unknown): boolean => typeof database === "object" && database !== null && connections.has(database);

declare global {
  var __intentfulDirectSqlite: Map<string, DirectSqlite> | undefined;
}
/** One connection per `file:` URL for the process (kept across dev reloads, like the Prisma client). */
const opened = (globalThis.__intentfulDirectSqlite ??= new Map());

/**
 * The direct connection for a `file:` URL, opened on first use; null (take Prisma's path) when it
 * cannot be opened now, e.g. the file does not exist yet or is not in WAL mode (an in-memory
 * database would be a different database on every connection). A connection whose file was
 * deleted or replaced is closed and opened again. It holds no timer or socket, so it never keeps
 * the process alive; a test's database file can be deleted while it is open (Linux, macOS).
 */
export function directSqlite(url: string): DirectSqlite | null {
  let conn = opened.get(url);
  if (conn && !conn.isCurrent()) {
    closeDirectSqlite(url);
    conn = undefined;
  }
  if (!conn) {
    try {
      conn = new DirectSqlite(url.replace(/^file:/, "")); // the path as Prisma's adapter reads it
    } catch {
      return null;
    }
    opened.set(url, conn);
  }
  return conn;
}

/** Closes the direct connection for `url` (all of them without one). */
export function closeDirectSqlite(url?: string): void {
  for (const [key, conn] of opened) {
    if (url !== undefined && key !== url) continue;
    opened.delete(key);
    conn.close();
  }
}

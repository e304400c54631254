import pg from "pg";
import type { Db } from "~/db.server";
import { createTestDb, type TestDb } from "../../support/db";

/**
 * A test database installed as the app's process-wide client (what `~/db.server`'s default
 * export and the library's session storage use), wrapped to record every write on Event:
 * model writes by operation name, raw SQL as "insert"/"update"/"delete" when it targets "Event".
 */
export interface ProxyTestDb extends TestDb {
  eventWrites: string[];
}

const WRITES = new Set(["create", "createMany", "createManyAndReturn", "upsert", "update", "updateMany"]);

function recordEventWrites(db: Db, writes: string[]): Db {
  const note = (sql: string) => {
    const m = /^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"Event"\s/i.exec(sql);
    if (m) writes.push(m[1].split(" ")[0].toLowerCase());
  };
  // On PostgreSQL the hand-written statements go straight to the pg pool the client carries
  // (sqlQuery, sqlBatch in db.server.ts): record them there, on the path they really take.
  for (const key of Object.getOwnPropertySymbols(db)) {
    const pool = (db as unknown as Record<symbol, unknown>)[key];
    if (pool instanceof pg.Pool) recordPool(pool, note);
  }
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === "$executeRawUnsafe" || prop === "$queryRawUnsafe") {
        return (sql: string, ...args: unknown[]) => {
          note(sql);
          return (value as (...a: unknown[]) => unknown).call(target, sql, ...args);
        };
      }
      if (prop !== "event") return typeof value === "function" ? value.bind(target) : value;
      return new Proxy(value as object, {
        get(model, op) {
          const fn = Reflect.get(model, op);
          if (typeof fn !== "function") return fn;
          return (...args: unknown[]) => {
            if (WRITES.has(String(op))) writes.push(String(op));
            return fn.apply(model, args);
          };
        },
      });
    },
  });
}

export async function installTestDb(): Promise<ProxyTestDb> {
  const t = await createTestDb();
  const eventWrites: string[] = [];
  process.env.DATABASE_URL = t.url;
  globalThis.__intentfulDb = { url: t.url, db: recordEventWrites(t.db, eventWrites) };
  return { ...t, eventWrites };
}

export const now = () => Date.now();

export function batch(events: object[], visitorId = "visitor-1") {
  return JSON.stringify({ v: 1, visitorId, sessionId: "session-1", events });
}

type QueryArg = string | { text: string };
const sqlOf = (arg: QueryArg) => (typeof arg === "string" ? arg : arg.text);

/** Notes every statement given to the pool, or to a client it lends (each statement once). */
function recordPool(pool: pg.Pool, note: (sql: string) => void): void {
  const query = pool.query as (...a: unknown[]) => unknown;
  pool.query = ((arg: QueryArg, ...rest: unknown[]) => {
    note(sqlOf(arg));
    return query.call(pool, arg, ...rest);
  }) as never;
  const connect = pool.connect as (...a: unknown[]) => Promise<pg.PoolClient>;
  // A lent client is wrapped for its borrower only: the pool's own query() (which connects with
  // a callback) uses the bare client.
  pool.connect = (async (...args: unknown[]) => {
    if (args.length) return connect.apply(pool, args);
    const client = await connect.call(pool);
    return new Proxy(client, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (key === "query") {
          return (arg: QueryArg, ...rest: unknown[]) => {
            note(sqlOf(arg));
            return (value as (...a: unknown[]) => unknown).call(target, arg, ...rest);
          };
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }) as never;
}

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
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === "$executeRawUnsafe" || prop === "$queryRawUnsafe") {
        return (sql: string, ...args: unknown[]) => {
          const m = /^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"Event"\s/i.exec(sql);
          if (m) writes.push(m[1].split(" ")[0].toLowerCase());
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

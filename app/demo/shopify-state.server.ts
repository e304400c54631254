import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Demo only: the state of the pretend Shopify store (what the real Admin API would keep):
 * app-data metafields, whether the theme's app embed is on, customers, discount codes and
 * Flow trigger calls. Kept in a JSON file beside the demo database so restarts keep it.
 */
export interface DemoShopState {
  metafields: Record<string, { type: string; value: string }>;
  embedEnabled: boolean;
  customers: Array<{ id: string; email: string; emailMarketingConsent: string; marketingOptInLevel?: string | null; tags: string[] }>;
  discountCodes: Array<{ id: string; code: string; percent: number; endsAt: string | null }>;
  flowTriggers: Array<{ handle: string; payload: unknown; at: string }>;
}

/**
 * The mocked Shopify's state belongs to the demo's database: beside a `file:` database, named
 * after it (prisma/demo.sqlite → prisma/demo-shopify.json), so two demos on two databases never
 * see each other's published triggers, discount codes or carts; the web process and a worker on
 * the same database share it. DEMO_STATE_FILE overrides.
 */
export function demoStateFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DEMO_STATE_FILE) return env.DEMO_STATE_FILE;
  const url = env.DATABASE_URL ?? "file:./prisma/demo.sqlite";
  // A PostgreSQL demo: one file per database URL, so two demos on two databases share nothing.
  if (!url.startsWith("file:")) return path.resolve("prisma", `demo-shopify-${createHash("sha256").update(url).digest("hex").slice(0, 12)}.json`);
  const db = path.resolve(url.slice("file:".length).split("?")[0]);
  return db.replace(/\.(sqlite3?|db)$/, "") + "-shopify.json";
}

function file(): string {
  return demoStateFile();
}

const empty = (): DemoShopState => ({
  metafields: {},
  embedEnabled: true,
  customers: [],
  discountCodes: [],
  flowTriggers: [],
});

export function readDemoState(): DemoShopState {
  const f = file();
  if (!existsSync(f)) return empty();
  try {
    return { ...empty(), ...(JSON.parse(readFileSync(f, "utf8")) as Partial<DemoShopState>) };
  } catch {
    return empty();
  }
}

export function updateDemoState(change: (s: DemoShopState) => void): DemoShopState {
  const state = readDemoState();
  change(state);
  const f = file();
  mkdirSync(path.dirname(f), { recursive: true });
  const tmp = `${f}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, f);
  return state;
}

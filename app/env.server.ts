import { z } from "zod";
import { dialects, type DialectName } from "./models/sql/dialects";

/**
 * The environment, validated once at boot. A wrong or missing variable ends start-up
 * with a list naming each one (see `assertEnv`), never a stack trace.
 */
const bool = z.enum(["1", "0", "true", "false", "yes", "no", ""]).transform((v) => v === "1" || v === "true" || v === "yes");

const DEMO_DEFAULTS = {
  SHOPIFY_API_KEY: "demo-api-key",
  SHOPIFY_API_SECRET: "demo-api-secret-not-for-production",
};

/** The shortest client secret accepted outside the demo: Shopify's are 32 hex digits (or "shpss_" + 32). */
const MIN_SECRET_LENGTH = 32;

/** A whole number from 1 to max; unset or empty takes the fallback (without one it stays unset). */
const wholeNumber = (max: number) => {
  const message = `must be a whole number from 1 to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(1, message).max(max, message);
};
const blankIs = (fallback: number | undefined) => (v: unknown) => (v === "" || v === undefined ? fallback : v);
const positive = (max: number, fallback: number) => z.preprocess(blankIs(fallback), wholeNumber(max));
const positiveOrUnset = (max: number) => z.preprocess(blankIs(undefined), wholeNumber(max).optional());

/**
 * Tuning knobs: read once, here, with their one set of defaults. Part of the environment checked
 * at boot (a bad value stops start-up with the others); `getKnobs()` reads them alone for code
 * that runs before or without the rest (the database client, scripts).
 */
const knobsSchema = z.object({
  // The job worker, in-process or `npm run worker`: how long a claimed job stays this worker's,
  // the idle poll, jobs claimed per batch, and jobs of a batch run at once (unset: 4 on
  // PostgreSQL, 1 on SQLite, whose single connection would only queue them).
  WORKER_LEASE_MS: positive(3_600_000, 60_000),
  WORKER_POLL_MS: positive(60_000, 500),
  WORKER_BATCH_SIZE: positive(1000, 50),
  WORKER_CONCURRENCY: positiveOrUnset(64),
  // PostgreSQL connections per process
  PG_POOL_MAX: positive(500, 10),
  // web processes on one port (node:cluster), see server.ts
  WEB_CONCURRENCY: positive(64, 1),
});
export type Knobs = z.infer<typeof knobsSchema>;

const schema = knobsSchema
  .extend({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DEMO_MODE: bool.default(false),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    SHOPIFY_API_KEY: z.string().min(1, "is required (the app's client id from the Partner Dashboard)"),
    SHOPIFY_API_SECRET: z.string().min(1, "is required (the app's client secret)"),
    SHOPIFY_APP_URL: z.string().url("must be the app's public URL, e.g. https://example.com"),
    SCOPES: z.string().default("read_orders,write_discounts,write_customers,read_customers,read_products,read_themes"),
    SHOP_CUSTOM_DOMAIN: z.string().optional(),
    DATABASE_URL: z.string().regex(/^(file:|postgres(ql)?:\/\/)/, "must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL)"),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
      .optional()
      .or(z.literal("").transform(() => undefined)),
    EMAIL_FROM: z
      .string()
      .email("must be an email address")
      .optional()
      .or(z.literal("").transform(() => undefined)),
    WORKER_IN_PROCESS: bool.default(true),
    // Proxies of our own between Shopify's app proxy and the app that append to X-Forwarded-For
    // (a load balancer: 1); the storefront rate limits key on the address Shopify forwarded.
    TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(0),
    // Finished and dead jobs and webhook delivery records are deleted after this many days (the
    // daily retention sweep): operational tables stay bounded.
    OPS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  })
  .superRefine((env, ctx) => {
    if (env.DEMO_MODE && env.NODE_ENV === "production") {
      ctx.addIssue({ code: "custom", path: ["DEMO_MODE"], message: "must not be set when NODE_ENV=production" });
    }
    if (!env.DEMO_MODE && env.SHOPIFY_API_SECRET === DEMO_DEFAULTS.SHOPIFY_API_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["SHOPIFY_API_SECRET"],
        message:
          "is the public demo secret: with it anyone can forge webhooks, app proxy signatures and session tokens. Set your app's client secret from the Partner Dashboard",
      });
    } else if (!env.DEMO_MODE && env.SHOPIFY_API_SECRET.length < MIN_SECRET_LENGTH) {
      ctx.addIssue({
        code: "custom",
        path: ["SHOPIFY_API_SECRET"],
        message: `is ${env.SHOPIFY_API_SECRET.length} characters long: an app's client secret has at least ${MIN_SECRET_LENGTH} (Shopify's are 32 hex digits, newer ones prefixed "shpss_"); a short one can be guessed and every signature forged`,
      });
    }
    if (env.DEMO_MODE && env.SHOPIFY_API_SECRET !== DEMO_DEFAULTS.SHOPIFY_API_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["DEMO_MODE"],
        message: "refuses to start with real Shopify credentials configured (unset SHOPIFY_API_SECRET for the demo)",
      });
    }
  });

export type Env = z.infer<typeof schema>;

export type EnvResult = { ok: true; env: Env } | { ok: false; problems: string[] };

export function parseEnv(source: Record<string, string | undefined>): EnvResult {
  const input = { ...source };
  const demo = ["1", "true", "yes"].includes(input.DEMO_MODE ?? "");
  if (demo) {
    input.SHOPIFY_API_KEY ??= DEMO_DEFAULTS.SHOPIFY_API_KEY;
    input.SHOPIFY_API_SECRET ??= DEMO_DEFAULTS.SHOPIFY_API_SECRET;
    input.SHOPIFY_APP_URL ??= `http://localhost:${input.PORT ?? 3000}`;
    input.DATABASE_URL ??= "file:./prisma/demo.sqlite";
  }
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, env: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((i) => `${i.path.join(".") || "environment"} ${i.message}`),
  };
}

let cached: Env | undefined;

/** The validated environment; throws (with the list) if it is invalid. */
export function getEnv(): Env {
  if (cached) return cached;
  const result = parseEnv(process.env);
  if (!result.ok) throw new EnvError(result.problems);
  cached = result.env;
  return cached;
}

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** For entry points: print the problems and exit 1 instead of throwing a stack trace. */
export function assertEnvOrExit(): Env {
  try {
    return getEnv();
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(
        `Intentful cannot start: the environment is invalid.\n${error.problems.map((p) => `  - ${p}`).join("\n")}\nSee README.md#environment.\n`,
      );
      process.exit(1);
    }
    throw error;
  }
}

/**
 * The tuning knobs alone (validated, defaults applied); throws with the list if one is invalid.
 * Read where they are used, each once per process start (a pool, a worker, the cluster), not
 * cached: a test or the bench may set one before starting what reads it.
 */
export function getKnobs(): Knobs {
  const result = knobsSchema.safeParse(process.env);
  if (!result.success) throw new EnvError(result.error.issues.map((i) => `${i.path.join(".")} ${i.message}`));
  return result.data;
}

/** The worker's tuning for a database: the same in `npm run worker` and the in-process worker. */
export function workerTuning(dialect: DialectName) {
  const k = getKnobs();
  return {
    leaseMs: k.WORKER_LEASE_MS,
    pollMs: k.WORKER_POLL_MS,
    batchSize: k.WORKER_BATCH_SIZE,
    // SQLite has one writer: more lanes only queue for it.
    concurrency: k.WORKER_CONCURRENCY ?? dialects[dialect].workerConcurrency,
  };
}

export function isDemo(): boolean {
  return getEnv().DEMO_MODE;
}

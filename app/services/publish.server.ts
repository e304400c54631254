import { createHash } from "node:crypto";
import type { Db } from "~/db.server";
import { compileConfig, configBytes, CONFIG_MAX_BYTES, type SkipNotice } from "~/domain/triggers";
import { adminQuery, type AdminGraphql } from "./admin-graphql.server";
import { enqueue, requestedRetryDelay } from "./jobs.server";

export const METAFIELD_NAMESPACE = "intentful";
export const METAFIELD_KEY = "config";

const SET_CONFIG = `#graphql
  mutation IntentfulPublishConfig($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { id key namespace }
      userErrors { field message code }
    }
  }`;

const APP_INSTALLATION = `#graphql
  query IntentfulAppInstallation {
    currentAppInstallation { id }
  }`;

export async function buildShopConfig(db: Db, shop: string) {
  const [settings, triggers] = await Promise.all([
    db.shop.findUnique({ where: { shop }, select: { overlaysPerSession: true, channelGapHours: true } }),
    db.trigger.findMany({
      where: { shop, enabled: true },
      select: {
        id: true,
        name: true,
        type: true,
        enabled: true,
        conditions: true,
        segment: true,
        content: true,
        frequencyCap: true,
        holdoutPct: true,
        priority: true,
        salt: true,
        variants: true,
      },
    }),
  ]);
  const skipped: SkipNotice[] = [];
  const config = compileConfig(triggers, { overlaysPerSession: settings?.overlaysPerSession ?? 2, channelGapHours: settings?.channelGapHours ?? 0 }, (n) =>
    skipped.push(n),
  );
  return { config, skipped };
}

export type PublishResult =
  | { ok: true; bytes: number; skipped: SkipNotice[]; hash: string }
  | {
      ok: false;
      error: string;
      retryJobId?: string;
      retryAt?: Date;
      /** What failed (e.g. an AdminApiRetryLaterError): a job handler rethrowing it as `cause` keeps Retry-After. */
      cause?: unknown;
    };

/** A failed publish is retried by a job after this long, or after Shopify's Retry-After if longer. */
export const PUBLISH_RETRY_MS = 30_000;

/**
 * Recompiles the shop's active rules and writes them to the app-data metafield the theme app
 * embed reads (`app.metafields.intentful.config`). A failure is stored on the shop (the admin
 * shows a banner) and retried by a job. Throttling (429, THROTTLED) is waited out inline when
 * short (adminQuery); a longer Retry-After moves the retry job to at least that time.
 */
export function publishRules(db: Db, shop: string, admin: AdminGraphql, options: { retryOnFailure?: boolean } = {}): Promise<PublishResult> {
  // One publish at a time per shop in this process, so two quick saves cannot write an older
  // rule set last. (Each publish compiles from the database at its turn, so the last one wins.)
  const previous = publishing.get(shop) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => publishNow(db, shop, admin, options));
  publishing.set(shop, next);
  void next.finally(() => {
    if (publishing.get(shop) === next) publishing.delete(shop);
  });
  return next;
}

const publishing = new Map<string, Promise<PublishResult>>();

async function publishNow(db: Db, shop: string, admin: AdminGraphql, options: { retryOnFailure?: boolean }): Promise<PublishResult> {
  const { config, skipped } = await buildShopConfig(db, shop);
  const value = JSON.stringify(config);
  const bytes = configBytes(config);
  const hash = createHash("sha256").update(value).digest("hex").slice(0, 16);
  try {
    if (bytes > CONFIG_MAX_BYTES) throw new Error(`compiled rules are ${bytes} bytes, over the ${CONFIG_MAX_BYTES} limit`);
    const { currentAppInstallation } = await adminQuery<{ currentAppInstallation: { id: string } }>(admin, APP_INSTALLATION);
    const result = await adminQuery<{
      metafieldsSet: { userErrors: Array<{ field: string[] | null; message: string }> };
    }>(admin, SET_CONFIG, {
      metafields: [{ ownerId: currentAppInstallation.id, namespace: METAFIELD_NAMESPACE, key: METAFIELD_KEY, type: "json", value }],
    });
    const errors = result.metafieldsSet.userErrors;
    if (errors.length) throw new Error(errors.map((e) => e.message).join("; "));
    await db.shop.update({
      where: { shop },
      data: { publishedAt: new Date(), publishedHash: hash, publishError: null },
    });
    return { ok: true, bytes, skipped, hash };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db.shop.update({ where: { shop }, data: { publishError: message.slice(0, 500) } });
    let retryJobId: string | undefined;
    let retryAt: Date | undefined;
    if (options.retryOnFailure !== false) {
      retryAt = new Date(Date.now() + Math.max(PUBLISH_RETRY_MS, requestedRetryDelay(error) ?? 0));
      const dedupeKey = `publish-rules:${shop}:${hash}`;
      const job = await enqueue(db, { kind: "publish-rules", shop, payload: { shop }, runAt: retryAt, dedupeKey });
      if (!job.created) {
        // The same rule set failed before and that job already finished (or died): run it again.
        await db.job.updateMany({
          where: { id: job.id, status: { in: ["done", "dead"] } },
          data: { status: "pending", runAt: retryAt, attempts: 0, lastError: null, lockedBy: null, lockedUntil: null, finishedAt: null },
        });
      }
      retryJobId = job.id;
    }
    return { ok: false, error: message, retryJobId, retryAt, cause: error };
  }
}

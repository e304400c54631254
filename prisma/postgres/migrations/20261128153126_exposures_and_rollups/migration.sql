-- CreateTable
CREATE TABLE "Exposure" (
    "shop" TEXT NOT NULL,
    "triggerId" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "tier" TEXT,
    "firstAt" TIMESTAMP(3) NOT NULL,
    "lastAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Exposure_pkey" PRIMARY KEY ("shop","triggerId","visitorId")
);

-- CreateTable
CREATE TABLE "EventRollup" (
    "shop" TEXT NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "triggerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "tier" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "events" INTEGER NOT NULL,

    CONSTRAINT "EventRollup_pkey" PRIMARY KEY ("shop","hour","triggerId","kind","tier","variant")
);

-- CreateIndex
CREATE INDEX "Exposure_shop_firstAt_triggerId_variant_idx" ON "Exposure"("shop", "firstAt", "triggerId", "variant");

-- CreateIndex
CREATE INDEX "Exposure_shop_visitorId_idx" ON "Exposure"("shop", "visitorId");

-- CreateIndex
CREATE INDEX "Exposure_shop_lastAt_idx" ON "Exposure"("shop", "lastAt");

-- Backfill from the events already stored, by the rules of app/services/event-store.server.ts.
INSERT INTO "Exposure" ("shop", "triggerId", "visitorId", "variant", "tier", "firstAt", "lastAt")
SELECT e."shop", e."triggerId", e."visitorId",
       CASE WHEN MAX(CASE WHEN e."kind" = 'impression' THEN 1 ELSE 0 END) = 1
             AND MAX(CASE WHEN e."kind" = 'control' THEN 1 ELSE 0 END) = 1 THEN 'mixed'
            WHEN MAX(CASE WHEN e."kind" = 'impression' THEN 1 ELSE 0 END) = 1 THEN 'treatment'
            ELSE 'control' END,
       (SELECT f."intentTier" FROM "Event" f
         WHERE f."shop" = e."shop" AND f."visitorId" = e."visitorId" AND f."triggerId" = e."triggerId"
           AND f."kind" IN ('impression', 'control')
         ORDER BY f."occurredAt", f."id" LIMIT 1),
       MIN(e."occurredAt"), MAX(e."occurredAt")
FROM "Event" e
WHERE e."kind" IN ('impression', 'control') AND e."triggerId" IS NOT NULL
GROUP BY e."shop", e."triggerId", e."visitorId";

INSERT INTO "EventRollup" ("shop", "hour", "triggerId", "kind", "tier", "variant", "events")
SELECT "shop", date_trunc('hour', "occurredAt"), "triggerId", "kind",
       CASE WHEN "intentTier" IN ('low', 'mid', 'high') THEN "intentTier" ELSE 'unknown' END,
       CASE WHEN "variant" IN ('treatment', 'control') THEN "variant" ELSE '' END,
       COUNT(*)
FROM "Event"
WHERE "kind" IN ('impression', 'control', 'click', 'conversion') AND "triggerId" IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;

-- AlterTable
ALTER TABLE "Event" ADD COLUMN "arm" TEXT;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN "arm" TEXT;

-- CreateTable
CREATE TABLE "StepExposure" (
    "shop" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "stepId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "at" DATETIME NOT NULL,

    PRIMARY KEY ("runId", "stepId")
);

-- CreateTable
CREATE TABLE "ExperimentRecord" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "triggerId" TEXT,
    "flowId" TEXT,
    "stepId" TEXT,
    "startedAt" DATETIME NOT NULL,
    "endedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "winner" TEXT NOT NULL,
    "how" TEXT NOT NULL,
    "arms" JSONB NOT NULL,
    "summary" JSONB
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Trigger" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "template" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "conditions" JSONB NOT NULL,
    "segment" JSONB NOT NULL,
    "content" JSONB NOT NULL,
    "frequencyCap" JSONB NOT NULL,
    "holdoutPct" INTEGER NOT NULL DEFAULT 10,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "salt" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "reviewedAt" DATETIME,
    "variants" JSONB,
    "testStartedAt" DATETIME,
    "autoPromote" BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO "new_Trigger" ("conditions", "content", "createdAt", "enabled", "frequencyCap", "holdoutPct", "id", "name", "priority", "reviewedAt", "salt", "segment", "shop", "template", "type", "updatedAt") SELECT "conditions", "content", "createdAt", "enabled", "frequencyCap", "holdoutPct", "id", "name", "priority", "reviewedAt", "salt", "segment", "shop", "template", "type", "updatedAt" FROM "Trigger";
DROP TABLE "Trigger";
ALTER TABLE "new_Trigger" RENAME TO "Trigger";
CREATE INDEX "Trigger_shop_enabled_idx" ON "Trigger"("shop", "enabled");
CREATE TABLE "new_RecoveryStep" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "flowId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "delayMinutes" INTEGER NOT NULL,
    "subject" TEXT NOT NULL,
    "preheader" TEXT NOT NULL DEFAULT '',
    "body" JSONB NOT NULL,
    "discountPercent" INTEGER,
    "discountExpiryDays" INTEGER,
    "variants" JSONB,
    "testStartedAt" DATETIME,
    "autoPromote" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "RecoveryStep_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "RecoveryFlow" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_RecoveryStep" ("body", "delayMinutes", "discountExpiryDays", "discountPercent", "flowId", "id", "position", "preheader", "subject") SELECT "body", "delayMinutes", "discountExpiryDays", "discountPercent", "flowId", "id", "position", "preheader", "subject" FROM "RecoveryStep";
DROP TABLE "RecoveryStep";
ALTER TABLE "new_RecoveryStep" RENAME TO "RecoveryStep";
CREATE UNIQUE INDEX "RecoveryStep_flowId_position_key" ON "RecoveryStep"("flowId", "position");
CREATE TABLE "new_Exposure" (
    "shop" TEXT NOT NULL,
    "triggerId" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "arm" TEXT NOT NULL DEFAULT '',
    "tier" TEXT,
    "firstAt" DATETIME NOT NULL,
    "lastAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "triggerId", "visitorId")
);
INSERT INTO "new_Exposure" ("firstAt", "lastAt", "shop", "tier", "triggerId", "variant", "visitorId") SELECT "firstAt", "lastAt", "shop", "tier", "triggerId", "variant", "visitorId" FROM "Exposure";
DROP TABLE "Exposure";
ALTER TABLE "new_Exposure" RENAME TO "Exposure";
CREATE INDEX "Exposure_shop_firstAt_triggerId_variant_arm_idx" ON "Exposure"("shop", "firstAt", "triggerId", "variant", "arm");
CREATE INDEX "Exposure_shop_visitorId_idx" ON "Exposure"("shop", "visitorId");
CREATE INDEX "Exposure_shop_lastAt_idx" ON "Exposure"("shop", "lastAt");
CREATE TABLE "new_EventRollup" (
    "shop" TEXT NOT NULL,
    "hour" DATETIME NOT NULL,
    "triggerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "tier" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "arm" TEXT NOT NULL DEFAULT '',
    "events" INTEGER NOT NULL,

    PRIMARY KEY ("shop", "hour", "triggerId", "kind", "tier", "variant", "arm")
);
INSERT INTO "new_EventRollup" ("events", "hour", "kind", "shop", "tier", "triggerId", "variant") SELECT "events", "hour", "kind", "shop", "tier", "triggerId", "variant" FROM "EventRollup";
DROP TABLE "EventRollup";
ALTER TABLE "new_EventRollup" RENAME TO "EventRollup";
CREATE TABLE "new_Attribution" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "orderName" TEXT,
    "totalCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "source" TEXT NOT NULL,
    "triggerId" TEXT,
    "flowId" TEXT,
    "messageId" TEXT,
    "visitorId" TEXT,
    "variant" TEXT NOT NULL,
    "arm" TEXT NOT NULL DEFAULT '',
    "key" TEXT NOT NULL,
    "occurredAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_Attribution" ("createdAt", "currency", "flowId", "id", "key", "messageId", "occurredAt", "orderId", "orderName", "shop", "source", "totalCents", "triggerId", "variant", "visitorId") SELECT "createdAt", "currency", "flowId", "id", "key", "messageId", "occurredAt", "orderId", "orderName", "shop", "source", "totalCents", "triggerId", "variant", "visitorId" FROM "Attribution";
DROP TABLE "Attribution";
ALTER TABLE "new_Attribution" RENAME TO "Attribution";
CREATE INDEX "Attribution_shop_occurredAt_idx" ON "Attribution"("shop", "occurredAt");
CREATE UNIQUE INDEX "Attribution_shop_key_key" ON "Attribution"("shop", "key");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "StepExposure_shop_stepId_at_idx" ON "StepExposure"("shop", "stepId", "at");

-- CreateIndex
CREATE INDEX "ExperimentRecord_shop_endedAt_idx" ON "ExperimentRecord"("shop", "endedAt");


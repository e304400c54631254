-- DropIndex
DROP INDEX "Exposure_shop_firstAt_triggerId_variant_idx";

-- AlterTable
ALTER TABLE "Trigger" ADD COLUMN     "autoPromote" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "testStartedAt" TIMESTAMP(3),
ADD COLUMN     "variants" JSONB;

-- AlterTable
ALTER TABLE "RecoveryStep" ADD COLUMN     "autoPromote" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "testStartedAt" TIMESTAMP(3),
ADD COLUMN     "variants" JSONB;

-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "arm" TEXT;

-- AlterTable
ALTER TABLE "Exposure" ADD COLUMN     "arm" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "EventRollup" DROP CONSTRAINT "EventRollup_pkey",
ADD COLUMN     "arm" TEXT NOT NULL DEFAULT '',
ADD CONSTRAINT "EventRollup_pkey" PRIMARY KEY ("shop", "hour", "triggerId", "kind", "tier", "variant", "arm");

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "arm" TEXT;

-- AlterTable
ALTER TABLE "Attribution" ADD COLUMN     "arm" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "StepExposure" (
    "shop" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "stepId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StepExposure_pkey" PRIMARY KEY ("runId","stepId")
);

-- CreateTable
CREATE TABLE "ExperimentRecord" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "triggerId" TEXT,
    "flowId" TEXT,
    "stepId" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "winner" TEXT NOT NULL,
    "how" TEXT NOT NULL,
    "arms" JSONB NOT NULL,
    "summary" JSONB,

    CONSTRAINT "ExperimentRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "StepExposure_shop_stepId_at_idx" ON "StepExposure"("shop", "stepId", "at");

-- CreateIndex
CREATE INDEX "ExperimentRecord_shop_endedAt_idx" ON "ExperimentRecord"("shop", "endedAt");

-- CreateIndex
CREATE INDEX "Exposure_shop_firstAt_triggerId_variant_arm_idx" ON "Exposure"("shop", "firstAt", "triggerId", "variant", "arm");


-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "channelGapHours" INTEGER NOT NULL DEFAULT 4;

-- AlterTable
ALTER TABLE "FlowRun" ADD COLUMN     "budgetHolds" INTEGER NOT NULL DEFAULT 0;


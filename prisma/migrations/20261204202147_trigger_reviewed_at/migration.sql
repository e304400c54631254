-- AlterTable
ALTER TABLE "Trigger" ADD COLUMN "reviewedAt" DATETIME;


-- AlterTable
ALTER TABLE "Trigger" ADD COLUMN     "reviewedAt" TIMESTAMP(3);


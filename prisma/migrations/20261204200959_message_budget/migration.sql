-- One message budget across channels (decision 140). Columns added at the end of their tables,
-- as the schema declares them, so SQLite needs no table rebuild.
ALTER TABLE "Shop" ADD COLUMN "channelGapHours" INTEGER NOT NULL DEFAULT 4;
ALTER TABLE "FlowRun" ADD COLUMN "budgetHolds" INTEGER NOT NULL DEFAULT 0;

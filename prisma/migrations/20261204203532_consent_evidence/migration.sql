-- Double opt-in and consent evidence (decision 080). Columns added at the end of their tables,
-- as the schema declares them, so SQLite needs no table rebuild.
ALTER TABLE "Shop" ADD COLUMN "optIn" TEXT NOT NULL DEFAULT 'double';
ALTER TABLE "Contact" ADD COLUMN "consentStatus" TEXT NOT NULL DEFAULT 'none';
ALTER TABLE "Contact" ADD COLUMN "consentLevel" TEXT;
ALTER TABLE "Contact" ADD COLUMN "consentAt" DATETIME;
ALTER TABLE "Contact" ADD COLUMN "consentSource" TEXT;
ALTER TABLE "Contact" ADD COLUMN "consentText" TEXT;
ALTER TABLE "Contact" ADD COLUMN "confirmSentAt" DATETIME;

-- Contacts that consented before this change did so with a single opt-in.
UPDATE "Contact" SET "consentStatus" = 'confirmed', "consentLevel" = 'SINGLE_OPT_IN' WHERE "marketingConsent" = true;

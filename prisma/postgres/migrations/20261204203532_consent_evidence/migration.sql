-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "optIn" TEXT NOT NULL DEFAULT 'double';

-- AlterTable
ALTER TABLE "Contact" ADD COLUMN     "confirmSentAt" TIMESTAMP(3),
ADD COLUMN     "consentAt" TIMESTAMP(3),
ADD COLUMN     "consentLevel" TEXT,
ADD COLUMN     "consentSource" TEXT,
ADD COLUMN     "consentStatus" TEXT NOT NULL DEFAULT 'none',
ADD COLUMN     "consentText" TEXT;


-- Contacts that consented before this change did so with a single opt-in.
UPDATE "Contact" SET "consentStatus" = 'confirmed', "consentLevel" = 'SINGLE_OPT_IN' WHERE "marketingConsent" = true;

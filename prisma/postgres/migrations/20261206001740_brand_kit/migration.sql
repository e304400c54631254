-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "brandAccentColor" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "brandColor" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "brandLogoUrl" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "shopifyBrand" JSONB,
ADD COLUMN     "shopifyBrandAt" TIMESTAMP(3);


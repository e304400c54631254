-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Shop" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "senderName" TEXT NOT NULL DEFAULT '',
    "senderEmail" TEXT NOT NULL DEFAULT '',
    "replyTo" TEXT NOT NULL DEFAULT '',
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "quietHoursStart" INTEGER,
    "quietHoursEnd" INTEGER,
    "overlaysPerSession" INTEGER NOT NULL DEFAULT 2,
    "emailsPerWindow" INTEGER NOT NULL DEFAULT 1,
    "emailWindowHours" INTEGER NOT NULL DEFAULT 16,
    "attributionWindowDays" INTEGER NOT NULL DEFAULT 5,
    "retentionDays" INTEGER NOT NULL DEFAULT 365,
    "publishedAt" DATETIME,
    "publishedHash" TEXT,
    "publishError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "channelGapHours" INTEGER NOT NULL DEFAULT 4,
    "optIn" TEXT NOT NULL DEFAULT 'double',
    "brandLogoUrl" TEXT NOT NULL DEFAULT '',
    "brandColor" TEXT NOT NULL DEFAULT '',
    "brandAccentColor" TEXT NOT NULL DEFAULT '',
    "shopifyBrand" JSONB,
    "shopifyBrandAt" DATETIME
);
INSERT INTO "new_Shop" ("attributionWindowDays", "channelGapHours", "createdAt", "currency", "emailWindowHours", "emailsPerWindow", "installedAt", "optIn", "overlaysPerSession", "publishError", "publishedAt", "publishedHash", "quietHoursEnd", "quietHoursStart", "replyTo", "retentionDays", "senderEmail", "senderName", "shop", "timezone", "uninstalledAt", "updatedAt") SELECT "attributionWindowDays", "channelGapHours", "createdAt", "currency", "emailWindowHours", "emailsPerWindow", "installedAt", "optIn", "overlaysPerSession", "publishError", "publishedAt", "publishedHash", "quietHoursEnd", "quietHoursStart", "replyTo", "retentionDays", "senderEmail", "senderName", "shop", "timezone", "uninstalledAt", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


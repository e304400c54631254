-- CreateIndex
CREATE INDEX "WebhookDelivery_shop_outcome_receivedAt_idx" ON "WebhookDelivery"("shop", "outcome", "receivedAt");


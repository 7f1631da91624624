-- CreateIndex
CREATE INDEX "DeidUidMap_keyId_level_originalUid_idx" ON "DeidUidMap"("keyId", "level", "originalUid");


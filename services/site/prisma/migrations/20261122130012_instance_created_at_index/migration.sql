-- CreateIndex
CREATE INDEX "Instance_createdAt_idx" ON "Instance"("createdAt");


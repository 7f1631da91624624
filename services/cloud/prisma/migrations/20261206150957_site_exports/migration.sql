-- CreateTable
CREATE TABLE "QcExport" (
    "siteId" TEXT NOT NULL,
    "exportId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "formats" TEXT[],
    "taskCount" INTEGER NOT NULL,
    "fileCount" INTEGER NOT NULL,
    "bytes" BIGINT NOT NULL,
    "completedAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QcExport_pkey" PRIMARY KEY ("siteId","exportId")
);

-- CreateIndex
CREATE INDEX "QcExport_siteId_projectId_completedAt_idx" ON "QcExport"("siteId", "projectId", "completedAt");


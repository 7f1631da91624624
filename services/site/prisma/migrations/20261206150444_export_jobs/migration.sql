-- CreateTable
CREATE TABLE "Export" (
    "id" UUID NOT NULL,
    "projectRef" UUID NOT NULL,
    "taskRefs" UUID[],
    "filter" JSONB NOT NULL DEFAULT '{}',
    "formats" TEXT[],
    "variant" TEXT NOT NULL DEFAULT 'deidentified',
    "status" TEXT NOT NULL DEFAULT 'queued',
    "percent" INTEGER NOT NULL DEFAULT 0,
    "itemsDone" INTEGER NOT NULL DEFAULT 0,
    "itemsTotal" INTEGER NOT NULL DEFAULT 0,
    "currentItem" TEXT,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "objectPrefix" TEXT,
    "parts" BIGINT[],
    "size" BIGINT,
    "sha256" TEXT,
    "fileCount" INTEGER,
    "fileName" TEXT,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "Export_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Export_projectRef_createdAt_idx" ON "Export"("projectRef", "createdAt");

-- CreateIndex
CREATE INDEX "Export_status_expiresAt_idx" ON "Export"("status", "expiresAt");


-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "CloudStudy" (
    "siteId" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CloudStudy_pkey" PRIMARY KEY ("siteId","studyId")
);

-- CreateTable
CREATE TABLE "CloudSeries" (
    "siteId" TEXT NOT NULL,
    "seriesId" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "modality" TEXT NOT NULL,
    "sopClassUid" TEXT NOT NULL,
    "instanceCount" INTEGER NOT NULL,
    "frameCount" INTEGER NOT NULL,
    "rows" INTEGER,
    "columns" INTEGER,
    "sliceThicknessMm" DOUBLE PRECISION,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CloudSeries_pkey" PRIMARY KEY ("siteId","seriesId")
);

-- CreateTable
CREATE TABLE "InboxMessage" (
    "siteId" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL,
    "appliedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "body" JSONB NOT NULL,
    "sig" TEXT NOT NULL,

    CONSTRAINT "InboxMessage_pkey" PRIMARY KEY ("siteId","seq")
);

-- CreateTable
CREATE TABLE "OutboxCommand" (
    "siteId" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "body" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ackedAt" TIMESTAMP(3),
    "resultStatus" TEXT,
    "resultCode" TEXT,
    "resultAt" TIMESTAMP(3),
    "issuedBy" TEXT,

    CONSTRAINT "OutboxCommand_pkey" PRIMARY KEY ("siteId","seq")
);

-- CreateTable
CREATE TABLE "Site" (
    "id" TEXT NOT NULL,
    "orgId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "s2cAppliedSeq" BIGINT NOT NULL DEFAULT 0,
    "c2sLastSeq" BIGINT NOT NULL DEFAULT 0,
    "c2sAckedSeq" BIGINT NOT NULL DEFAULT 0,
    "lastConnectedAt" TIMESTAMP(3),
    "lastMessageAt" TIMESTAMP(3),
    "status" JSONB,
    "statusAt" TIMESTAMP(3),

    CONSTRAINT "Site_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SiteKey" (
    "kid" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "notBefore" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "notAfter" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SiteKey_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "RejectionCount" (
    "siteId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,
    "alarms" BIGINT NOT NULL DEFAULT 0,
    "lastAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RejectionCount_pkey" PRIMARY KEY ("siteId","reason")
);

-- CreateTable
CREATE TABLE "Organization" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Organization_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CloudSeries_siteId_studyId_idx" ON "CloudSeries"("siteId", "studyId");

-- CreateIndex
CREATE INDEX "InboxMessage_siteId_appliedAt_idx" ON "InboxMessage"("siteId", "appliedAt");

-- CreateIndex
CREATE INDEX "OutboxCommand_siteId_ackedAt_idx" ON "OutboxCommand"("siteId", "ackedAt");

-- CreateIndex
CREATE INDEX "Site_orgId_idx" ON "Site"("orgId");

-- CreateIndex
CREATE INDEX "SiteKey_siteId_idx" ON "SiteKey"("siteId");

-- CreateIndex
CREATE UNIQUE INDEX "Organization_slug_key" ON "Organization"("slug");

-- AddForeignKey
ALTER TABLE "CloudStudy" ADD CONSTRAINT "CloudStudy_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CloudSeries" ADD CONSTRAINT "CloudSeries_siteId_studyId_fkey" FOREIGN KEY ("siteId", "studyId") REFERENCES "CloudStudy"("siteId", "studyId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutboxCommand" ADD CONSTRAINT "OutboxCommand_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Site" ADD CONSTRAINT "Site_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SiteKey" ADD CONSTRAINT "SiteKey_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- CreateTable
CREATE TABLE "QcTask" (
    "siteId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "studyId" TEXT NOT NULL,
    "seriesIds" TEXT[],
    "status" TEXT NOT NULL,
    "assigneeIds" TEXT[],
    "labelIds" TEXT[],
    "isGold" BOOLEAN NOT NULL,
    "revision" BIGINT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "metricsRevision" BIGINT,
    "metricsAt" TIMESTAMP(3),
    "agreement" DOUBLE PRECISION,
    "minDice" DOUBLE PRECISION,
    "minKappa" DOUBLE PRECISION,
    "maxHd95Mm" DOUBLE PRECISION,
    "minAnnotatorScore" DOUBLE PRECISION,
    "annotatorCount" INTEGER NOT NULL DEFAULT 0,
    "flags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "finalizedAt" TIMESTAMP(3),
    "finalMethod" TEXT,
    "finalAnnotatorId" TEXT,

    CONSTRAINT "QcTask_pkey" PRIMARY KEY ("siteId","taskId")
);

-- CreateTable
CREATE TABLE "QcTaskLabel" (
    "siteId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "labelId" TEXT NOT NULL,
    "dice" DOUBLE PRECISION,
    "iou" DOUBLE PRECISION,
    "hd95Mm" DOUBLE PRECISION,
    "f1" DOUBLE PRECISION,
    "kappa" DOUBLE PRECISION,
    "agreement" DOUBLE PRECISION,
    "metrics" JSONB NOT NULL,

    CONSTRAINT "QcTaskLabel_pkey" PRIMARY KEY ("siteId","taskId","labelId")
);

-- CreateTable
CREATE TABLE "QcMetricEvent" (
    "siteId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "revision" BIGINT NOT NULL,
    "projectId" TEXT NOT NULL,
    "labels" JSONB NOT NULL,
    "annotators" JSONB NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QcMetricEvent_pkey" PRIMARY KEY ("siteId","taskId","revision")
);

-- CreateTable
CREATE TABLE "QcAnnotatorScore" (
    "siteId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "revision" BIGINT NOT NULL,
    "projectId" TEXT NOT NULL,
    "annotatorId" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "dice" DOUBLE PRECISION,
    "f1" DOUBLE PRECISION,
    "accuracy" DOUBLE PRECISION,
    "stapleSensitivity" DOUBLE PRECISION,
    "stapleSpecificity" DOUBLE PRECISION,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "QcAnnotatorScore_pkey" PRIMARY KEY ("siteId","taskId","revision","annotatorId")
);

-- CreateTable
CREATE TABLE "QcTaskEvent" (
    "siteId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "revision" BIGINT NOT NULL,
    "projectId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "QcTaskEvent_pkey" PRIMARY KEY ("siteId","taskId","revision")
);

-- CreateTable
CREATE TABLE "QcLabelSet" (
    "siteId" TEXT NOT NULL,
    "annotationSetId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "annotatorId" TEXT,
    "labelIds" TEXT[],
    "finalizedAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QcLabelSet_pkey" PRIMARY KEY ("siteId","annotationSetId")
);

-- CreateTable
CREATE TABLE "QcDecision" (
    "id" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "taskRevision" BIGINT NOT NULL,
    "verdict" TEXT NOT NULL,
    "annotatorId" TEXT,
    "comment" TEXT,
    "decidedBy" TEXT NOT NULL,
    "decidedByName" TEXT NOT NULL,
    "bulkId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "commandSeq" BIGINT NOT NULL,

    CONSTRAINT "QcDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "QcProjectSettings" (
    "siteId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "consensusSize" INTEGER NOT NULL,
    "goldRate" DOUBLE PRECISION NOT NULL,
    "diceBelow" DOUBLE PRECISION,
    "kappaBelow" DOUBLE PRECISION,
    "hd95MmAbove" DOUBLE PRECISION,
    "annotatorScoreBelow" DOUBLE PRECISION,
    "setBy" TEXT NOT NULL,
    "setByName" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "commandSeq" BIGINT NOT NULL,

    CONSTRAINT "QcProjectSettings_pkey" PRIMARY KEY ("siteId","projectId","revision")
);

-- CreateIndex
CREATE INDEX "QcTask_siteId_projectId_status_idx" ON "QcTask"("siteId", "projectId", "status");

-- CreateIndex
CREATE INDEX "QcTask_siteId_projectId_agreement_idx" ON "QcTask"("siteId", "projectId", "agreement");

-- CreateIndex
CREATE INDEX "QcTask_projectId_agreement_idx" ON "QcTask"("projectId", "agreement");

-- CreateIndex
CREATE INDEX "QcTask_updatedAt_idx" ON "QcTask"("updatedAt");

-- CreateIndex
CREATE INDEX "QcTask_flags_idx" ON "QcTask" USING GIN ("flags");

-- CreateIndex
CREATE INDEX "QcTaskLabel_siteId_projectId_labelId_agreement_idx" ON "QcTaskLabel"("siteId", "projectId", "labelId", "agreement");

-- CreateIndex
CREATE INDEX "QcTaskLabel_labelId_dice_idx" ON "QcTaskLabel"("labelId", "dice");

-- CreateIndex
CREATE INDEX "QcTaskLabel_labelId_kappa_idx" ON "QcTaskLabel"("labelId", "kappa");

-- CreateIndex
CREATE INDEX "QcMetricEvent_siteId_projectId_sentAt_idx" ON "QcMetricEvent"("siteId", "projectId", "sentAt");

-- CreateIndex
CREATE INDEX "QcAnnotatorScore_siteId_projectId_annotatorId_at_idx" ON "QcAnnotatorScore"("siteId", "projectId", "annotatorId", "at");

-- CreateIndex
CREATE INDEX "QcAnnotatorScore_siteId_projectId_at_idx" ON "QcAnnotatorScore"("siteId", "projectId", "at");

-- CreateIndex
CREATE INDEX "QcTaskEvent_siteId_projectId_at_idx" ON "QcTaskEvent"("siteId", "projectId", "at");

-- CreateIndex
CREATE INDEX "QcLabelSet_siteId_taskId_idx" ON "QcLabelSet"("siteId", "taskId");

-- CreateIndex
CREATE INDEX "QcDecision_siteId_taskId_createdAt_idx" ON "QcDecision"("siteId", "taskId", "createdAt");

-- CreateIndex
CREATE INDEX "QcDecision_siteId_projectId_createdAt_idx" ON "QcDecision"("siteId", "projectId", "createdAt");

-- CreateIndex
CREATE INDEX "QcDecision_createdAt_idx" ON "QcDecision"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "QcDecision_siteId_commandSeq_key" ON "QcDecision"("siteId", "commandSeq");

-- AddForeignKey
ALTER TABLE "QcTaskLabel" ADD CONSTRAINT "QcTaskLabel_siteId_taskId_fkey" FOREIGN KEY ("siteId", "taskId") REFERENCES "QcTask"("siteId", "taskId") ON DELETE CASCADE ON UPDATE CASCADE;


-- CreateTable
CREATE TABLE "SyncOutbox" (
    "id" BIGSERIAL NOT NULL,
    "seq" BIGINT,
    "type" TEXT NOT NULL,
    "body" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ackedAt" TIMESTAMP(3),

    CONSTRAINT "SyncOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncState" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "s2cAssignedSeq" BIGINT NOT NULL DEFAULT 0,
    "s2cAckedSeq" BIGINT NOT NULL DEFAULT 0,
    "c2sAppliedSeq" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SyncState_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncInbox" (
    "seq" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL,
    "appliedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL,
    "code" TEXT,

    CONSTRAINT "SyncInbox_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "SyncStudyAnnouncement" (
    "studyRef" UUID NOT NULL,
    "studyPseudonym" TEXT NOT NULL,
    "studyUpdatedAt" TIMESTAMP(3) NOT NULL,
    "announcedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SyncStudyAnnouncement_pkey" PRIMARY KEY ("studyRef")
);

-- CreateIndex
CREATE UNIQUE INDEX "SyncOutbox_seq_key" ON "SyncOutbox"("seq");

-- CreateIndex
CREATE INDEX "SyncOutbox_ackedAt_seq_idx" ON "SyncOutbox"("ackedAt", "seq");

-- CreateIndex
CREATE INDEX "SyncStudyAnnouncement_studyPseudonym_idx" ON "SyncStudyAnnouncement"("studyPseudonym");


-- The sequencer looks for outbox rows without a seq, oldest first.
CREATE INDEX "SyncOutbox_unassigned_idx" ON "SyncOutbox"("id") WHERE "seq" IS NULL;

-- The single state row the agent locks and updates.
INSERT INTO "SyncState" ("id", "updatedAt") VALUES (1, CURRENT_TIMESTAMP) ON CONFLICT DO NOTHING;

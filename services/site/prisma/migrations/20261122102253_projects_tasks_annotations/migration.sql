-- CreateTable
CREATE TABLE "Project" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "taskScope" TEXT NOT NULL DEFAULT 'study',
    "consensusSize" INTEGER NOT NULL DEFAULT 3,
    "goldRate" DOUBLE PRECISION NOT NULL DEFAULT 0.1,
    "goldWarmup" INTEGER NOT NULL DEFAULT 1,
    "reviewStage" BOOLEAN NOT NULL DEFAULT false,
    "leaseSeconds" INTEGER NOT NULL DEFAULT 3600,
    "routingRules" JSONB NOT NULL DEFAULT '[]',
    "flagThresholds" JSONB NOT NULL DEFAULT '{}',
    "settingsRevision" INTEGER NOT NULL DEFAULT 0,
    "currentVersion" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InstructionsVersion" (
    "id" UUID NOT NULL,
    "projectRef" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "instructions" JSONB NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InstructionsVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Task" (
    "id" UUID NOT NULL,
    "projectRef" UUID NOT NULL,
    "studyRef" UUID NOT NULL,
    "seriesRef" UUID,
    "scopeKey" TEXT NOT NULL,
    "isGold" BOOLEAN NOT NULL DEFAULT false,
    "goldDoc" JSONB,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "instructionsVersion" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Assignment" (
    "id" UUID NOT NULL,
    "taskRef" UUID NOT NULL,
    "annotator" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "leaseExpiresAt" TIMESTAMP(3) NOT NULL,
    "claimedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "submittedAt" TIMESTAMP(3),
    "activeSeconds" INTEGER NOT NULL DEFAULT 0,
    "revision" INTEGER NOT NULL DEFAULT 0,
    "reworkComment" TEXT,
    "instructionsVersion" INTEGER NOT NULL,

    CONSTRAINT "Assignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AnnotationRevision" (
    "id" UUID NOT NULL,
    "assignmentRef" UUID NOT NULL,
    "revision" INTEGER NOT NULL,
    "clientRevisionId" TEXT NOT NULL,
    "doc" JSONB NOT NULL,
    "activeSeconds" INTEGER NOT NULL DEFAULT 0,
    "savedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AnnotationRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "QualityResult" (
    "taskRef" UUID NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "annotators" TEXT[],
    "summary" JSONB NOT NULL,
    "consensusDoc" JSONB NOT NULL,
    "consensusMethod" TEXT NOT NULL,
    "flags" TEXT[],

    CONSTRAINT "QualityResult_pkey" PRIMARY KEY ("taskRef")
);

-- CreateTable
CREATE TABLE "QcDecision" (
    "id" UUID NOT NULL,
    "decisionId" TEXT NOT NULL,
    "taskRef" UUID NOT NULL,
    "verdict" JSONB NOT NULL,
    "outcome" TEXT NOT NULL,
    "appliedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QcDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LabelSet" (
    "taskRef" UUID NOT NULL,
    "method" TEXT NOT NULL,
    "annotator" TEXT,
    "doc" JSONB NOT NULL,
    "decisionId" TEXT,
    "finalizedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LabelSet_pkey" PRIMARY KEY ("taskRef")
);

-- CreateIndex
CREATE UNIQUE INDEX "Project_slug_key" ON "Project"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "InstructionsVersion_projectRef_version_key" ON "InstructionsVersion"("projectRef", "version");

-- CreateIndex
CREATE INDEX "Task_projectRef_status_priority_idx" ON "Task"("projectRef", "status", "priority");

-- CreateIndex
CREATE UNIQUE INDEX "Task_projectRef_scopeKey_key" ON "Task"("projectRef", "scopeKey");

-- CreateIndex
CREATE INDEX "Assignment_annotator_status_idx" ON "Assignment"("annotator", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Assignment_taskRef_annotator_key" ON "Assignment"("taskRef", "annotator");

-- CreateIndex
CREATE UNIQUE INDEX "AnnotationRevision_assignmentRef_revision_key" ON "AnnotationRevision"("assignmentRef", "revision");

-- CreateIndex
CREATE UNIQUE INDEX "AnnotationRevision_assignmentRef_clientRevisionId_key" ON "AnnotationRevision"("assignmentRef", "clientRevisionId");

-- CreateIndex
CREATE UNIQUE INDEX "QcDecision_decisionId_key" ON "QcDecision"("decisionId");

-- AddForeignKey
ALTER TABLE "InstructionsVersion" ADD CONSTRAINT "InstructionsVersion_projectRef_fkey" FOREIGN KEY ("projectRef") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_projectRef_fkey" FOREIGN KEY ("projectRef") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Assignment" ADD CONSTRAINT "Assignment_taskRef_fkey" FOREIGN KEY ("taskRef") REFERENCES "Task"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnnotationRevision" ADD CONSTRAINT "AnnotationRevision_assignmentRef_fkey" FOREIGN KEY ("assignmentRef") REFERENCES "Assignment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QualityResult" ADD CONSTRAINT "QualityResult_taskRef_fkey" FOREIGN KEY ("taskRef") REFERENCES "Task"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabelSet" ADD CONSTRAINT "LabelSet_taskRef_fkey" FOREIGN KEY ("taskRef") REFERENCES "Task"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- CreateTable
CREATE TABLE "Upload" (
    "id" UUID NOT NULL,
    "createdBy" TEXT NOT NULL,
    "projectId" TEXT,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "errorCode" TEXT,
    "bytesReceived" BIGINT NOT NULL DEFAULT 0,
    "totalEntries" INTEGER NOT NULL DEFAULT 0,
    "processedEntries" INTEGER NOT NULL DEFAULT 0,
    "stored" INTEGER NOT NULL DEFAULT 0,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "conflicts" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Upload_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UploadFile" (
    "id" UUID NOT NULL,
    "uploadRef" UUID NOT NULL,
    "entryIndex" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "size" BIGINT,
    "outcome" TEXT NOT NULL,
    "instanceRef" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UploadFile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StudyProject" (
    "studyRef" UUID NOT NULL,
    "projectId" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StudyProject_pkey" PRIMARY KEY ("studyRef","projectId")
);

-- CreateIndex
CREATE INDEX "Upload_createdBy_createdAt_idx" ON "Upload"("createdBy", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "UploadFile_uploadRef_entryIndex_key" ON "UploadFile"("uploadRef", "entryIndex");

-- CreateIndex
CREATE INDEX "StudyProject_projectId_idx" ON "StudyProject"("projectId");

-- AddForeignKey
ALTER TABLE "UploadFile" ADD CONSTRAINT "UploadFile_uploadRef_fkey" FOREIGN KEY ("uploadRef") REFERENCES "Upload"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-added (the model has no relation so dicom-index.prisma stays untouched): a routed study's
-- project links go when the study goes.
ALTER TABLE "StudyProject" ADD CONSTRAINT "StudyProject_studyRef_fkey" FOREIGN KEY ("studyRef") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

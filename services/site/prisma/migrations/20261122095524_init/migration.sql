-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "roles" TEXT[],
    "action" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "address" TEXT,
    "detail" JSONB,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Patient" (
    "id" UUID NOT NULL,
    "patientKey" TEXT NOT NULL,
    "patientId" TEXT,
    "issuer" TEXT,
    "patientName" TEXT,
    "birthDate" TEXT,
    "sex" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Patient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Study" (
    "id" UUID NOT NULL,
    "studyInstanceUid" TEXT NOT NULL,
    "patientRef" UUID NOT NULL,
    "studyDate" TEXT,
    "studyTime" TEXT,
    "accessionNumber" TEXT,
    "studyId" TEXT,
    "studyDescription" TEXT,
    "referringPhysician" TEXT,
    "attributes" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Study_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Series" (
    "id" UUID NOT NULL,
    "seriesInstanceUid" TEXT NOT NULL,
    "studyRef" UUID NOT NULL,
    "modality" TEXT,
    "seriesNumber" INTEGER,
    "seriesDescription" TEXT,
    "bodyPartExamined" TEXT,
    "attributes" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Series_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Instance" (
    "id" UUID NOT NULL,
    "sopInstanceUid" TEXT NOT NULL,
    "seriesRef" UUID NOT NULL,
    "sopClassUid" TEXT NOT NULL,
    "transferSyntaxUid" TEXT NOT NULL,
    "instanceNumber" INTEGER,
    "rows" INTEGER,
    "columns" INTEGER,
    "numberOfFrames" INTEGER NOT NULL DEFAULT 1,
    "objectKey" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "metadata" JSONB NOT NULL,
    "pixelData" JSONB,
    "receivedVia" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Instance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IngestConflict" (
    "id" UUID NOT NULL,
    "sopInstanceUid" TEXT NOT NULL,
    "existingSha256" TEXT NOT NULL,
    "newSha256" TEXT NOT NULL,
    "objectKey" TEXT NOT NULL,
    "receivedVia" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IngestConflict_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PendingObject" (
    "objectKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PendingObject_pkey" PRIMARY KEY ("objectKey")
);

-- CreateTable
CREATE TABLE "AeRoute" (
    "id" UUID NOT NULL,
    "calledAe" TEXT NOT NULL,
    "callingAe" TEXT NOT NULL DEFAULT '*',
    "projectId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AeRoute_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_actor_idx" ON "AuditEvent"("actor");

-- CreateIndex
CREATE UNIQUE INDEX "Patient_patientKey_key" ON "Patient"("patientKey");

-- CreateIndex
CREATE UNIQUE INDEX "Study_studyInstanceUid_key" ON "Study"("studyInstanceUid");

-- CreateIndex
CREATE INDEX "Study_studyDate_idx" ON "Study"("studyDate");

-- CreateIndex
CREATE INDEX "Study_accessionNumber_idx" ON "Study"("accessionNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Series_seriesInstanceUid_key" ON "Series"("seriesInstanceUid");

-- CreateIndex
CREATE INDEX "Series_studyRef_idx" ON "Series"("studyRef");

-- CreateIndex
CREATE INDEX "Series_modality_idx" ON "Series"("modality");

-- CreateIndex
CREATE UNIQUE INDEX "Instance_sopInstanceUid_key" ON "Instance"("sopInstanceUid");

-- CreateIndex
CREATE UNIQUE INDEX "Instance_objectKey_key" ON "Instance"("objectKey");

-- CreateIndex
CREATE INDEX "Instance_seriesRef_instanceNumber_idx" ON "Instance"("seriesRef", "instanceNumber");

-- CreateIndex
CREATE UNIQUE INDEX "IngestConflict_objectKey_key" ON "IngestConflict"("objectKey");

-- CreateIndex
CREATE INDEX "IngestConflict_sopInstanceUid_idx" ON "IngestConflict"("sopInstanceUid");

-- CreateIndex
CREATE UNIQUE INDEX "AeRoute_calledAe_callingAe_key" ON "AeRoute"("calledAe", "callingAe");

-- AddForeignKey
ALTER TABLE "Study" ADD CONSTRAINT "Study_patientRef_fkey" FOREIGN KEY ("patientRef") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Series" ADD CONSTRAINT "Series_studyRef_fkey" FOREIGN KEY ("studyRef") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_seriesRef_fkey" FOREIGN KEY ("seriesRef") REFERENCES "Series"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Audit log is append-only: refuse UPDATE and DELETE at the database, not just in code.
-- (the escape x3b is a semicolon: the JS migration runner splits statements on every semicolon)
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql
  AS E'BEGIN RAISE EXCEPTION ''AuditEvent is append-only'' USING ERRCODE = ''insufficient_privilege''\x3b END\x3b';
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();

-- AlterTable
ALTER TABLE "QcTaskLabel" ADD COLUMN     "pairwise" JSONB;

-- AlterTable
ALTER TABLE "QcAnnotatorScore" ADD COLUMN     "activeSeconds" INTEGER,
ADD COLUMN     "revisionCount" INTEGER,
ADD COLUMN     "reworkCount" INTEGER;

-- AlterTable
ALTER TABLE "QcProjectSettings" ADD COLUMN     "timeOutlierFactor" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "QcAnnotatorProfile" (
    "siteId" TEXT NOT NULL,
    "annotatorId" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QcAnnotatorProfile_pkey" PRIMARY KEY ("siteId","annotatorId")
);


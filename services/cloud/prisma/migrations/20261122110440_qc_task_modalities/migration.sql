-- AlterTable
ALTER TABLE "QcTask" ADD COLUMN     "modalities" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "QcTask_modalities_idx" ON "QcTask" USING GIN ("modalities");


-- AlterTable
ALTER TABLE "Task" ADD COLUMN     "cloudId" TEXT NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Task_cloudId_key" ON "Task"("cloudId");


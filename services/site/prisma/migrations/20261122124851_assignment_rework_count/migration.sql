-- AlterTable
ALTER TABLE "Assignment" ADD COLUMN     "reworkCount" INTEGER NOT NULL DEFAULT 0;


-- AlterTable
ALTER TABLE "QcAnnotatorScore" ADD COLUMN     "isGold" BOOLEAN,
ADD COLUMN     "latest" BOOLEAN NOT NULL DEFAULT false;


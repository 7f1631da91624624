-- AlterTable
ALTER TABLE "QcTypicalTime" ADD COLUMN     "flaggedMedianSeconds" DOUBLE PRECISION;


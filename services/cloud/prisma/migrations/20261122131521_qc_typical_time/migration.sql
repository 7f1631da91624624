-- CreateTable
CREATE TABLE "QcTypicalTime" (
    "siteId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "medianSeconds" DOUBLE PRECISION NOT NULL,
    "samples" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QcTypicalTime_pkey" PRIMARY KEY ("siteId","projectId","kind")
);


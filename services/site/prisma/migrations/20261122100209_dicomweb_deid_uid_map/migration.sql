-- CreateTable
CREATE TABLE "DeidUidMap" (
    "keyId" TEXT NOT NULL,
    "deidUid" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "originalUid" TEXT NOT NULL,

    CONSTRAINT "DeidUidMap_pkey" PRIMARY KEY ("keyId","deidUid")
);


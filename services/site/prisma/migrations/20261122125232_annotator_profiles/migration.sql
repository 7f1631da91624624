-- CreateTable
CREATE TABLE "AnnotatorProfile" (
    "subject" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AnnotatorProfile_pkey" PRIMARY KEY ("subject")
);


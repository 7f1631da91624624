-- CreateTable
CREATE TABLE "PseudonymMap" (
    "keyId" TEXT NOT NULL,
    "pseudonym" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "scope" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "PseudonymMap_pkey" PRIMARY KEY ("keyId","pseudonym")
);

-- CreateTable
CREATE TABLE "PixelMaskTemplate" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "manufacturer" TEXT,
    "model" TEXT,
    "rows" INTEGER NOT NULL,
    "columns" INTEGER NOT NULL,
    "rects" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PixelMaskTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PixelMaskingSetting" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PixelMaskingSetting_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PseudonymMap_keyId_kind_value_idx" ON "PseudonymMap"("keyId", "kind", "value");

-- CreateIndex
CREATE UNIQUE INDEX "PixelMaskTemplate_name_key" ON "PixelMaskTemplate"("name");


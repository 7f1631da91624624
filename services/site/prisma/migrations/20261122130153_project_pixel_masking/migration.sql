-- CreateTable
CREATE TABLE "ProjectPixelMasking" (
    "projectId" UUID NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProjectPixelMasking_pkey" PRIMARY KEY ("projectId")
);

-- CreateTable
CREATE TABLE "ProjectMaskTemplate" (
    "projectId" UUID NOT NULL,
    "templateRef" UUID NOT NULL,

    CONSTRAINT "ProjectMaskTemplate_pkey" PRIMARY KEY ("projectId","templateRef")
);

-- CreateIndex
CREATE INDEX "ProjectMaskTemplate_templateRef_idx" ON "ProjectMaskTemplate"("templateRef");

-- AddForeignKey
ALTER TABLE "ProjectMaskTemplate" ADD CONSTRAINT "ProjectMaskTemplate_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "ProjectPixelMasking"("projectId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProjectMaskTemplate" ADD CONSTRAINT "ProjectMaskTemplate_templateRef_fkey" FOREIGN KEY ("templateRef") REFERENCES "PixelMaskTemplate"("id") ON DELETE CASCADE ON UPDATE CASCADE;


import type { MaskTemplate } from '@annex/dicom';
import type { PrismaClient } from '../../db.ts';

export interface StoredMaskTemplate extends MaskTemplate {
  id: string;
}

export interface PixelMaskingPolicy {
  enabled: boolean;
  templates: MaskTemplate[];
}

const toTemplate = (r: {
  id: string;
  name: string;
  manufacturer: string | null;
  model: string | null;
  rows: number;
  columns: number;
  rects: unknown;
}): StoredMaskTemplate => ({
  id: r.id,
  name: r.name,
  ...(r.manufacturer ? { manufacturer: r.manufacturer } : {}),
  ...(r.model ? { model: r.model } : {}),
  rows: r.rows,
  columns: r.columns,
  rects: r.rects as MaskTemplate['rects'],
});

const data = (t: MaskTemplate) => ({
  name: t.name,
  manufacturer: t.manufacturer ?? null,
  model: t.model ?? null,
  rows: t.rows,
  columns: t.columns,
  rects: t.rects,
});

/** Mask templates and the site-wide switch that lets burned-in-risk images reach annotators masked. */
export function createMaskTemplateRepository(prisma: PrismaClient) {
  return {
    list: async () => (await prisma.pixelMaskTemplate.findMany({ orderBy: { name: 'asc' } })).map(toTemplate),
    create: async (t: MaskTemplate) => toTemplate(await prisma.pixelMaskTemplate.create({ data: data(t) })),
    /** undefined when there is no such template. */
    update: async (id: string, t: MaskTemplate) => {
      const { count } = await prisma.pixelMaskTemplate.updateMany({ where: { id }, data: data(t) });
      return count ? toTemplate((await prisma.pixelMaskTemplate.findUnique({ where: { id } }))!) : undefined;
    },
    remove: async (id: string) => (await prisma.pixelMaskTemplate.deleteMany({ where: { id } })).count > 0,
    enabled: async () =>
      (await prisma.pixelMaskingSetting.findUnique({ where: { id: 1 } }))?.enabled ?? false,
    setEnabled: (enabled: boolean, by: string) =>
      prisma.pixelMaskingSetting.upsert({
        where: { id: 1 },
        create: { id: 1, enabled, updatedBy: by },
        update: { enabled, updatedBy: by },
      }),
    async policy(): Promise<PixelMaskingPolicy> {
      const [enabled, templates] = await Promise.all([this.enabled(), this.list()]);
      return { enabled, templates: templates.map(({ id: _id, ...t }) => t) };
    },
  };
}

export type MaskTemplateRepository = ReturnType<typeof createMaskTemplateRepository>;

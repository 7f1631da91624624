import type { MaskTemplate } from '@annex/dicom';
import type { PrismaClient } from '../../db.ts';

export interface StoredMaskTemplate extends MaskTemplate {
  id: string;
}

export interface PixelMaskingPolicy {
  enabled: boolean;
  templates: MaskTemplate[];
}

/** A project's own policy: its switch and exactly which library templates apply in its DICOMweb root. */
export interface ProjectMaskingSetting {
  enabled: boolean;
  templateIds: string[];
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

    /** Every project that overrides the site's policy, with its templates (in name order, first fit wins). */
    async projectPolicies(): Promise<Map<string, PixelMaskingPolicy>> {
      const rows = await prisma.projectPixelMasking.findMany({
        include: { templates: { include: { template: true } } },
      });
      return new Map(
        rows.map((r) => [
          r.projectId,
          {
            enabled: r.enabled,
            templates: r.templates
              .map((t) => toTemplate(t.template))
              .sort((a, b) => a.name.localeCompare(b.name))
              .map(({ id: _id, ...t }) => t),
          },
        ]),
      );
    },
    /** undefined when the project follows the site's policy. */
    async projectSetting(projectId: string): Promise<ProjectMaskingSetting | undefined> {
      const row = await prisma.projectPixelMasking.findUnique({
        where: { projectId },
        include: { templates: { select: { templateRef: true } } },
      });
      return row
        ? { enabled: row.enabled, templateIds: row.templates.map((t) => t.templateRef).sort() }
        : undefined;
    },
    setProjectSetting: (projectId: string, setting: ProjectMaskingSetting, by: string) =>
      prisma.$transaction([
        prisma.projectPixelMasking.upsert({
          where: { projectId },
          create: { projectId, enabled: setting.enabled, updatedBy: by },
          update: { enabled: setting.enabled, updatedBy: by },
        }),
        prisma.projectMaskTemplate.deleteMany({ where: { projectId } }),
        prisma.projectMaskTemplate.createMany({
          data: setting.templateIds.map((templateRef) => ({ projectId, templateRef })),
        }),
      ]),
    clearProjectSetting: async (projectId: string) =>
      (await prisma.projectPixelMasking.deleteMany({ where: { projectId } })).count > 0,
    /** Which of these template ids exist. */
    async existingIds(ids: string[]): Promise<Set<string>> {
      const rows = await prisma.pixelMaskTemplate.findMany({
        where: { id: { in: ids } },
        select: { id: true },
      });
      return new Set(rows.map((r) => r.id));
    },
    projectExists: async (projectId: string) =>
      (await prisma.project.count({ where: { id: projectId } })) > 0,
  };
}

export type MaskTemplateRepository = ReturnType<typeof createMaskTemplateRepository>;

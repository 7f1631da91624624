import type { Db } from '../../db.ts';
import { DEFAULT_THRESHOLDS, type FlagThresholds } from './task-summary.ts';

type SettingsRow = Awaited<ReturnType<typeof latestSettings>>;

const thresholdsOf = (row: NonNullable<SettingsRow>): FlagThresholds => ({
  diceBelow: row.diceBelow ?? undefined,
  kappaBelow: row.kappaBelow ?? undefined,
  hd95MmAbove: row.hd95MmAbove ?? undefined,
  annotatorScoreBelow: row.annotatorScoreBelow ?? undefined,
  timeOutlierFactor: row.timeOutlierFactor ?? undefined,
});

export const latestSettings = (db: Db, siteId: string, projectId: string) =>
  db.qcProjectSettings.findFirst({ where: { siteId, projectId }, orderBy: { revision: 'desc' } });

export const settingsHistory = (db: Db, siteId: string, projectId: string, take = 50) =>
  db.qcProjectSettings.findMany({ where: { siteId, projectId }, orderBy: { revision: 'desc' }, take });

/**
 * The thresholds that flag tasks of these projects: the newest settings the cloud issued (flags
 * are the cloud's view, so they follow a change at once), else the defaults.
 */
export async function currentThresholds(
  db: Db,
  siteId: string,
  projectIds: string[],
): Promise<(projectId: string) => FlagThresholds> {
  const rows = await db.qcProjectSettings.findMany({
    where: { siteId, projectId: { in: projectIds } },
    orderBy: [{ projectId: 'asc' }, { revision: 'desc' }],
    distinct: ['projectId'],
  });
  const map = new Map(rows.map((r) => [r.projectId, thresholdsOf(r)]));
  return (projectId) => map.get(projectId) ?? DEFAULT_THRESHOLDS;
}

export interface NewSettings {
  consensusSize: number;
  goldRate: number;
  flagThresholds: FlagThresholds;
}

export async function insertSettings(
  db: Db,
  row: {
    siteId: string;
    projectId: string;
    revision: number;
    setBy: string;
    setByName: string;
    commandSeq: number;
  },
  s: NewSettings,
) {
  return db.qcProjectSettings.create({
    data: {
      ...row,
      commandSeq: BigInt(row.commandSeq),
      consensusSize: s.consensusSize,
      goldRate: s.goldRate,
      diceBelow: s.flagThresholds.diceBelow ?? null,
      kappaBelow: s.flagThresholds.kappaBelow ?? null,
      hd95MmAbove: s.flagThresholds.hd95MmAbove ?? null,
      annotatorScoreBelow: s.flagThresholds.annotatorScoreBelow ?? null,
      timeOutlierFactor: s.flagThresholds.timeOutlierFactor ?? null,
    },
  });
}

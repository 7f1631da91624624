import { JobName } from '../../jobs/names.ts';
import type { Queues } from '../../jobs/queues.ts';

export interface SeriesFollowUp {
  /** Notes that a series got a new instance; at most one job per series per window is enqueued. */
  touch(seriesId: string): Promise<void>;
}

export interface FollowUpLogger {
  warn(obj: object, msg: string): void;
}

/**
 * Debounced per-series follow-up. The first instance of a series in a window enqueues one delayed
 * job right away (so a crash loses nothing); later instances in the window cost no Redis call.
 * BullMQ deduplication keyed by the series' database id (never a UID) covers other processes; a
 * job already running keeps one successor so late instances are still seen.
 */
export function createSeriesFollowUp(queues: Queues, log: FollowUpLogger, windowMs = 2000): SeriesFollowUp {
  const recent = new Map<string, number>();
  return {
    async touch(seriesId) {
      const now = Date.now();
      if ((recent.get(seriesId) ?? 0) > now) return;
      if (recent.size > 10_000) for (const [id, until] of recent) if (until <= now) recent.delete(id);
      recent.set(seriesId, now + windowMs);
      try {
        await queues.enqueue(
          JobName.SeriesIndexed,
          { seriesId },
          {
            delay: windowMs,
            deduplication: { id: `${JobName.SeriesIndexed}:${seriesId}`, keepLastIfActive: true },
          },
        );
      } catch (error) {
        // The instance is indexed either way; the next instance of the series tries again.
        recent.delete(seriesId);
        log.warn({ err: error, seriesId }, 'could not enqueue series follow-up');
      }
    },
  };
}

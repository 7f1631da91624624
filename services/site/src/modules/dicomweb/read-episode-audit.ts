/** Records one audit event; resolves once it is durably written. */
export type AuditWrite = (
  resource: string,
  detail: Record<string, string | number | boolean>,
) => Promise<void>;

interface Episode {
  key: string;
  openedAt: number;
  repeats: number;
  instances: Set<string>;
  write: AuditWrite;
  timer: NodeJS.Timeout | undefined;
  /** The episode's first event: every read of the episode waits for it, so nothing is served unaudited. */
  opened: Promise<void>;
}

/**
 * Audits reads of one study's PHI (metadata, instances, frames, rendered, bulk data) per viewing episode
 * instead of per HTTP request: a viewer scrolling a 300-slice series makes 300 frame requests, and 300
 * fsync'd audit rows would cost more than serving the frames. The FIRST read of a study by a user opens an
 * episode whose event is written, and every read of the episode waits for that write before anything is
 * served (if it fails, they fail and the next read tries again). Further reads within the window are counted
 * and written as one summary event when the window closes (or at shutdown). The log keeps who, which study,
 * when, from where, and how many further reads followed.
 */
export class ReadEpisodeAudit {
  private readonly episodes = new Map<string, Episode>();

  constructor(private readonly windowMs = 60_000) {}

  async record(
    actor: string,
    studyId: string,
    instanceId: string,
    what: string,
    write: AuditWrite,
  ): Promise<void> {
    const key = `${actor}\0${studyId}\0${what}`;
    const now = Date.now();
    const current = this.episodes.get(key);
    if (current && now - current.openedAt < this.windowMs) {
      current.repeats++;
      if (instanceId) current.instances.add(instanceId);
      current.timer ??= setTimeout(
        () => void this.close(current),
        this.windowMs - (now - current.openedAt),
      ).unref();
      return current.opened;
    }
    // The summary of an expired episode is not needed to serve this read: write it on the side.
    if (current) void this.close(current).catch(() => undefined);
    const opened = write(`study:${studyId}`, instanceId ? { what, instance: instanceId } : { what });
    const episode: Episode = {
      key,
      openedAt: now,
      repeats: 0,
      instances: new Set(),
      write,
      timer: undefined,
      opened,
    };
    this.episodes.set(key, episode);
    try {
      await opened;
    } catch (error) {
      if (this.episodes.get(key) === episode) this.episodes.delete(key);
      throw error;
    }
  }

  private async close(episode: Episode): Promise<void> {
    if (this.episodes.get(episode.key) === episode) this.episodes.delete(episode.key);
    if (episode.timer) clearTimeout(episode.timer);
    episode.timer = undefined;
    const repeats = episode.repeats;
    episode.repeats = 0;
    if (repeats === 0) return;
    const [, studyId, what] = episode.key.split('\0');
    await episode.write(`study:${studyId}`, {
      what: `${what}:repeated`,
      repeats,
      instances: episode.instances.size,
      since: new Date(episode.openedAt).toISOString(),
    });
  }

  /** Writes every open episode's summary (app shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.episodes.values()].map((episode) => this.close(episode)));
  }
}

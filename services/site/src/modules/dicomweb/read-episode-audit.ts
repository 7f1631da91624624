/** Records one audit event; resolves once it is durably written. */
export type AuditWrite = (
  resource: string,
  detail: Record<string, string | number | boolean>,
) => Promise<void>;

interface Episode {
  openedAt: number;
  repeats: number;
  instances: Set<string>;
  write: AuditWrite;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Audits reads of one study's PHI (metadata, instances, frames, rendered, bulk data) per viewing episode
 * instead of per HTTP request: a viewer scrolling a 300-slice series makes 300 frame requests, and 300
 * fsync'd audit rows would cost more than serving the frames. The FIRST read of a study by a user is written (and awaited) before anything is served;
 * further reads of that study by that user within the window are counted and written as one summary event
 * when the window closes (or at shutdown). Nothing is served unaudited; the log keeps who, which study, when,
 * from where, and how many further reads followed.
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
    const episode = this.episodes.get(key);
    if (episode && now - episode.openedAt < this.windowMs) {
      episode.repeats++;
      if (instanceId) episode.instances.add(instanceId);
      episode.timer ??= setTimeout(
        () => void this.close(key),
        this.windowMs - (now - episode.openedAt),
      ).unref();
      return;
    }
    if (episode) await this.close(key);
    await write(`study:${studyId}`, instanceId ? { what, instance: instanceId } : { what });
    this.episodes.set(key, { openedAt: now, repeats: 0, instances: new Set(), write, timer: undefined });
  }

  private async close(key: string): Promise<void> {
    const episode = this.episodes.get(key);
    if (!episode) return;
    this.episodes.delete(key);
    if (episode.timer) clearTimeout(episode.timer);
    if (episode.repeats === 0) return;
    const [, studyId, what] = key.split('\0');
    await episode.write(`study:${studyId}`, {
      what: `${what}:repeated`,
      repeats: episode.repeats,
      instances: episode.instances.size,
      since: new Date(episode.openedAt).toISOString(),
    });
  }

  /** Writes every open episode's summary (app shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.episodes.keys()].map((key) => this.close(key)));
  }
}

import pg from 'pg';

// The agent's hot path in plain SQL through `pg`: each Prisma query costs milliseconds of CPU in
// its query compiler (measured by ingest, see ingest/repository.ts), which an idle loop and a
// 5,000 messages/s stream cannot afford. Prisma still owns the schema and everything else.

const SEQUENCER_LOCK = 4_201_771; // pg advisory lock id: one sequencer at a time

export interface OutboxRow {
  seq: number;
  type: string;
  body: unknown;
}

export class SyncSql {
  readonly pool: pg.Pool;

  constructor(connectionString: string) {
    this.pool = new pg.Pool({ connectionString, max: 3, idleTimeoutMillis: 30_000, allowExitOnIdle: true });
    this.pool.on('error', () => {}); // an idle client's error; the next query reports its own
  }

  /**
   * Numbers outbox rows that have no seq yet (in id order, continuing the stream gaplessly) and
   * returns the highest seq assigned so far plus the next rows to send after `afterSeq`: one round
   * trip (a multi-statement simple query), under an advisory lock, so two agents never hand out
   * the same number. A row whose transaction commits late simply gets a later number.
   */
  async assignAndFetch(
    limit: number,
    afterSeq: number,
    take: number,
  ): Promise<{ assigned: number; rows: OutboxRow[] }> {
    for (const n of [limit, afterSeq, take]) {
      if (!Number.isSafeInteger(n) || n < 0) throw new Error('assignAndFetch: bad integer');
    }
    // Integers only are inlined (checked above): the simple query protocol takes no parameters.
    // Results: BEGIN, lock, numbering (RETURNING assigned), rows, COMMIT.
    const results = (await this.pool.query(
      `BEGIN;
       SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK});
       WITH st AS (SELECT "s2cAssignedSeq" AS base FROM "SyncState" WHERE id = 1 FOR UPDATE),
       pending AS (SELECT id FROM "SyncOutbox" WHERE seq IS NULL ORDER BY id LIMIT ${limit}),
       numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM pending),
       upd AS (UPDATE "SyncOutbox" o SET seq = st.base + n.rn FROM numbered n, st WHERE o.id = n.id RETURNING o.seq)
       UPDATE "SyncState" SET "s2cAssignedSeq" = (SELECT COALESCE(MAX(seq), (SELECT base FROM st)) FROM upd),
         "updatedAt" = now()
       WHERE id = 1 RETURNING "s2cAssignedSeq" AS assigned;
       SELECT seq, type, body FROM "SyncOutbox" WHERE seq > ${afterSeq} ORDER BY seq LIMIT ${take};
       COMMIT;`,
    )) as unknown as pg.QueryResult[];
    const assigned = Number(results[2]?.rows[0]?.assigned ?? 0);
    const rows = (results[3]?.rows ?? []).map((r) => ({ seq: Number(r.seq), type: r.type, body: r.body }));
    return { assigned, rows };
  }

  /** assignAndFetch without the rows. */
  async assignSequence(limit: number): Promise<number> {
    return (await this.assignAndFetch(limit, Number.MAX_SAFE_INTEGER, 0)).assigned;
  }

  async outboxAfter(afterSeq: number, take: number): Promise<OutboxRow[]> {
    const result = await this.pool.query<{ seq: string; type: string; body: unknown }>(
      'SELECT seq, type, body FROM "SyncOutbox" WHERE seq > $1 ORDER BY seq LIMIT $2',
      [afterSeq, take],
    );
    return result.rows.map((r) => ({ seq: Number(r.seq), type: r.type, body: r.body }));
  }

  /** The cloud applied everything up to `upToSeq`. Cumulative: a stale ack changes nothing. */
  async markAcked(upToSeq: number, at = new Date()): Promise<void> {
    await this.pool.query(
      `WITH acked AS (UPDATE "SyncOutbox" SET "ackedAt" = $2 WHERE seq <= $1 AND "ackedAt" IS NULL)
       UPDATE "SyncState" SET "s2cAckedSeq" = $1, "updatedAt" = now() WHERE id = 1 AND "s2cAckedSeq" < $1`,
      [upToSeq, at],
    );
  }

  async state(): Promise<{ s2cAssignedSeq: number; s2cAckedSeq: number; c2sAppliedSeq: number }> {
    const r = await this.pool.query<Record<string, string>>(
      'SELECT "s2cAssignedSeq", "s2cAckedSeq", "c2sAppliedSeq" FROM "SyncState" WHERE id = 1',
    );
    const row = r.rows[0] ?? {};
    return {
      s2cAssignedSeq: Number(row.s2cAssignedSeq ?? 0),
      s2cAckedSeq: Number(row.s2cAckedSeq ?? 0),
      c2sAppliedSeq: Number(row.c2sAppliedSeq ?? 0),
    };
  }

  /**
   * LISTENs for committed outbox rows and calls `onRow`; reconnects after an error. Returns a
   * function that stops listening.
   */
  listen(connectionString: string, onRow: () => void): () => Promise<void> {
    let stopped = false;
    let client: pg.Client | undefined;
    const connect = async () => {
      while (!stopped) {
        const c = new pg.Client({ connectionString });
        try {
          c.on('notification', () => onRow());
          const lost = new Promise<void>((resolve) => {
            c.on('error', () => resolve());
            c.on('end', () => resolve());
          });
          await c.connect();
          await c.query('LISTEN annex_sync_outbox');
          client = c;
          await lost;
        } catch {
          // the database is away; the agent's poll still runs meanwhile
        }
        client = undefined;
        await c.end().catch(() => {});
        if (!stopped) await new Promise((r) => setTimeout(r, 1000));
      }
    };
    void connect();
    return async () => {
      stopped = true;
      await client?.end().catch(() => {});
    };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
